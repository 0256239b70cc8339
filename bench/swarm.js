#!/usr/bin/env node
// tk up with swarm: (issue 26), on three sandbox machines (bookworm, trixie, bullseye) made one cluster:
//   re-run of tk up on the converged three-node cluster vs the same fleet's re-run without swarm:
//   (the same machines, a tk.yml without the section), pair by pair (bench/lib/paired.js)
//                                                            target: within 0.3 s (median difference)
// Needs root and the sandbox's packages. Run after `npm run build`: node bench/swarm.js [--runs N]
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {median, paired, printPaired} from './lib/paired.js'

const dist = fileURLToPath(new URL('../dist/providers/sandbox/index.js', import.meta.url))
if (!existsSync(dist)) {
  console.error('bench/swarm.js: build first (npm run build)')
  process.exit(1)
}
const {Sandbox} = await import(dist)
const tk = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const runs = process.argv.includes('--runs') ? Number(process.argv[process.argv.indexOf('--runs') + 1]) : 5
const dir = mkdtempSync(join(tmpdir(), 'tk-bench-swarm-'))
const sandbox = await Sandbox.open()
const releases = ['bookworm', 'trixie', 'bullseye']
const made = []

function writeFleet(where, machines, swarm) {
  mkdirSync(where, {recursive: true})
  const lines = [
    'defaults:',
    '  user: admin',
    `  identityFile: ${sandbox.credentials.users.admin.identityFile}`,
    'ssh:',
    '  hostKeyPolicy: strict',
    'engine:',
    '  users: [admin]',
    '  compose: false',
    ...(swarm ? ['swarm:', '  managers: [h0]', "  workers: ['@web']", '  labels:', "    '@web': {tier: web}"] : []),
    'hosts:',
    ...machines.flatMap((machine, index) => [`  - name: h${index}`, '    address: 127.0.0.1', `    port: ${machine.ssh.port}`, ...(index > 0 ? ['    groups: [web]'] : [])]),
    '',
  ]
  writeFileSync(join(where, 'tk.yml'), lines.join('\n'))
}

function tkUp(cwd, env) {
  const result = spawnSync(process.execPath, [tk, 'up', '--json'], {cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  if (result.status !== 0) throw new Error(`tk up in ${cwd} exited ${result.status}: ${result.stderr.slice(-2000)}${result.stdout.slice(-2000)}`)
  return JSON.parse(result.stdout)
}

try {
  await sandbox.ensureImages(releases)
  const env = {...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1', TK_KNOWN_HOSTS: sandbox.home.knownHosts}
  const fleet = await Promise.all(releases.map((release, index) => sandbox.machines.create({name: `bench-swarm-${process.pid}-${index}`, release})))
  made.push(...fleet.map((machine) => machine.name))
  const withSwarm = join(dir, 'swarm')
  const without = join(dir, 'plain')
  writeFleet(withSwarm, fleet, true)
  writeFleet(without, fleet, false)
  tkUp(without, env)
  const formed = tkUp(withSwarm, env)
  console.log(`cluster formed: ${JSON.stringify(formed.swarm?.cluster)}`)
  const again = tkUp(withSwarm, env)
  if (again.summary.changed !== 0 || again.swarm?.changed !== 0) throw new Error(`the re-run changed something: ${JSON.stringify(again.swarm)}`)
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), load ${loadavg().map((load) => load.toFixed(1)).join(' ')}`)
  const rows = paired({a: [process.execPath, tk, 'up', '--json'], b: [process.execPath, tk, 'up', '--json'], runs, env, timeoutMs: 900_000, cwdA: withSwarm, cwdB: without})
  printPaired('tk up re-run with swarm: (A) vs the same fleet without it (B)', rows, {a: 'with swarm:', b: 'without'})
  // The target is a difference in seconds: the pairs' differences, A - B, side by side like the ratios.
  const differences = rows.a.map((run, index) => run.seconds - rows.b[index].seconds)
  console.log(`  ${'with swarm: - without'.padEnd(44)} ${median(differences).toFixed(3)} (${Math.min(...differences).toFixed(3)}–${Math.max(...differences).toFixed(3)}) s (median of the pairs' differences; target: at most 0.3)`)
  console.log(`load after: ${loadavg().map((load) => load.toFixed(1)).join(' ')}`)
} finally {
  await Promise.all(made.map((name) => sandbox.machines.remove(name).catch(() => {})))
  rmSync(dir, {recursive: true, force: true})
}
