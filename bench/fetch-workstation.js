#!/usr/bin/env node
// Packages through the workstation (issue 24), on fresh sandbox machines of one release:
//   tk provision HOST --fetch-via workstation   against   tk provision HOST (direct),
//   the same packages, machines made from the same image, run in turn (A B A B ...) in one run.
//   target: workstation / direct at most 1.3 (the median of the pairs' ratios, whole process).
// The workstation runs are proven to have gone through tk's proxy by its log
// (TK_FETCH_PROXY_LOG): a run whose log is empty fails the bench. The machines
// keep their own network (both runs fetch from the same archive; only the path differs).
// Needs root and the sandbox's packages. Run after `npm run build`:
//   node bench/fetch-workstation.js [--runs N] [--release bookworm|trixie]
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const dist = fileURLToPath(new URL('../dist/providers/sandbox/index.js', import.meta.url))
if (!existsSync(dist)) {
  console.error('bench/fetch-workstation.js: build first (npm run build)')
  process.exit(1)
}
const {Sandbox} = await import(dist)
const tk = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback)
const runs = Number(arg('--runs', '3'))
const release = arg('--release', 'bookworm')
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const dir = mkdtempSync(join(tmpdir(), 'tk-bench-fetch-'))
const sandbox = await Sandbox.open()
const made = []

function timed(argv, env) {
  const start = process.hrtime.bigint()
  const result = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env})
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (result.status !== 0) throw new Error(`${argv.slice(1, 4).join(' ')} exited ${result.status}: ${result.stderr?.slice(-2000)}${result.stdout?.slice(-2000)}`)
  return seconds
}

try {
  await sandbox.ensureImages([release])
  const flags = ['-i', sandbox.credentials.users.admin.identityFile, '--known-hosts', sandbox.home.knownHosts, '--host-key-policy', 'strict']
  const env = {...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1'}
  const direct = []
  const through = []
  const requests = []
  console.log(`tk provision through the workstation — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0].model.trim()}), node ${process.version}, ${release} sandboxes, ${runs} pairs, medians`)
  for (let run = 0; run < runs; run++) {
    // eslint-disable-next-line no-await-in-loop
    const [a, b] = await Promise.all(['direct', 'ws'].map((tag) => sandbox.machines.create({name: `bench-fetch-${process.pid}-${tag}-${run}`, release})))
    made.push(a.name, b.name)
    const log = join(dir, `proxy-${run}.log`)
    const pair = () => [
      () => direct.push(timed([process.execPath, tk, 'provision', `admin@127.0.0.1:${a.ssh.port}`, ...flags], env)),
      () => through.push(timed([process.execPath, tk, 'provision', `admin@127.0.0.1:${b.ssh.port}`, '--fetch-via', 'workstation', ...flags], {...env, TK_FETCH_PROXY_LOG: log})),
    ]
    // Alternate which goes first, so that neither always meets a warmer archive or a busier machine.
    const [first, second] = run % 2 === 0 ? pair() : pair().reverse()
    first()
    second()
    const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []
    if (lines.length === 0 || lines.some((line) => line.includes(' refused '))) throw new Error(`run ${run}: the proxy's log shows no requests, or refused ones:\n${lines.join('\n')}`)
    requests.push(lines.length)
    console.log(`  pair ${run + 1}: direct ${direct.at(-1).toFixed(2)} s, through the workstation ${through.at(-1).toFixed(2)} s (${lines.length} requests through the proxy)`)
    // eslint-disable-next-line no-await-in-loop
    await Promise.all([a, b].map((machine) => sandbox.machines.remove(machine.name).catch(() => {})))
  }
  // Pair by pair: the machine's load drifts during a run, and a pair shares it.
  const ratio = median(through.map((seconds, index) => seconds / direct[index]))
  console.log(`  direct fresh provision                ${median(direct).toFixed(2)} s`)
  console.log(`  through the workstation               ${median(through).toFixed(2)} s  (${median(requests)} requests through the proxy)`)
  console.log(`  ${ratio <= 1.3 ? 'PASS' : 'FAIL'} workstation / direct = ${ratio.toFixed(3)}, median of the pairs' ratios (limit 1.300)`)
  process.exitCode = ratio <= 1.3 ? 0 : 1
} finally {
  await Promise.all(made.map((name) => sandbox.machines.remove(name).catch(() => {})))
  await sandbox.close()
  rmSync(dir, {recursive: true, force: true})
}
