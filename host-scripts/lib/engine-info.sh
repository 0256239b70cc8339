# What the engine says of itself, through its CLI: asked only when its API
# gave no answer over the SSH connection (forwarding refused). One
# "server=... storage=... images=..." block, nothing when the engine does not
# answer within 10 s.
timeout 10 docker info --format 'server={{.ServerVersion}}
storage={{.Driver}} images={{.Images}} containers={{.Containers}} running={{.ContainersRunning}} live-restore={{.LiveRestoreEnabled}}
root-dir={{.DockerRootDir}}' 2>/dev/null
