#!/usr/bin/env node
// tk up benchmark (issue 9), on bookworm sandbox machines converged from one snapshot:
//   re-run of tk up on 10 converged machines, whole process     target: at most 2 s
//   the same on one machine, for comparison
// The fleet's tk.yml has the engine with daemon options and a docker user, and three
// provisioners (shell once, file, shell once as the login user), as a small real fleet would.
// Needs root and the sandbox's packages. Run after `npm run build`: node bench/up.js [--runs N] [--hosts N]
//
// With --drift (issue 33), the fleet also has a file provisioner of a directory and a docker
// provisioner with a container (an image imported on the snapshot's machine), and the re-run is
// compared with its yardstick, pair by pair (bench/lib/paired.js):
//   re-run of tk up on the converged hosts vs the same number of parallel OpenSSH logins
//   running `true`                                                  target: at most 1.5x
// (a re-run is quick on hosts whose fingerprint the last full check recorded: docs/up.md#quick-runs;
// the same with --full is measured too, for what a full check of each host costs)
// --before PATH times another tk's bin/run.js (e.g. a checkout of main) on the same fleet too:
//   node bench/up.js --drift --hosts 10 --before /tmp/tk-main/bin/run.js
// --keep leaves the converged fleet and its directory (tk.yml) in place for profiling, and prints
// where (start the engine first, `tk sandbox engine start`, or it stops with the script).
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {paired, printPaired} from './lib/paired.js'

const dist = fileURLToPath(new URL('../dist/providers/sandbox/index.js', import.meta.url))
if (!existsSync(dist)) {
  console.error('bench/up.js: build first (npm run build)')
  process.exit(1)
}
const {Sandbox} = await import(dist)
const tk = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const argument = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback)
const runs = argument('--runs', 5)
const count = argument('--hosts', 10)
const drift = process.argv.includes('--drift')
const keep = process.argv.includes('--keep')
const before = process.argv.includes('--before') ? process.argv[process.argv.indexOf('--before') + 1] : undefined
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const dir = mkdtempSync(join(tmpdir(), 'tk-bench-up-'))
const sandbox = await Sandbox.open()
const made = []
const snapshot = `bench-up-${process.pid}`
let snapshotMade = false

function timed(argv, options = {}) {
  const start = process.hrtime.bigint()
  const result = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options})
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (result.status !== 0) throw new Error(`${argv.slice(1, 4).join(' ')} exited ${result.status}: ${result.stderr?.slice(-2000)}${result.stdout?.slice(-2000)}`)
  return {seconds, stdout: result.stdout}
}

function writeFleet(file, machines, {docker = true} = {}) {
  const lines = [
    'defaults:',
    '  user: admin',
    `  identityFile: ${sandbox.credentials.users.admin.identityFile}`,
    'ssh:',
    '  hostKeyPolicy: strict',
    'engine:',
    '  users: [op]',
    '  daemon:',
    '    log-opts: {max-size: 10m}',
    'provisioners:',
    '  - name: motd',
    '    type: shell',
    '    inline: echo "managed by tk" > /etc/motd',
    '  - name: app-env',
    '    type: file',
    '    source: app.env',
    '    destination: /etc/app/app.env',
    '    mode: "0600"',
    '  - name: login-marker',
    '    type: shell',
    '    privileged: false',
    '    inline: touch "$HOME/.tk-up-bench"',
    ...(drift
      ? [
          '  - name: site',
          '    type: file',
          '    source: site',
          '    destination: /srv/site',
          ...(docker
            ? [
                '  - name: web',
                '    type: docker',
                '    image: tk-bench/busybox:1',
                '    container:',
                '      name: web',
                '      command: [sh, -c, "trap \'exit 0\' TERM; while :; do sleep 1; done"]',
              ]
            : []),
        ]
      : []),
    'hosts:',
    ...machines.flatMap((machine, index) => [`  - name: h${index}`, '    address: 127.0.0.1', `    port: ${machine.ssh.port}`]),
    '',
  ]
  writeFileSync(file, lines.join('\n'))
}

/** ssh's arguments for a machine: the sandbox's admin key and known_hosts, strict. */
function sshOptions(machine) {
  return ['-i', sandbox.credentials.users.admin.identityFile, '-o', `UserKnownHostsFile=${sandbox.home.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-p', String(machine.ssh.port), 'admin@127.0.0.1']
}

/** The re-run against as many parallel OpenSSH logins running `true`, pair by pair (and the --before tk's too). */
function againstLogins(fleet, env) {
  const quote = (word) => `'${word.replace(/'/g, "'\\''")}'`
  const logins = fleet.map((machine) => `ssh ${sshOptions(machine).map(quote).join(' ')} true &`).join(' ')
  // The re-run as it comes (quick runs, docs/up.md), and the full check every host gets an hour after the last.
  const variants = [['this tk', tk, []], ['this tk, --full', tk, ['--full']], ...(before ? [['--before', before, []]] : [])]
  for (const [label, bin, extra] of variants) {
    const rows = paired({a: [process.execPath, bin, 'up', '--json', ...extra], b: ['sh', '-c', `${logins} wait`], runs, cwd: dir, env, timeoutMs: 600_000})
    printPaired(`tk up re-run (${label}) vs ${fleet.length} parallel ssh logins running true`, rows, {a: `tk up (${label})`, b: `${fleet.length} ssh logins`})
  }
}

