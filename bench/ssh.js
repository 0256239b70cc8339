#!/usr/bin/env node
// SSH transport benchmark (issue 4), on sandbox machines:
//   tk check on three hosts, whole process, wall       target: at most 1.0 s
//   20 sequential commands on one open connection       target: at most 0.4 s (in one process)
//   a fresh connection, and one command on an open one  reported
// Needs root and the sandbox's packages (docs/sandbox.md).
// Run after `npm run build`: node bench/ssh.js [--runs N]
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {cpus} from 'node:os'
import {fileURLToPath} from 'node:url'

const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url))
if (!existsSync(dist('providers/sandbox/index.js'))) {
  console.error('bench/ssh.js: build first (npm run build)')
  process.exit(1)
}
const {Sandbox} = await import(dist('providers/sandbox/index.js'))
const {SshHost} = await import(dist('transport/ssh-host.js'))
const tk = fileURLToPath(new URL('../bin/run.js', import.meta.url))

const runsArg = process.argv.indexOf('--runs')
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const since = (start) => Number(process.hrtime.bigint() - start) / 1e9

const sandbox = await Sandbox.open()
const machines = []
try {
  await sandbox.ensureImages(['bullseye', 'bookworm', 'trixie'])
  machines.push(...(await Promise.all(['bullseye', 'bookworm', 'trixie'].map((release, index) => sandbox.machines.create({name: `bench-ssh-${process.pid}-${index}`, release})))))
  const key = sandbox.credentials.users.admin.identityFile
  const knownHosts = sandbox.home.knownHosts
  const targets = machines.map((machine) => `admin@127.0.0.1:${machine.ssh.port}`)
  const env = {...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1'}

  console.log(`tk SSH benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0].model.trim()}), node ${process.version}, ${runs} runs, medians`)

  // The whole process, as a user runs it.
  const checkArgs = [tk, 'check', ...targets, '-i', key, '--known-hosts', knownHosts, '--host-key-policy', 'strict']
  spawnSync(process.execPath, checkArgs, {env, stdio: 'ignore'}) // warm caches
  const checkTimes = []
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint()
    const result = spawnSync(process.execPath, checkArgs, {env, stdio: ['ignore', 'ignore', 'pipe']})
    checkTimes.push(since(start))
    if (result.status !== 0) throw new Error(`tk check exited ${result.status}: ${result.stderr}`)
  }

  // In one process: connection cost, then commands over the open connection.
  const options = {identityFiles: [key], knownHostsFile: knownHosts, hostKeyPolicy: 'strict', agentSocket: false}
  const connectTimes = []
  const twentyTimes = []
  const oneTimes = []
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint()
    const host = await SshHost.connect(targets[1], options)
    connectTimes.push(since(start))
    try {
      await host.run('true')
      const twenty = process.hrtime.bigint()
      for (let index = 0; index < 20; index++) {
        const result = await host.run('true')
        if (result.code !== 0) throw new Error('true failed')
      }
      twentyTimes.push(since(twenty))
      const one = process.hrtime.bigint()
      await host.run('true')
      oneTimes.push(since(one))
    } finally {
      await host.close()
    }
  }

  const lines = [
    [`tk check, three hosts (bullseye, bookworm, trixie), whole process`, median(checkTimes), 1.0],
    ['20 sequential commands on one open connection', median(twentyTimes), 0.4],
    ['a fresh connection (TCP, key exchange, auth)', median(connectTimes)],
    ['one command on an open connection', median(oneTimes)],
  ]
  let ok = true
  for (const [what, value, limit] of lines) console.log(`  ${what.padEnd(62)} ${value.toFixed(3)} s`)
  for (const [what, value, limit] of lines) {
    if (limit === undefined) continue
    const pass = value <= limit
    ok &&= pass
    console.log(`  ${pass ? 'PASS' : 'FAIL'} ${what} = ${value.toFixed(3)} s (limit ${limit.toFixed(3)})`)
  }
  process.exitCode = ok ? 0 : 1
} finally {
  await Promise.all(machines.map((machine) => sandbox.machines.remove(machine.name).catch(() => {})))
  await sandbox.close()
}
