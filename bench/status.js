#!/usr/bin/env node
// tk status benchmark (issue 9), on bookworm sandbox machines that run an
// engine (provisioned once by tk, then snapshotted) and carry a tk up state
// file, all named in a tk.yml:
//   tk status on ten hosts, whole process, wall      target: at most 1.5 s
//   tk status on one host, whole process             reported
//   tk --version (node and oclif start-up)           reported, the floor
//   the tk process's own CPU time for ten hosts      reported (the machines share tk's cores here;
//                                                    in a real fleet their sshd work is on the hosts)
//   on one host, in one process: a fresh connection, and the status script on it
// Needs root and the sandbox's packages (docs/sandbox.md).
// Run after building (npx tsc -p . && npx oclif manifest): node bench/status.js [--runs N]
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir, totalmem} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url))
if (!existsSync(dist('status/gather.js'))) {
  console.error('bench/status.js: build first (npx tsc -p . && npx oclif manifest)')
  process.exit(1)
}
const {Sandbox} = await import(dist('providers/sandbox/index.js'))
const {SshHost} = await import(dist('transport/ssh-host.js'))
const {hostScript} = await import(dist('transport/host-scripts.js'))
const tk = fileURLToPath(new URL('../bin/run.js', import.meta.url))

const runsArg = process.argv.indexOf('--runs')
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7
const HOSTS = 10
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const range = (values) => `${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)} s`
const since = (start) => Number(process.hrtime.bigint() - start) / 1e9
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const sandbox = await Sandbox.open()
const made = []
const snapshot = `bench-status-${process.pid}`
let snapshotMade = false
const dir = mkdtempSync(join(tmpdir(), 'tk-bench-status-'))

function run(argv, options = {}) {
  const result = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options})
  if (result.status !== 0) throw new Error(`${argv.slice(0, 3).join(' ')} exited ${result.status}: ${result.stderr?.slice(-2000)}${result.stdout?.slice(-2000)}`)
  return result.stdout
}

/** Waits until admin's docker reaches the machine's engine: a snapshot's engine starts with the machine. */
async function engineUp(machine) {
  for (let attempt = 0; attempt < 300; attempt++) {
    const answer = spawnSync('ssh', [...sandbox.sshArguments(machine, 'admin'), 'docker version --format "{{.Server.Version}}"'], {encoding: 'utf8'})
    if (answer.status === 0) return answer.stdout.trim()
    await sleep(200)
  }
  throw new Error(`the engine on ${machine.name} did not start`)
}

