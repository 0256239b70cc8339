/**
 * Switching a real bookworm machine's engine between Debian's docker.io and
 * docker-ce from a STAND-IN for Docker's repository (test/support/docker-repo.ts:
 * bookworm's own docker.io repackaged as docker-ce, docker-ce-cli and
 * containerd.io under the Docker version 24.0.7, so that going back to
 * docker.io 20.10.24 is a downgrade by version). Where the stand-in differs
 * from Docker's real docker-ce: it carries docker.io's own maintainer
 * scripts, so its prerm copies nuke-graph-directory.sh into /var/lib/docker
 * and its postrm runs it on purge, as docker.io's do (Docker's docker-ce has
 * no such hook); its dockerd is 20.10.24 whatever the package says, so
 * nothing here shows an image store a 20.10 engine cannot read.
 *
 * One machine from the provisioned (docker.io) snapshot carries a running
 * container with a restart policy, a named volume with 2 MiB of random
 * bytes, a user network, a single-node swarm and a daemon.json; each switch,
 * and an `apt-get purge` of the old engine run by hand afterwards, must
 * leave all of it byte for byte.
 */
import {expect} from 'chai'

import {runTk} from '../run-tk.js'
import {buildDockerRepo, type DockerRepo, type DockerRepoServer, sandboxGateway, serveDockerRepo} from '../support/docker-repo.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, engineMachine, provisionedSnapshot, sandboxFlags, target, waitForEngine} from '../support/tk-hosts.js'

