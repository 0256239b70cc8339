#!/usr/bin/env node
// Start-up benchmark for tk (issue 2). Start-up dominates a local `tk check`
// and machines are noisy, so everything is measured in one run, interleaved,
// and judged as differences of medians:
//   tk --version      at most 0.05 s above a bare one-command oclif CLI
//   tk check          at most 0.08 s above tk --version
//   tk check          at most a third of moby's check-config.sh: both Debian's
//                     copy (bash) and the upstream revision tk follows (sh),
//                     stored as a test oracle in test/fixtures/check-config-upstream/
// Run after `npm run build`: node bench/startup.js [--runs N]
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {cpus} from 'node:os'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bare = fileURLToPath(new URL('fixtures/bare-cli/', import.meta.url))
const runsArg = process.argv.indexOf('--runs')
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 21
const oracle = '/usr/share/docker.io/contrib/check-config.sh'
const upstream = `${root}/test/fixtures/check-config-upstream/check-config.sh`

if (!existsSync(`${root}/oclif.manifest.json`)) {
  console.error('bench/startup.js: build first (npm run build): the oclif manifest is missing')
  process.exit(1)
}
// The baseline gets a manifest too, so that both CLIs start the same way.
spawnSync(process.execPath, [`${root}/node_modules/oclif/bin/run.js`, 'manifest'], {cwd: bare, stdio: 'ignore'})

const subjects = {
  'bare oclif --version': [process.execPath, `${bare}/bin/run.js`, '--version'],
  'tk --version': [process.execPath, `${root}/bin/run.js`, '--version'],
  'tk check': [process.execPath, `${root}/bin/run.js`, 'check'],
  'tk check --json': [process.execPath, `${root}/bin/run.js`, 'check', '--json'],
}
if (existsSync(oracle)) subjects['check-config.sh'] = ['bash', oracle]
if (existsSync(upstream)) subjects['check-config.sh upstream'] = ['sh', upstream]

function time(argv) {
  const start = process.hrtime.bigint()
  const result = spawnSync(argv[0], argv.slice(1), {stdio: ['ignore', 'ignore', 'ignore'], env: {...process.env, NO_COLOR: '1'}})
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (result.status !== 0 && result.status !== 1) throw new Error(`${argv.join(' ')} exited ${result.status}`)
  return seconds
}

const samples = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]))
for (const argv of Object.values(subjects)) time(argv) // warm the file cache
for (let i = 0; i < runs; i++) {
  for (const [name, argv] of Object.entries(subjects)) {
    if (name.startsWith('check-config.sh') && i >= 5) continue // slow and steady: five runs are enough
    samples[name].push(time(argv))
  }
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const m = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]))

console.log(`tk start-up benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}, ${runs} interleaved runs, medians`)
for (const [name, value] of Object.entries(m)) console.log(`  ${name.padEnd(26)} ${value.toFixed(3)} s`)

const checks = [
  ['tk --version - bare oclif --version', m['tk --version'] - m['bare oclif --version'], 0.05],
  ['tk check - tk --version', m['tk check'] - m['tk --version'], 0.08],
]
if (m['check-config.sh']) checks.push(['tk check / check-config.sh', m['tk check'] / m['check-config.sh'], 1 / 3])
if (m['check-config.sh upstream']) checks.push(['tk check / check-config.sh upstream', m['tk check'] / m['check-config.sh upstream'], 1 / 3])
let ok = true
for (const [what, value, limit] of checks) {
  const pass = value <= limit
  ok &&= pass
  console.log(`  ${pass ? 'PASS' : 'FAIL'} ${what} = ${value.toFixed(3)} (limit ${limit.toFixed(3)})`)
}
process.exit(ok ? 0 : 1)
