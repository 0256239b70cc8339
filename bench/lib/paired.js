// Times whole commands from outside, side by side: A and B run in turn (A B A B ...), each
// run's wall time read around the child, its peak memory and CPU time (user + system, the
// command and its children) from GNU time (/usr/bin/time, the Debian package `time`) when it is
// installed. The ratio A/B is taken pair by pair, so that a
// machine whose speed drifts during the call (other work, thermal) moves both sides of a pair
// alike; quote the MEDIAN of each figure, min and max show the spread.
//
//   import {paired, printPaired} from './lib/paired.js'
//   printPaired('tk exec vs ssh', paired({a: ['node', 'bin/run.js', ...], b: ['sh', '-c', '...'], runs: 5}))
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'

const GNU_TIME = '/usr/bin/time'
const hasGnuTime = existsSync(GNU_TIME)

export const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]

/** One run of argv: wall seconds, peak RSS in MiB and CPU seconds (undefined without GNU time), exit status, output. */
export function timeOnce(argv, options = {}) {
  const wrapped = hasGnuTime ? [GNU_TIME, '-f', 'tk-bench-peak-kib %M cpu %U %S', '--', ...argv] : argv
  const start = process.hrtime.bigint()
  const result = spawnSync(wrapped[0], wrapped.slice(1), {encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs, cwd: options.cwd, env: options.env, input: ''})
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  let stderr = result.stderr ?? ''
  let peakMiB
  let cpuSeconds
  const peak = /tk-bench-peak-kib (\d+) cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr)
  if (peak) {
    peakMiB = Number(peak[1]) / 1024
    cpuSeconds = Number(peak[2]) + Number(peak[3])
    stderr = stderr.slice(0, peak.index)
  }
  return {seconds, peakMiB, cpuSeconds, status: result.status, stdout: result.stdout ?? '', stderr}
}

/**
 * Runs A (and B, when given) `runs` times each in turn after `warmup` uncounted rounds (in cwdA and cwdB
 * when they differ).
 * A run that exits non-zero is kept and counted in `failures` (a benchmark must not hide one).
 */
export function paired({a, b, runs = 5, warmup = 1, cwdA, cwdB, ...options}) {
  const rows = {a: [], b: [], ratios: []}
  for (let round = 0; round < warmup + runs; round++) {
    const first = timeOnce(a, {...options, cwd: cwdA ?? options.cwd})
    const second = b ? timeOnce(b, {...options, cwd: cwdB ?? options.cwd}) : undefined
    if (round < warmup) continue
    rows.a.push(first)
    if (second) {
      rows.b.push(second)
      rows.ratios.push(first.seconds / second.seconds)
    }
  }
  return rows
}

const figure = (values, digits = 3) => (values.length === 0 || values.some((value) => value === undefined) ? 'n/a' : `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`)

/** Prints median (min–max) of wall seconds, peak MiB and CPU seconds for A and B, and of the pairs' ratio. */
export function printPaired(title, rows, labels = {a: 'A', b: 'B'}) {
  console.log(`\n## ${title}`)
  for (const side of ['a', 'b']) {
    if (rows[side].length === 0) continue
    const failures = rows[side].filter((run) => run.status !== 0).length
    console.log(`  ${labels[side].padEnd(44)} wall ${figure(rows[side].map((run) => run.seconds))} s   peak ${figure(rows[side].map((run) => run.peakMiB), 1)} MiB   cpu ${figure(rows[side].map((run) => run.cpuSeconds), 2)} s${failures ? `   ${failures} run(s) exited non-zero` : ''}`)
  }
  if (rows.ratios.length > 0) console.log(`  ${`${labels.a} / ${labels.b}`.padEnd(44)} ${figure(rows.ratios)} (median of the pairs' ratios)`)
}