try {
  await sandbox.ensureImages(['bookworm'])
  const env = {...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1', TK_KNOWN_HOSTS: sandbox.home.knownHosts}
  writeFileSync(join(dir, 'app.env'), 'LEVEL=info\n')
  for (const where of [dir, join(dir, 'base')]) {
    mkdirSync(join(where, 'site'), {recursive: true})
    for (let page = 0; page < 5; page++) writeFileSync(join(where, 'site', `page-${page}.html`), `<p>page ${page}</p>\n`)
  }

  // One machine converged from bare, then snapshotted: every benchmark machine starts converged.
  const base = await sandbox.machines.create({name: `bench-up-${process.pid}-base`, release: 'bookworm'})
  made.push(base.name)
  mkdirSync(join(dir, 'base'), {recursive: true})
  writeFileSync(join(dir, 'base', 'app.env'), 'LEVEL=info\n')
  writeFleet(join(dir, 'base', 'tk.yml'), [base])
  // The container's image, made on the machines from the workstation's busybox (no registry needed).
  let image
  if (drift) {
    const root = mkdtempSync(join(tmpdir(), 'tk-bench-image-'))
    mkdirSync(join(root, 'bin'))
    spawnSync('cp', ['/bin/busybox', join(root, 'bin', 'busybox')])
    for (const applet of ['sh', 'sleep', 'true']) spawnSync('ln', ['-s', 'busybox', join(root, 'bin', applet)])
    image = spawnSync('tar', ['-C', root, '-c', '.'], {maxBuffer: 64 * 1024 * 1024}).stdout
    rmSync(root, {recursive: true, force: true})
    // The engine first, by a tk up without the docker provisioner (which would try to pull the image), then the image.
    writeFleet(join(dir, 'base', 'tk.yml'), [base], {docker: false})
    timed([process.execPath, tk, 'up', '--json'], {env, cwd: join(dir, 'base')})
    writeFleet(join(dir, 'base', 'tk.yml'), [base])
    timed(['ssh', ...sshOptions(base), 'sudo docker import - tk-bench/busybox:1'], {input: image})
  }
  const fresh = timed([process.execPath, tk, 'up', '--json'], {env, cwd: join(dir, 'base')})
  await sandbox.machines.snapshot(base.name, snapshot)
  snapshotMade = true

  const fleet = await Promise.all(Array.from({length: count}, (_, index) => sandbox.machines.create({name: `bench-up-${process.pid}-${index}`, snapshot})))
  made.push(...fleet.map((machine) => machine.name))
  writeFleet(join(dir, 'tk.yml'), fleet)
  // A snapshot holds no engine data: each copy gets the image again (its engine must answer first).
  if (drift) {
    for (const machine of fleet) {
      timed(['ssh', ...sshOptions(machine), "sudo timeout 120 sh -c 'until docker info >/dev/null 2>&1; do sleep 1; done'"])
      timed(['ssh', ...sshOptions(machine), 'sudo docker import - tk-bench/busybox:1'], {input: image})
    }
  }
  // The first run on the copies starts their engines' data afresh (a snapshot holds no volume) and records their state.
  timed([process.execPath, tk, 'up', '--json'], {env, cwd: dir})
  // Freshly booted machines keep the 2 cores busy for a while (systemd, timers, dockerd): let them settle.
  await new Promise((resolve) => setTimeout(resolve, 20_000))

  console.log(`tk up benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0].model.trim()}), node ${process.version}, bookworm sandboxes, ${runs} runs, medians, load average ${loadavg()[0].toFixed(2)}`)
  const all = []
  const one = []
  for (let run = 0; run < runs; run++) {
    const result = timed([process.execPath, tk, 'up', '--json'], {env, cwd: dir})
    const changed = JSON.parse(result.stdout).summary.changed
    if (changed !== 0) throw new Error(`a re-run changed ${changed} steps: the fleet was not converged`)
    all.push(result.seconds)
    one.push(timed([process.execPath, tk, 'up', 'h0', '--json'], {env, cwd: dir}).seconds)
  }
  const last = JSON.parse(timed([process.execPath, tk, 'up', '--json'], {env, cwd: dir}).stdout)
  const quick = last.hosts.filter((host) => host.result?.quick).length
  if (drift) againstLogins(fleet, env)
  const verdict = (seconds, limit) => `${seconds.toFixed(3)} s  (limit ${limit} s)  ${seconds <= limit ? 'PASS' : 'FAIL'}`
  console.log(`  tk up from bare, one host (apt included)       ${fresh.seconds.toFixed(2)} s`)
  console.log(`  tk up re-run, one converged host               ${median(one).toFixed(3)} s`)
  console.log(`  tk up re-run, ${String(count).padEnd(2)} converged hosts             ${verdict(median(all), 2)}`)
  console.log(`  (all ${count}-host runs: ${all.map((seconds) => seconds.toFixed(2)).join(' ')} s; load average after: ${loadavg()[0].toFixed(2)})`)
  console.log(`  quick runs (docs/up.md#quick-runs) in a re-run after these: ${quick} of ${count} hosts`)
} finally {
  if (keep) {
    console.log(`  kept: ${made.length} machines and ${dir} (tk.yml; env TK_KNOWN_HOSTS=${sandbox.home.knownHosts})`)
    made.length = 0
    snapshotMade = false
  }
  await Promise.all(made.map((name) => sandbox.machines.remove(name).catch(() => {})))
  if (snapshotMade) await sandbox.machines.removeSnapshot(snapshot).catch(() => {})
  if (!keep) rmSync(dir, {recursive: true, force: true})
  await sandbox.close()
}
