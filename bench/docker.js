#!/usr/bin/env node
// tk docker benchmark (issue 12), in one run against ten sandbox machines made
// from one snapshot of a machine provisioned with tk (dist/), named in a tk.yml
// (group "fleet") in the working directory, as a user would have it:
//   tk docker HOST -- ps     with the host's tunnel up (started by a first tk docker call).
//                            Targets: at most 0.1 s above `tk --version`, and at
//                            most half of `docker -H ssh://HOST ps` (docker's own
//                            ssh:// transport: a new SSH login and a remote
//                            `docker system dial-stdio` per command).
//   tk docker @fleet -- ps   fan-out over the ten hosts, over SSH. Target: at most 1.5 s.
// Reported besides, to tell where the time goes: `docker -H unix://TUNNEL ps`
// (the docker CLI alone, through the same tunnel), `tk docker HOST -- ps` with
// a no-op `docker` first on PATH (tk's own share), and `tk exec @fleet -- true`
// (the fan-out's SSH part, without the docker CLI on the hosts), and
// `tk docker --concurrency 1 HOST -- ps` (through oclif: a flag before -- skips
// bin/run.js's fast path).
// Every subject runs once per round, rounds interleaved, medians reported: the
// machine is shared and noisy, so the load average is printed before and after.
// docker's ssh:// helper runs the system `ssh`, which reads the passwd user's
// ~/.ssh/config, not $HOME's: a wrapper named `ssh` first on PATH adds `-F`
// with a config holding the sandbox's key and known_hosts.
// Needs root (the sandbox) and a local docker CLI.
// Run after a build (npx tsc -p . && npx oclif manifest): node bench/docker.js [--runs N] [--hosts N]
import {spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir, totalmem} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const dist = fileURLToPath(new URL('../dist/providers/sandbox/index.js', import.meta.url))
const tkBin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
if (!existsSync(dist)) {
  console.error('bench/docker.js: build first (npx tsc -p . && npx oclif manifest): dist/providers/sandbox is missing')
  process.exit(1)
}
const {Sandbox, SESSION} = await import(dist)

const arg = (name, fallback) => {
  const index = process.argv.indexOf(name)
  return index > 0 ? Number(process.argv[index + 1]) : fallback
}
const runs = Math.min(arg('--runs', 11), 51)
const hostCount = Math.min(Math.max(arg('--hosts', 10), 2), 30)
const LIMIT_ABOVE_VERSION = 0.1
const LIMIT_SSH_RATIO = 0.5
const LIMIT_FANOUT = 1.5
// The docker CLI tk docker runs: the first on PATH. Every docker subject uses that same binary.
const DOCKER = (process.env.PATH ?? '').split(':').filter((dir) => dir !== '').map((dir) => join(dir, 'docker')).find((file) => existsSync(file))
if (!DOCKER) {
  console.error('bench/docker.js: no docker CLI on PATH')
  process.exit(1)
}

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const fmt = (value) => `${value.toFixed(3)} s`
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve({stdout, stderr}) : reject(new Error(`${command} ${args.join(' ')}: exit ${code}: ${stderr.trim()}`))))
  })
}

/** Runs `fn` on every item, at most `limit` at once. */
async function eachLimited(items, limit, fn) {
  const queue = [...items.entries()]
  const results = []
  await Promise.all(
    Array.from({length: Math.min(limit, items.length)}, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) results[next[0]] = await fn(next[1], next[0])
    }),
  )
  return results
}

const dir = mkdtempSync(join(tmpdir(), 'tk-bench-docker-'))
const sandbox = await Sandbox.open()
const prefix = `bench-docker-${process.pid}`
const snapshot = prefix
const names = Array.from({length: hostCount}, (_, index) => `${prefix}-${index + 1}`)
const made = []
let env