try {
  await sandbox.ensureImages(['bookworm'])
  const key = sandbox.credentials.users.admin.identityFile
  const knownHosts = sandbox.home.knownHosts
  const env = {...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1', TK_CONFIG: ''}
  const target = (machine) => `admin@127.0.0.1:${machine.ssh.port}`

  // One provisioned machine with a state file, snapshotted: every host of the fleet starts from it.
  const base = await sandbox.machines.create({name: `bench-status-${process.pid}-base`, release: 'bookworm'})
  made.push(base.name)
  run([process.execPath, tk, 'provision', target(base), '-i', key, '--known-hosts', knownHosts, '--host-key-policy', 'strict'], {env})
  const state = {version: 1, lastUp: {at: new Date().toISOString(), by: 'bench@workstation', tkVersion: '0.1.0', ok: true, changed: 3, durationMs: 4000}, provisioners: {}}
  run(['ssh', ...sandbox.sshArguments(base, 'admin'), 'sudo -n mkdir -p /var/lib/tk && sudo -n tee /var/lib/tk/state.json >/dev/null && sudo -n chmod 0644 /var/lib/tk/state.json'], {input: JSON.stringify(state)})
  await sandbox.machines.snapshot(base.name, snapshot)
  snapshotMade = true

  // On a loaded machine a sandbox now and then dies while booting: one more try each.
  const create = (name) => sandbox.machines.create({name, snapshot}).catch(() => sandbox.machines.create({name, snapshot}))
  const machines = await Promise.all(Array.from({length: HOSTS}, (_, index) => create(`bench-status-${process.pid}-${index}`)))
  made.push(...machines.map((machine) => machine.name))
  await Promise.all(machines.map(engineUp))

  writeFileSync(
    join(dir, 'tk.yml'),
    [
      'defaults:',
      '  user: admin',
      `  identityFile: ${key}`,
      'ssh:',
      '  hostKeyPolicy: strict',
      'hosts:',
      ...machines.flatMap((machine, index) => [`  - name: host-${index}`, '    address: 127.0.0.1', `    port: ${machine.ssh.port}`, ...(index === 0 ? ['    groups: [one]'] : [])]),
      '',
    ].join('\n'),
  )
  const status = (args) => [process.execPath, tk, 'status', '--known-hosts', knownHosts, ...args]

  // Let the machines' start-up (systemd, sshd, dockerd in each) settle before timing.
  await sleep(20_000)
  console.log(
    `tk status benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0].model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${runs} runs, medians (min–max); load ${loadavg()[0].toFixed(1)}`,
  )
  console.log(`  hosts: bookworm sandboxes with a running engine (admin in the docker group) and a tk up state file`)

  const check = JSON.parse(run(status(['--json']), {cwd: dir, env}))
  if (check.hosts.length !== HOSTS || check.hosts.some((host) => !host.reachable || host.facts.engine.daemon !== 'running' || !host.facts.lastUp)) {
    throw new Error(`tk status did not see ${HOSTS} running engines: ${JSON.stringify(check.hosts.map((host) => host.problem ?? host.facts?.engine))}`)
  }

  const timings = {ten: [], one: [], version: []}
  const tenCpu = []
  for (let round = 0; round < runs; round++) {
    // Interleaved, so that a noisy moment hurts every subject alike.
    for (const [name, argv] of [
      ['ten', status([])],
      ['one', status(['@one'])],
      ['version', [process.execPath, tk, '--version']],
    ]) {
      const start = process.hrtime.bigint()
      run(argv, {cwd: dir, env})
      timings[name].push(since(start))
    }
    // tk's own CPU time (user + system) for the ten hosts, as the shell's `times` counts its child.
    const times = run(['bash', '-c', 'node "$@" >/dev/null; times', 'bash', ...status([]).slice(1)], {cwd: dir, env}).trim().split('\n')[1]
    const [user, system] = times.split(/\s+/).map((text) => {
      const [, minutes, seconds] = /(\d+)m([\d.]+)s/.exec(text)
      return Number(minutes) * 60 + Number(seconds)
    })
    tenCpu.push(user + system)
  }

  // In one process: where a host's time goes.
  const options = {identityFiles: [key], knownHostsFile: knownHosts, hostKeyPolicy: 'strict', agentSocket: false}
  const script = await hostScript('status-facts.sh')
  const connects = []
  const scripts = []
  for (let round = 0; round < runs; round++) {
    const start = process.hrtime.bigint()
    const host = await SshHost.connect(target(machines[0]), options)
    connects.push(since(start))
    try {
      const ran = process.hrtime.bigint()
      const result = await host.run(script)
      scripts.push(since(ran))
      if (result.code !== 0) throw new Error(`the status script failed: ${result.stderr}`)
    } finally {
      await host.close()
    }
  }

  const lines = [
    [`tk status, ${HOSTS} hosts (tk.yml, @all), whole process`, timings.ten, 1.5],
    ['tk status, 1 host, whole process', timings.one],
    ['tk --version (node + oclif start-up)', timings.version],
    [`tk status, ${HOSTS} hosts: CPU time of the tk process (user + system)`, tenCpu],
    ['one host, in process: a fresh connection (TCP, key exchange, auth)', connects],
    ['one host, in process: the status script on an open connection', scripts],
  ]
  let ok = true
  for (const [what, values] of lines) console.log(`  ${what.padEnd(68)} ${median(values).toFixed(3)} s  (${range(values)})`)
  for (const [what, values, limit] of lines) {
    if (limit === undefined) continue
    const pass = median(values) <= limit
    ok &&= pass
    console.log(`  ${pass ? 'PASS' : 'FAIL'} ${what} = ${median(values).toFixed(3)} s (limit ${limit.toFixed(3)})`)
  }
  process.exitCode = ok ? 0 : 1
} finally {
  // Every machine of this run by its name's prefix: a create that failed half-way left its siblings unlisted.
  const prefix = `bench-status-${process.pid}-`
  const leftovers = (await sandbox.machines.list().catch(() => [])).map((machine) => machine.name).filter((name) => name.startsWith(prefix))
  await Promise.all([...new Set([...made, ...leftovers])].map((name) => sandbox.machines.remove(name).catch(() => {})))
  if (snapshotMade) await sandbox.machines.removeSnapshot(snapshot).catch(() => {})
  rmSync(dir, {recursive: true, force: true})
  await sandbox.close()
}