describe('tk provision switches docker.io <-> docker-ce (stand-in repository) keeping every byte', function () {
  this.timeout(20 * 60_000)
  let fixture: SandboxFixture
  let repo: DockerRepo
  let server: DockerRepoServer
  let machine: TestMachine
  let kept: string

  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`
  const root = async (command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${quote(command)}`, {timeoutMs: 10 * 60_000})
    if (result.code !== 0) throw new Error(`${command} failed on ${machine.name}: ${result.stderr}${result.stdout}`)
    return result.stdout
  }
  /** The package's version, '' when dpkg does not know it at all (not even as "rc"). */
  const known = async (name: string) => (await root(`dpkg-query -W -f '\${Version} \${db:Status-Status}' ${name} 2>/dev/null || true`)).trim().replace(/^not-installed$/, '')
  const toDocker = ['--method', 'docker']
  const repoFlags = () => ['--repository', server.url, '--repository-key', repo.keyFile, '--repository-fingerprint', repo.fingerprint]
  const provision = (...args: string[]) => runTk(['provision', target(machine), ...sandboxFlags(fixture), ...args], {env: cleanEnv})
  /** TK_TEST_TIMINGS=1 (bench/engine-switch.js): each step's time, for docs/benchmarks.md. */
  const timings = (label: string, stdout: string, seconds: number) => {
    if (!process.env.TK_TEST_TIMINGS) return
    const steps = (JSON.parse(stdout) as {hosts: Array<{result: {steps: Array<{id: string; durationMs: number}>}}>}).hosts[0].result.steps
    process.stderr.write(`tk-timing ${label} ${seconds.toFixed(2)} s ${JSON.stringify(steps.map((step) => [step.id, step.durationMs]))}\n`)
  }
  const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now()
    const value = await work()
    return [value, (performance.now() - started) / 1000]
  }
  const changed = (stdout: string) => (JSON.parse(stdout) as {hosts: Array<{result: {changed: number}}>}).hosts[0].result.changed

  /** Everything that must survive a switch: ids, names, the volume's bytes, daemon.json's, the swarm node. */
  const engineState = async () => {
    await waitForEngine(machine)
    return root(
      [
        "docker image ls -q --no-trunc | sort",
        "docker ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.Image}}' | sort",
        "docker volume ls -q | sort",
        // The default bridge network is made anew (a new id) each time an engine starts: its name only.
        "docker network ls --no-trunc --format '{{.Name}} {{.ID}}' | sed 's/^bridge .*/bridge/' | sort",
        "docker info --format '{{.Swarm.NodeID}} {{.Swarm.LocalNodeState}}'",
        'cd /var/lib/docker/volumes/data/_data && find . -type f | sort | xargs sha256sum',
        'sha256sum /etc/docker/daemon.json',
      ].join(' && '),
    )
  }
  /** Waits (bounded) until the container runs again after the engine restarted. */
  const webRuns = async () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      // eslint-disable-next-line no-await-in-loop
      if ((await root("docker ps --filter name=^web$ --format '{{.Status}}'")).startsWith('Up')) return
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    throw new Error('the container web did not run again')
  }

  before(async function () {
    this.timeout(30 * 60_000)
    fixture = await sandboxFixture({releases: ['bookworm']})
    const snapshot = await provisionedSnapshot(fixture)
    ;[repo, machine] = await Promise.all([buildDockerRepo({versions: ['24.0.7']}), engineMachine(fixture, snapshot, busyboxImageTar(), {keep: true})])
    server = await serveDockerRepo(repo, {host: await sandboxGateway(fixture)})
    await root(
      [
        `printf '%s\\n' '{"log-opts": {"max-size": "10m"}, "log-level": "info"}' > /etc/docker/daemon.json`,
        'systemctl restart docker',
      ].join(' && '),
    )
    await waitForEngine(machine)
    await root(
      [
        'docker volume create data >/dev/null',
        'head -c 2097152 /dev/urandom > /var/lib/docker/volumes/data/_data/random.bin',
        "docker run --rm -v data:/data tk-busybox sh -c 'echo written-by-a-container > /data/note'",
        'docker network create tk-net >/dev/null',
        'docker swarm init --advertise-addr 127.0.0.1 >/dev/null',
        'docker run -d --name web --restart unless-stopped --network tk-net -v data:/data tk-busybox sleep 100000 >/dev/null',
      ].join(' && '),
    )
    kept = await engineState()
    expect(kept).to.match(/random\.bin/).and.match(/ active\n/).and.not.include('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855') // no empty file
  })

  after(async () => {
    await server?.close()
  })

  it('docker.io -> docker-ce: planned in a dry run, refused while web runs, then switched with --force keeping every byte; a re-run changes nothing', async () => {
    const dry = await provision(...toDocker, ...repoFlags(), '--dry-run')
    expect(dry.code, dry.stdout + dry.stderr).to.equal(0)
    expect(dry.stdout).to.match(/switch docker\.io 1?:?20\.10\.24\S* -> docker-ce 5:24\.0\.7/)
    expect(dry.stdout).to.include('purge docker.io, containerd, runc')
    expect(dry.stdout).to.include('the engine restarts: running containers stop (web)')
    expect(dry.stdout).to.include('images, containers, volumes, networks, swarm state and /etc/docker/daemon.json kept')
    expect(dry.stdout).to.match(/would be refused: .*stops the running containers web/)

    const refused = await provision(...toDocker, ...repoFlags())
    expect(refused.code, refused.stdout + refused.stderr).to.not.equal(0)
    expect(refused.stdout + refused.stderr).to.match(/switching docker\.io to docker-ce restarts the engine and stops the running containers web: refused, nothing was changed/)
    expect(refused.stderr).to.not.match(/\n\s+at /)
    expect(await known('docker.io')).to.match(/ installed$/)

    const [switched, seconds] = await timed(() => provision(...toDocker, ...repoFlags(), '--force', '--json'))
    expect(switched.code, switched.stdout + switched.stderr).to.equal(0)
    timings('to-docker', switched.stdout, seconds)
    expect(await known('docker-ce')).to.equal(`${repo.engineVersion('24.0.7')} installed`)
    // Gone from dpkg altogether, not left "rc" with its hook: nothing of docker.io can run later.
    for (const name of ['docker.io', 'containerd', 'runc']) expect(await known(name), name).to.equal('')
    expect(await root('ls -a /var/lib/docker')).to.not.include('nuke-graph-directory.sh')
    expect((await root('systemctl is-enabled docker.service containerd.service')).trim().split('\n')).to.deep.equal(['enabled', 'enabled'])
    await webRuns()
    expect(await engineState()).to.equal(kept)

    const status = await runTk(['status', target(machine), ...sandboxFlags(fixture), '--json'], {env: cleanEnv})
    expect(status.stdout).to.match(/"method":\s*"docker"/)

    const [again, rerun] = await timed(() => provision(...toDocker, ...repoFlags(), '--json'))
    expect(again.code, again.stdout + again.stderr).to.equal(0)
    timings('to-docker-rerun', again.stdout, rerun)
    expect(changed(again.stdout)).to.equal(0)
  })

  it('an apt-get purge of docker.io run by hand afterwards touches nothing', async () => {
    const purged = await machine.ssh('admin', 'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get purge -y docker.io 2>&1')
    expect(purged.code, purged.stdout + purged.stderr).to.equal(0)
    expect(purged.stdout).to.match(/docker\.io.* is not installed/)
    await webRuns()
    expect(await engineState()).to.equal(kept)
  })

  it('docker-ce 24.0.7 -> docker.io 20.10: refused as a downgrade saying what is lost from view, then switched with --allow-downgrade; a re-run and a purge of docker-ce change nothing', async () => {
    const refused = await provision('--method', 'distro', '--force')
    expect(refused.code, refused.stdout + refused.stderr).to.not.equal(0)
    expect(refused.stdout + refused.stderr).to.match(/switching docker-ce to docker\.io \S+ is a downgrade from 5:24\.0\.7\S*; lost from view: .*Refused, nothing was changed/)
    expect(refused.stdout + refused.stderr).to.include('--allow-downgrade')
    expect(await known('docker-ce')).to.match(/ installed$/)

    const [switched, seconds] = await timed(() => provision('--method', 'distro', '--force', '--allow-downgrade', '--json'))
    expect(switched.code, switched.stdout + switched.stderr).to.equal(0)
    timings('to-distro', switched.stdout, seconds)
    expect(await known('docker.io')).to.match(/^\S*20\.10\.24\S* installed$/)
    for (const name of ['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-ce-rootless-extras']) expect(await known(name), name).to.equal('')
    expect(await root('ls /etc/apt/preferences.d/')).to.not.include('tk-docker-engine')
    await webRuns()
    expect(await engineState()).to.equal(kept)

    const [again, rerun] = await timed(() => provision('--method', 'distro', '--json'))
    expect(again.code, again.stdout + again.stderr).to.equal(0)
    timings('to-distro-rerun', again.stdout, rerun)
    expect(changed(again.stdout)).to.equal(0)

    // The stand-in's docker-ce carries docker.io's purge hook (see above): it was neutralised too.
    const purged = await machine.ssh('admin', 'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get purge -y docker-ce 2>&1')
    expect(purged.code, purged.stdout + purged.stderr).to.equal(0)
    expect(await engineState()).to.equal(kept)
  })
})
