#!/usr/bin/env node
// method docker against method distro (issue 22), on bookworm sandbox machines, both served from
// the same local HTTP server on the sandbox network (test/support/docker-repo.ts):
//   - method docker: the stand-in of Docker's repository (Debian's docker.io, containerd and runc
//     repackaged as docker-ce, docker-ce-cli, containerd.io, plus the empty rootless-extras and
//     compose-plugin stand-ins);
//   - method distro: a local mirror of Debian's packages unchanged (docker.io, containerd, runc,
//     tini and every package either method needs beyond the image: iptables, libdevmapper, ...).
// The machines' only apt source is that local mirror (Debian's archive removed from their
// sources), plus the stand-in for method docker: every package of both methods comes from the
// bench's own server. Each install's steps are timed (tk provision --json) to show where method
// docker's extra time goes.
//   fresh install, whole tk process       target: docker within 2 s of distro
//   re-run on the provisioned host        target: as fast as distro's re-run
// Run after `npm run build`, as root: node --import tsx bench/docker-repo.js [--runs N]
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {cpus} from 'node:os'
import {fileURLToPath} from 'node:url'

const dist = fileURLToPath(new URL('../dist/providers/sandbox/index.js', import.meta.url))
if (!existsSync(dist)) {
  console.error('bench/docker-repo.js: build first (npm run build)')
  process.exit(1)
}
const {Sandbox} = await import(dist)
const {buildDistroRepo, buildDockerRepo, serveDockerRepo} = await import('../test/support/docker-repo.ts')
const tk = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const runsArg = process.argv.indexOf('--runs')
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const fmt = (values) => `median ${median(values).toFixed(2)} s (min ${Math.min(...values).toFixed(2)}, max ${Math.max(...values).toFixed(2)})`

const sandbox = await Sandbox.open()
const made = []
const snapshot = `bench-repo-${process.pid}`
let snapshotMade = false
let server
let distroServer
/** The engine's packages of each method, and what the stand-in's docker-ce and containerd.io depend on. */
const DISTRO_PACKAGES = ['docker.io', 'containerd', 'runc', 'tini', 'apparmor']
const STANDIN_DEPENDS = ['iptables', 'adduser', 'libdevmapper1.02.1', 'libsystemd0', 'libseccomp2']

/** Runs a command to its end, timing it; asynchronous, so that this process's HTTP server keeps serving meanwhile. */
function timed(argv) {
  return run(argv).then(({seconds}) => seconds)
}
/** The command's stdout. */
function captured(argv) {
  return run(argv).then(({stdout}) => stdout)
}
function run(argv) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(argv[0], argv.slice(1), {stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    let stdout = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      output = (output + chunk).slice(-4000)
    })
    child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-4000)))
    child.on('error', reject)
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      if (code === 0) resolve({seconds, stdout})
      else reject(new Error(`${argv.slice(0, 4).join(' ')} exited ${code}: ${output}`))
    })
  })
}

