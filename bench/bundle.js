#!/usr/bin/env node
// Offline bundles (issue 25), on this machine, each whole command timed from outside (bench/lib/paired.js):
//   tk bundle with its apt root cached (indexes refreshed, no .deb downloaded): bookworm amd64
//   tk bundle inspect (read, hash and verify a ~64 MiB bundle)
// The first bundle of a release/arch also downloads its .debs (about 64 MiB for bookworm amd64):
// that is the network's time, not tk's, and is left out. Uses a cache and a key of its own
// under $TMPDIR, warmed by the uncounted warm-up run. Run after `npm run build`: node bench/bundle.js [--runs N]
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {paired, printPaired} from './lib/paired.js'

const tk = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const runsArg = process.argv.indexOf('--runs')
const runs = runsArg > 0 ? process.argv[runsArg + 1] : '3'
const dir = mkdtempSync(join(tmpdir(), 'tk-bench-bundle-'))
const env = {...process.env, XDG_CACHE_HOME: process.env.TK_BENCH_CACHE ?? join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config')}
const bundle = join(dir, 'bookworm-amd64.tkb')

function bench(title, argv) {
  const rows = paired({a: argv, runs: Number(runs), env, timeoutMs: 900_000})
  printPaired(title, rows, {a: 'tk'})
  if (rows.a.some((run) => run.status !== 0)) throw new Error(`${title}: a run exited non-zero: ${rows.a.find((run) => run.status !== 0).stderr.slice(-500)}`)
}

try {
  bench('tk bundle --release bookworm --arch amd64 (apt root cached)', [process.execPath, tk, 'bundle', '--release', 'bookworm', '--arch', 'amd64', '-o', bundle])
  bench('tk bundle inspect (64 MiB bundle)', [process.execPath, tk, 'bundle', 'inspect', bundle, '--json'])
} finally {
  rmSync(dir, {recursive: true, force: true})
}
