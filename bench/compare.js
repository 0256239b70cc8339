#!/usr/bin/env node
// Times a command, or two side by side, from the shell (bench/lib/paired.js):
//   node bench/compare.js [-n RUNS] [--warmup N] [--vs 'COMMAND B'] -- COMMAND A ...
// B is one string split on spaces (write sh -c '...' inside a script for pipes).
import {paired, printPaired} from './lib/paired.js'

const argv = process.argv.slice(2)
const split = argv.indexOf('--')
if (split < 0 || split === argv.length - 1) {
  console.error("usage: node bench/compare.js [-n RUNS] [--warmup N] [--vs 'COMMAND B'] -- COMMAND A ...")
  process.exit(2)
}
const options = argv.slice(0, split)
const option = (name) => (options.includes(name) ? options[options.indexOf(name) + 1] : undefined)
const a = argv.slice(split + 1)
const b = option('--vs')?.split(' ').filter(Boolean)
const rows = paired({a, b, runs: Number(option('-n') ?? 5), warmup: Number(option('--warmup') ?? 1)})
printPaired(b ? `${a.join(' ')} (A) vs ${b.join(' ')} (B)` : a.join(' '), rows, {a: 'A', b: 'B'})