try {
  await sandbox.ensureImages(['bookworm'])
  const dockerRepo = await buildDockerRepo({versions: ['20.10.23', '20.10.24']})
  const key = sandbox.credentials.users.admin.identityFile
  const tkFlags = ['-i', key, '--known-hosts', sandbox.home.knownHosts, '--host-key-policy', 'strict']
  const target = (machine) => `admin@127.0.0.1:${machine.ssh.port}`
  const ssh = (machine, command) => timed(['ssh', ...sandbox.sshArguments(machine, 'admin'), command])

  // The base: what both methods install beyond the image, resolved on the machine against Debian's archive;
  // then a local mirror of exactly those versions becomes the machine's only source.
  const base = await sandbox.machines.create({name: `bench-repo-${process.pid}-base`, release: 'bookworm'})
  made.push(base.name)
  const simulated = await captured(['ssh', ...sandbox.sshArguments(base, 'admin'), `sudo -n sh -c 'apt-get -q update >/dev/null && apt-get -s -q install ${[...DISTRO_PACKAGES, ...STANDIN_DEPENDS].join(' ')}'`])
  const needed = [...simulated.matchAll(/^Inst (\S+) (?:\[\S+\] )?\((\S+) /gm)].map((match) => `${match[1]}=${match[2]}`)
  const distroRepo = await buildDistroRepo(needed)
  const network = await sandbox.engine.docker.getNetwork(base.network).inspect()
  const gateway = network.IPAM.Config.map((config) => config.Gateway).find((address) => address?.includes('.'))
  server = await serveDockerRepo({root: dockerRepo.root}, {host: gateway})
  distroServer = await serveDockerRepo({root: distroRepo.root}, {host: gateway})
  const distroUrl = distroServer.url.replace(/\/linux$/, '/debian')
  const keyText = (await import('node:fs')).readFileSync(distroRepo.keyFile, 'utf8')
  await ssh(
    base,
    `sudo -n sh -c 'mkdir -p /etc/apt/keyrings /root/bench-sources && mv /etc/apt/sources.list.d/* /etc/apt/sources.list /root/bench-sources/ 2>/dev/null; cat > /etc/apt/keyrings/bench-distro.asc && printf "Types: deb\\nURIs: ${distroUrl}\\nSuites: bookworm\\nComponents: main\\nSigned-By: /etc/apt/keyrings/bench-distro.asc\\n" > /etc/apt/sources.list.d/bench-distro.sources && rm -rf /var/lib/apt/lists/* && apt-get -q update >/dev/null' <<'KEY'\n${keyText}KEY`,
  )
  await sandbox.machines.snapshot(base.name, snapshot)
  snapshotMade = true

  const dockerFlags = ['--method', 'docker', '--repository', server.url, '--repository-key', dockerRepo.keyFile, '--repository-fingerprint', dockerRepo.fingerprint]
  const fresh = {distro: [], docker: []}
  const steps = {distro: {}, docker: {}}
  /** A provision, timed whole, its steps' own times kept (before-steps: facts, the repository's key and probe, the plan). */
  const provision = async (method, machine, flags) => {
    const {seconds, stdout} = await run(['node', tk, 'provision', target(machine), ...tkFlags, ...flags, '--json'])
    const host = JSON.parse(stdout).hosts[0]
    let inSteps = 0
    for (const step of host.result.steps) {
      ;(steps[method][step.id] ??= []).push(step.durationMs / 1000)
      inSteps += step.durationMs / 1000
    }
    ;(steps[method]['(rest: node, connect, facts, probe, plan)'] ??= []).push(seconds - inSteps)
    return seconds
  }
  const rerun = {distro: [], docker: []}
  const rerunDiffs = []
  for (let run = 0; run < runs; run++) {
    const [a, b] = await Promise.all(['distro', 'docker'].map((method) => sandbox.machines.create({name: `bench-repo-${process.pid}-${method}-${run}`, snapshot})))
    made.push(a.name, b.name)
    // One at a time, alternating which goes first, so that neither has the machine to itself.
    const order = run % 2 === 0 ? [['distro', a], ['docker', b]] : [['docker', b], ['distro', a]]
    const flagsOf = (method) => (method === 'docker' ? dockerFlags : ['--method', 'distro'])
    for (const [method, machine] of order) fresh[method].push(await provision(method, machine, flagsOf(method)))
    // Re-runs in pairs, right after one another, the order alternating: the load a pair meets is the same.
    for (let pair = 0; pair < 3; pair++) {
      const seconds = {}
      for (const [method, machine] of pair % 2 === 0 ? order : [...order].reverse()) {
        seconds[method] = await timed(['node', tk, 'provision', target(machine), ...tkFlags, ...flagsOf(method)])
        rerun[method].push(seconds[method])
      }
      rerunDiffs.push(seconds.docker - seconds.distro)
    }
    await Promise.all([a, b].map((machine) => sandbox.machines.remove(machine.name)))
  }
  // Proof that each method took its packages from the local server.
  const debs = (requests) => requests.filter((path) => path.endsWith('.deb')).length
  console.log(`packages served: distro mirror ${debs(distroServer.requests)}, docker stand-in ${debs(server.requests)}`)

  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}; ${runs} runs each; fresh bookworm machines from one snapshot`)
  console.log(`fresh install, method distro (local mirror, the machines' only source): ${fmt(fresh.distro)}`)
  console.log(`fresh install, method docker (stand-in repository, same server):              ${fmt(fresh.docker)}`)
  console.log(`  docker - distro (medians): ${(median(fresh.docker) - median(fresh.distro)).toFixed(2)} s (target: at most 2 s)`)
  console.log(`re-run, method distro: ${fmt(rerun.distro)}`)
  console.log(`re-run, method docker: ${fmt(rerun.docker)}`)
  console.log(`  docker - distro re-run, pair by pair: median ${median(rerunDiffs).toFixed(2)} s (min ${Math.min(...rerunDiffs).toFixed(2)}, max ${Math.max(...rerunDiffs).toFixed(2)}; target: about 0)`)
  console.log('fresh install by step (medians, s):')
  for (const id of new Set([...Object.keys(steps.distro), ...Object.keys(steps.docker)])) {
    const of = (method) => (steps[method][id] ? median(steps[method][id]).toFixed(2) : '-')
    console.log(`  ${id.padEnd(44)} distro ${of('distro').padStart(6)}   docker ${of('docker').padStart(6)}`)
  }
} finally {
  await server?.close()
  await distroServer?.close()
  for (const name of made) await sandbox.machines.remove(name).catch(() => {})
  if (snapshotMade) await sandbox.machines.removeSnapshot(snapshot).catch(() => {})
  await sandbox.close()
}
