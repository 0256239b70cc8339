#!/usr/bin/env node
// tk bootstrap benchmark (issue 28), on a bookworm sandbox machine made to
// look like a provider's new server (root's password only, 00-provider.conf):
//   the first tk bootstrap --harden (user, key, sudo, proof, harden, proof)   reported, one run
//   a re-run with nothing to change (as the admin, with the key)              target: at most 3x the yardstick
//   yardstick: tk exec ADMIN@HOST -- sudo -n true (one key login, one command)
// The re-run and the yardstick are timed side by side (A B A B ...), bench/lib/paired.js.
// Needs root and the sandbox's packages (docs/sandbox.md).
// Run after building (npm run build): node bench/bootstrap.js [--runs N]
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {paired, printPaired} from './lib/paired.js'

const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url))
if (!existsSync(dist('bootstrap/index.js'))) {
  console.error('bench/bootstrap.js: build first (npm run build)')
  process.exit(1)
}
const {Sandbox} = await import(dist('providers/sandbox/index.js'))
const {makeRootPasswordOnly} = await import(dist('providers/sandbox/engine-exec.js'))
const tk = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const runsArg = process.argv.indexOf('--runs')
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5

const sandbox = await Sandbox.open()
const name = `bench-bootstrap-${process.pid}`
const dir = mkdtempSync(join(tmpdir(), 'tk-bench-bootstrap-'))
const home = join(dir, 'home')
try {
  const machine = await sandbox.machines.create({name, release: 'bookworm'})
  const password = randomBytes(12).toString('base64url')
  await makeRootPasswordOnly(sandbox.engine.docker, machine.id, password)
  mkdirSync(join(home, '.ssh'), {recursive: true, mode: 0o700})
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(home, '.ssh', 'id_ed25519')])
  // Only what tk needs: HOME (its ~/.ssh), no agent, no password for the re-runs.
  const env = {PATH: process.env.PATH, HOME: home, NO_COLOR: '1', SSH_AUTH_SOCK: ''}
  const target = `root@127.0.0.1:${machine.ssh.port}`

  const started = process.hrtime.bigint()
  const first = spawnSync(process.execPath, [tk, 'bootstrap', target, '--user', 'fleet', '--harden'], {env: {...env, TK_SSH_PASSWORD: password}, encoding: 'utf8'})
  const firstSeconds = Number(process.hrtime.bigint() - started) / 1e9
  if (first.status !== 0) throw new Error(`the first tk bootstrap failed (exit ${first.status}): ${first.stderr}`)
  console.log(`first tk bootstrap --harden (made the admin, key, sudo, proved, hardened, proved): ${firstSeconds.toFixed(1)} s wall`)

  const rerun = `${process.execPath} ${tk} bootstrap ${target} --user fleet --harden`
  const yardstick = `${process.execPath} ${tk} exec fleet@127.0.0.1:${machine.ssh.port} -- sudo -n true`
  const rows = paired({a: rerun.split(' '), b: yardstick.split(' '), runs, env, timeoutMs: 900_000})
  printPaired('tk bootstrap re-run (A, nothing to change) vs one key login and sudo -n true (B)', rows, {a: 'tk bootstrap re-run', b: 'tk exec sudo -n true'})
} finally {
  await sandbox.machines.remove(name).catch(() => {})
  rmSync(dir, {recursive: true, force: true})
  await sandbox.close()
}
