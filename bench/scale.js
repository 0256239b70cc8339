#!/usr/bin/env node
// Fleet scale (issue 30), on light hosts: sshd alone in a container of the sandbox's Debian image,
// on this machine's loopback, each with its own ed25519 host key (src/providers/sandbox/light-hosts.ts).
// Everything below runs on the same cores as the hosts, so each figure is a ratio to a floor measured
// in the same run, pair by pair (bench/lib/paired.js):
//   tk status, tk check and tk exec @all -- true on N hosts (default 200)
//     vs N OpenSSH logins running `true` through xargs -P C (C = tk's concurrency)   target: ratio <= 1
//   tk's peak memory on N hosts (GNU time's maximum resident set)                      target: < 300 MiB
//   tk exec on J hosts (default 60) through one jump host whose sshd keeps Debian's default MaxStartups:
//     failed hosts, and how many logins the jump host saw                             target: 0 and 1
// Needs root and the sandbox's packages. Run after `npm run build`:
//   node bench/scale.js [--hosts N] [--jump-hosts J] [--runs R] [--concurrency C]
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {paired, printPaired, timeOnce} from './lib/paired.js'

const dist = fileURLToPath(new URL('../dist/providers/sandbox/index.js', import.meta.url))
if (!existsSync(dist)) {
  console.error('bench/scale.js: build first (npm run build)')
  process.exit(1)
}
const {Sandbox, LightHosts} = await import(dist)
const tk = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const argument = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback)
const count = argument('--hosts', 200)
const jumpCount = argument('--jump-hosts', 60)
const runs = argument('--runs', 3)
const concurrency = argument('--concurrency', undefined)
const dir = mkdtempSync(join(tmpdir(), 'tk-bench-scale-'))
const sandbox = await Sandbox.open()
const key = sandbox.credentials.users.admin.identityFile
const sets = []

const quote = (word) => `'${word.replace(/'/g, "'\\''")}'`

function writeFleet(file, hosts) {
  const lines = ['defaults:', '  user: admin', `  identityFile: ${key}`, 'ssh:', '  hostKeyPolicy: strict', ...(concurrency ? [`  concurrency: ${concurrency}`] : []), 'hosts:']
  for (const host of hosts) lines.push(`  - name: ${host.name}`, '    address: 127.0.0.1', `    port: ${host.port}`)
  writeFileSync(file, `${lines.join('\n')}\n`)
}

try {
  console.log(`# bench/scale.js — ${new Date().toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? ''}), load ${loadavg().map((value) => value.toFixed(1)).join(' ')}`)
  const started = process.hrtime.bigint()
  const fleet = await LightHosts.start(sandbox, {count: count + jumpCount + 1, prefix: 'scale'})
  sets.push(fleet)
  console.log(`started ${fleet.hosts.length} light hosts in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`)
  const hosts = fleet.hosts.slice(0, count)
  const env = {...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1', TK_KNOWN_HOSTS: fleet.knownHostsFile, TK_CONFIG: join(dir, 'tk.yml')}
  writeFleet(join(dir, 'tk.yml'), hosts)

  // What tk's --concurrency is when none is given: the runner's default, as tk's help prints it.
  const help = timeOnce([process.execPath, tk, 'exec', '--help'], {env})
  const parallel = concurrency ?? Number(/How many hosts to run on at once\.[^\n]*\n?.*?default: (\d+)/s.exec(help.stdout)?.[1] ?? 16)
  const sshArgs = ['-F', '/dev/null', '-i', key, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${fleet.knownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR']
  writeFileSync(join(dir, 'ports'), hosts.map((host) => `${host.port}\n`).join(''))
  const floor = ['sh', '-c', `xargs -P ${parallel} -I PORT ssh ${sshArgs.map(quote).join(' ')} -p PORT admin@127.0.0.1 true < ${quote(join(dir, 'ports'))}`]
  console.log(`floor: ${count} OpenSSH logins running true through xargs -P ${parallel}`)

  for (const [title, argv] of [
    ['tk exec @all -- true', ['exec', '@all', '--', 'true']],
    ['tk status', ['status']],
    ['tk check', ['check', '@all']],
  ]) {
    const rows = paired({a: [process.execPath, tk, ...argv], b: floor, runs, env, cwd: dir, timeoutMs: 900_000})
    printPaired(`${title} on ${count} light hosts vs the floor`, rows, {a: title, b: `xargs -P ${parallel} ssh true`})
    const failed = rows.a.filter((run) => run.status !== 0)
    if (failed.length > 0) console.log(`  tk exited non-zero in ${failed.length} run(s); last stderr: ${failed.at(-1).stderr.trim().split('\n').slice(-3).join(' | ')}`)
  }

  // Through one jump host: the jump host is the set's last host, the targets the J before it.
  if (jumpCount > 0) {
    const jump = fleet.hosts.at(-1)
    const behind = fleet.hosts.slice(count, count + jumpCount)
    const config = [
      `Host ${behind.map((host) => host.name).join(' ')}`,
      '  HostName 127.0.0.1',
      '  User admin',
      `  IdentityFile ${key}`,
      '  IdentitiesOnly yes',
      `  ProxyJump admin@127.0.0.1:${jump.port}`,
      // The jump host's own login takes the key from here (-i is the target's, as with OpenSSH's -J).
      'Host 127.0.0.1',
      `  IdentityFile ${key}`,
      ...behind.flatMap((host) => [`Host ${host.name}`, `  Port ${host.port}`]),
    ]
    writeFileSync(join(dir, 'ssh_config'), `${config.join('\n')}\n`)
    const before = (await fleet.logs(jump, 100_000)).split('\n').filter((line) => line.includes('Accepted publickey')).length
    const run = timeOnce([process.execPath, tk, 'exec', '--ssh-config', join(dir, 'ssh_config'), `--identity=${key}`, ...behind.map((host) => host.name), '--', 'echo', 'tk-bench-ok'], {env: {...env, TK_CONFIG: ''}, cwd: tmpdir(), timeoutMs: 600_000})
    const after = (await fleet.logs(jump, 100_000)).split('\n').filter((line) => line.includes('Accepted publickey')).length
    const answered = new Set(run.stdout.split('\n').filter((line) => line.endsWith('| tk-bench-ok')).map((line) => line.split(' ')[0]))
    const failed = jumpCount - answered.size
    if (failed > 0) console.log(`  stderr: ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`)
    console.log(`\n## tk exec on ${jumpCount} hosts through one jump host (MaxStartups: Debian's default)`)
    console.log(`  wall ${run.seconds.toFixed(3)} s   peak ${run.peakMiB?.toFixed(1) ?? 'n/a'} MiB   exit ${run.status}   failed hosts ${failed}   logins on the jump host ${after - before}`)
  }
} finally {
  await Promise.all(sets.map((set) => set.stop()))
  rmSync(dir, {recursive: true, force: true})
}
