#!/usr/bin/env node
// Offline bundles (issue 25), on this machine, through farm-bench:
//   tk bundle with its apt root cached (indexes refreshed, no .deb downloaded): bookworm amd64
//   tk bundle inspect (read, hash and verify a ~64 MiB bundle)
// The first bundle of a release/arch also downloads its .debs (about 64 MiB for bookworm amd64):
// that is the network's time, not tk's, and is left out. Uses a cache and a key of its own
// under $TMPDIR, warmed by farm-bench's warm-up run. Run after `npm run build`: node bench/bundle.js [--runs N]
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const tk = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const runsArg = process.argv.indexOf('--runs')
const runs = runsArg > 0 ? process.argv[runsArg + 1] : '3'
const dir = mkdtempSync(join(tmpdir(), 'tk-bench-bundle-'))
const env = {...process.env, XDG_CACHE_HOME: process.env.TK_BENCH_CACHE ?? join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config')}
const bundle = join(dir, 'bookworm-amd64.tkb')

function bench(title, argv) {
  console.log(`\n## ${title}`)
  const result = spawnSync('farm-bench', ['-n', runs, '--timeout', '900', '--', ...argv], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']})
  process.stdout.write(result.stdout)
  if (result.status !== 0) throw new Error(`farm-bench exited ${result.status}`)
}

try {
  bench('tk bundle --release bookworm --arch amd64 (apt root cached)', [process.execPath, tk, 'bundle', '--release', 'bookworm', '--arch', 'amd64', '-o', bundle])
  bench('tk bundle inspect (64 MiB bundle)', [process.execPath, tk, 'bundle', 'inspect', bundle, '--json'])
} finally {
  rmSync(dir, {recursive: true, force: true})
}