try {
  await sandbox.ensureImages(['bookworm'])
  const key = sandbox.credentials.users.admin.identityFile
  const knownHosts = sandbox.home.knownHosts
  env = {...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1', TK_KNOWN_HOSTS: knownHosts, XDG_STATE_HOME: join(dir, 'state'), XDG_RUNTIME_DIR: join(dir, 'run'), DOCKER_HOST: '', DOCKER_CONTEXT: ''}
  const tk = (args) => run(process.execPath, [tkBin, ...args], {cwd: dir, env})

  // One machine provisioned by tk, kept as a snapshot; the ten machines start from it.
  const baseName = `${prefix}-base`
  made.push(baseName)
  const base = await sandbox.machines.create({name: baseName, release: 'bookworm'})
  await tk(['provision', `admin@127.0.0.1:${base.ssh.port}`, '-i', key, '--host-key-policy', 'strict'])
  await sandbox.machines.snapshot(baseName, snapshot)
  await sandbox.machines.remove(baseName)
  made.splice(made.indexOf(baseName), 1)
  made.push(...names)
  // A machine that dies while booting (on a shared machine: another run's machines, inotify limits) gets one more try.
  const machines = await eachLimited(names, 4, async (name) => {
    try {
      return await sandbox.machines.create({name, snapshot})
    } catch (error) {
      console.error(`bench/docker.js: ${name}: ${error.message.split('\n')[0]}; trying once more`)
      await sandbox.machines.remove(name).catch(() => {})
      await sleep(2000)
      return sandbox.machines.create({name, snapshot})
    }
  })
  // The engine's data is a volume a snapshot does not hold: each dockerd starts afresh; wait for all of them.
  await eachLimited(machines, 4, async (machine) => {
    for (let attempt = 0; attempt < 300; attempt++) {
      try {
        await run('ssh', [...sandbox.sshArguments(machine, 'admin'), 'docker info --format "{{.ID}}"'])
        return
      } catch {
        await sleep(200)
      }
    }
    throw new Error(`the engine on ${machine.name} did not start`)
  })

  const hostLines = machines.map((machine, index) => [`  - name: web-${index + 1}`, '    address: 127.0.0.1', `    port: ${machine.ssh.port}`, '    groups: [fleet]'].join('\n'))
  writeFileSync(join(dir, 'tk.yml'), ['defaults:', '  user: admin', `  identityFile: ${key}`, 'ssh:', '  hostKeyPolicy: strict', 'hosts:', ...hostLines, ''].join('\n'))

  // The tunnel to web-1, started the way a user gets it: by a first tk docker call.
  const first = await tk(['docker', 'web-1', '--', 'ps'])
  if (!/started a tunnel/.test(first.stderr)) throw new Error(`the first tk docker call started no tunnel: ${first.stderr}`)
  const tunnels = JSON.parse((await tk(['tunnel', 'ls', '--json'])).stdout).tunnels
  const tunnel = tunnels.find((state) => state.host === 'web-1')
  if (!tunnel) throw new Error('no tunnel to web-1 is listed')

  // OpenSSH for docker's ssh:// helper: a config with the sandbox's key, and a wrapper that passes it.
  const config = join(dir, 'ssh_config')
  writeFileSync(
    config,
    `Host *\n  IdentityFile ${key}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${knownHosts}\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n`,
  )
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${config} "$@"\n`)
  chmodSync(join(bin, 'ssh'), 0o755)
  const sshEnv = {...env, PATH: `${bin}:${process.env.PATH}`}
  // For telling tk's share apart: a "docker" that does nothing, first on PATH.
  const noopBin = join(dir, 'noop-bin')
  mkdirSync(noopBin)
  writeFileSync(join(noopBin, 'docker'), '#!/bin/sh\nexit 0\n')
  chmodSync(join(noopBin, 'docker'), 0o755)
  const noopEnv = {...env, PATH: `${noopBin}:${process.env.PATH}`}

  const subjects = [
    ['tk --version', () => tk(['--version'])],
    ['tk docker web-1 -- ps (tunnel up)', () => tk(['docker', 'web-1', '--', 'ps'])],
    ['docker -H unix://TUNNEL ps', () => run(DOCKER, ['-H', tunnel.endpoint, 'ps'], {env})],
    ['docker -H ssh://HOST ps', () => run(DOCKER, ['-H', `ssh://admin@127.0.0.1:${machines[0].ssh.port}`, 'ps'], {env: sshEnv})],
    [`tk docker @fleet -- ps (${hostCount} hosts)`, () => tk(['docker', '@fleet', '--', 'ps'])],
    ['  tk docker web-1 -- ps, docker a no-op', () => run(process.execPath, [tkBin, 'docker', 'web-1', '--', 'ps'], {cwd: dir, env: noopEnv})],
    [`  tk exec @fleet -- true (${hostCount} hosts)`, () => tk(['exec', '@fleet', '--', 'true'])],
    // A flag before -- sends the call through oclif and the command, as every call went before bin/run.js's fast path.
    ['  tk docker --concurrency 1 web-1 -- ps', () => tk(['docker', '--concurrency', '1', 'web-1', '--', 'ps'])],
  ]
  const loadBefore = load()
  const samples = subjects.map(() => [])
  // A failed run is timed all the same, counted, and its first error shown under the table.
  const failures = subjects.map(() => [])
  const attempt = async (index) => {
    try {
      await subjects[index][1]()
    } catch (error) {
      // The first line, and of an exit-code table only the rows of hosts that did not exit 0.
      const [first, ...rest] = error.message.split('\n')
      failures[index].push([first.replace(/: HOST +EXIT.*/, ''), ...rest.filter((line) => /^\S+ +(?!0 )\S+ /.test(line))].join(' / '))
    }
  }
  for (const index of subjects.keys()) await attempt(index) // warm-up: file cache, the tunnel's first channel
  for (let round = 0; round < runs; round++) {
    for (const index of subjects.keys()) {
      const start = process.hrtime.bigint()
      await attempt(index)
      samples[index].push(seconds(start))
    }
  }
  const loadAfter = load()
  const m = Object.fromEntries(subjects.map(([label], index) => [label, median(samples[index])]))
  const [version, tkPs, tunnelPs, sshPs, fanout, tkNoop, execFanout, throughOclif] = subjects.map(([label]) => m[label])

  console.log(
    `tk docker benchmark — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores (${cpus()[0].model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${hostCount} sandbox bookworm machines on loopback`,
  )
  console.log(`  docker CLI: ${DOCKER}, ${(await run(DOCKER, ['--version'])).stdout.trim()}; load average (1/5/15 min): ${loadBefore} before, ${loadAfter} after`)
  console.log(`  median of ${runs} interleaved rounds after a warm-up (min–max):`)
  for (const [index, [label]] of subjects.entries()) {
    const failed = failures[index].length > 0 ? `  ${failures[index].length} of ${runs + 1} failed` : ''
    console.log(`    ${label.padEnd(42)} ${fmt(m[label])}  (${fmt(Math.min(...samples[index]))}–${fmt(Math.max(...samples[index]))})${failed}`)
  }
  for (const [index, [label]] of subjects.entries()) if (failures[index].length > 0) console.log(`  ${label.trim()}, first failure: ${failures[index][0]}`)
  const checks = [
    ['tk docker ps - tk --version', tkPs - version, LIMIT_ABOVE_VERSION, (v) => `${v.toFixed(3)} s`],
    ['tk docker ps / docker -H ssh:// ps', tkPs / sshPs, LIMIT_SSH_RATIO, (v) => v.toFixed(3)],
    [`tk docker @fleet -- ps, ${hostCount} hosts`, fanout, LIMIT_FANOUT, (v) => `${v.toFixed(3)} s`],
  ]
  let ok = failures.every((list) => list.length === 0)
  for (const [what, value, limit, show] of checks) {
    const pass = value <= limit
    ok &&= pass
    console.log(`  ${pass ? 'PASS' : 'FAIL'} ${what} = ${show(value)} (limit ${show(limit)})`)
  }
  console.log(`  where the time goes: tk docker with a no-op docker is ${fmt(tkNoop - version)} above tk --version, the docker CLI through the tunnel ${fmt(tunnelPs)};`)
  console.log(`  through oclif (a flag before --, no fast path) tk docker ps is ${fmt(throughOclif - version)} above tk --version;`)
  console.log(`  the fan-out without docker (tk exec @fleet -- true) ${fmt(execFanout)}, so docker ps on the hosts adds ${fmt(fanout - execFanout)}`)
  process.exitCode = ok ? 0 : 1
} finally {
  if (env) await run(process.execPath, [tkBin, 'tunnel', 'stop', '--all'], {cwd: dir, env}).catch(() => {})
  await Promise.all(made.map((name) => sandbox.machines.remove(name).catch(() => {})))
  await sandbox.machines.removeSnapshot(snapshot).catch(() => {})
  // Stop the engine only if this process started it and no other run has machines on it.
  const others = (await sandbox.machines.list().catch(() => [])).filter((machine) => machine.session !== SESSION && machine.state === 'running')
  if (others.length === 0) await sandbox.close()
  rmSync(dir, {recursive: true, force: true})
}
