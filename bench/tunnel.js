#!/usr/bin/env node
// tk tunnel benchmark (issue 11), in one run against one sandbox machine
// provisioned with tk (dist/):
//   latency      `docker ps` through a running `tk tunnel` socket, versus
//                `docker -H ssh://admin@127.0.0.1:PORT ps` (a new SSH connection and
//                `docker system dial-stdio` per command), versus the same with
//                OpenSSH ControlPersist, and an OpenSSH `-L` socket forward for reference.
//                Target: tunnel <= 1/5 of docker -H ssh://.
//   throughput   `docker save` of a ~100 MB image through the tunnel, versus
//                `ssh HOST docker save > file`. Target: >= 80 %.
// docker's ssh:// helper runs the system `ssh`, which reads the passwd user's
// ~/.ssh/config, not $HOME's: a wrapper named `ssh` first on PATH adds
// `-F` with a config holding the sandbox's key and known_hosts.
// Needs root (the sandbox), a local docker CLI, tmux not needed.
// Run after `npm run build`: node bench/tunnel.js [--runs N] [--size-mb N]
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const dist = fileURLToPath(new URL('../dist/providers/sandbox/index.js', import.meta.url))
const tkBin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
if (!existsSync(dist)) {
  console.error('bench/tunnel.js: build first (npm run build): dist/providers/sandbox is missing')
  process.exit(1)
}
const {Sandbox} = await import(dist)

const arg = (name, fallback) => {
  const index = process.argv.indexOf(name)
  return index > 0 ? Number(process.argv[index + 1]) : fallback
}
const runs = Math.min(arg('--runs', 10), 50)
const sizeMb = Math.min(arg('--size-mb', 100), 1000)
const saveRuns = Math.min(3, runs)
const TARGET_LATENCY_RATIO = 1 / 5
const TARGET_THROUGHPUT = 0.8
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker'

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const fmt = (value) => `${value.toFixed(3)} s`

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {env: options.env ?? process.env, stdio: ['ignore', options.stdout ?? 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.join(' ')}: exit ${code}: ${stderr.trim()}`))))
  })
}

/** Median wall time of `runs` runs of a command (after one warm-up run). */
async function timed(label, count, fn) {
  await fn()
  const times = []
  for (let index = 0; index < count; index++) {
    const start = process.hrtime.bigint()
    await fn()
    times.push(seconds(start))
  }
  return {label, median: median(times), min: Math.min(...times), max: Math.max(...times)}
}

const dir = mkdtempSync(join(tmpdir(), 'tk-bench-tunnel-'))
const sandbox = await Sandbox.open()
const machineName = `bench-tunnel-${process.pid}`
const children = []
const lines = []
const say = (line) => {
  lines.push(line)
  console.log(line)
}

try {
  await sandbox.ensureImages(['bookworm'])
  const machine = await sandbox.machines.create({name: machineName, release: 'bookworm'})
  const endpoint = machine.ssh
  const sshArgs = sandbox.sshArguments(machine, 'admin')
  const key = sandbox.credentials.users.admin.identityFile
  const knownHosts = sandbox.home.knownHosts
  const target = `admin@127.0.0.1:${endpoint.port}`
  const tkFlags = ['-i', key, '--known-hosts', knownHosts, '--host-key-policy', 'strict']
  const cleanEnv = {...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1', XDG_STATE_HOME: join(dir, 'state'), DOCKER_HOST: '', DOCKER_CONTEXT: ''}

  // The host: an engine installed by tk, and a ~100 MB image of random data built there.
  await run(process.execPath, [tkBin, 'provision', target, ...tkFlags], {env: cleanEnv})
  await run('ssh', [
    ...sshArgs,
    `set -e; d=$(mktemp -d); head -c ${sizeMb}M /dev/urandom > $d/blob; tar -C $d -c blob | docker import - tk-bench-${sizeMb}m >/dev/null; rm -rf $d`,
  ])

  // The tunnel, in the foreground as a user runs it.
  const socket = join(dir, 'tunnel.sock')
  const tunnel = spawn(process.execPath, [tkBin, 'tunnel', target, '--socket', socket, ...tkFlags], {env: cleanEnv, stdio: ['ignore', 'pipe', 'pipe']})
  children.push(tunnel)
  let tunnelOut = ''
  tunnel.stdout.on('data', (chunk) => (tunnelOut += chunk))
  tunnel.stderr.on('data', (chunk) => (tunnelOut += chunk))
  for (let attempt = 0; attempt < 300 && !tunnelOut.includes('DOCKER_HOST='); attempt++) await new Promise((resolve) => setTimeout(resolve, 100))
  if (!tunnelOut.includes('DOCKER_HOST=')) throw new Error(`tk tunnel did not start: ${tunnelOut}`)

  // OpenSSH for docker's ssh:// helper: a config with the sandbox's key, and a wrapper that passes it.
  const config = join(dir, 'ssh_config')
  const control = `ControlMaster auto\n  ControlPath ${dir}/cm-%C\n  ControlPersist 120\n`
  const base = `  IdentityFile ${key}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${knownHosts}\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n`
  writeFileSync(config, `Host persist\n  HostName 127.0.0.1\n  Port ${endpoint.port}\n  User admin\n  ${control}${base}\nHost *\n${base}`)
  const bin = join(dir, 'bin')
  spawnSync('mkdir', ['-p', bin])
  writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${config} "$@"\n`)
  chmodSync(join(bin, 'ssh'), 0o755)
  const sshEnv = {...cleanEnv, PATH: `${bin}:${process.env.PATH}`}

  // An OpenSSH -L socket forward, the floor for "one connection, forwarded".
  const forwarded = join(dir, 'openssh.sock')
  const forward = spawn('ssh', [...sshArgs.slice(0, -1), '-N', '-o', 'ExitOnForwardFailure=yes', '-L', `${forwarded}:/var/run/docker.sock`, sshArgs.at(-1)], {stdio: 'ignore'})
  children.push(forward)
  for (let attempt = 0; attempt < 100 && !existsSync(forwarded); attempt++) await new Promise((resolve) => setTimeout(resolve, 100))

  const ps = (host, env = cleanEnv) => () => run(DOCKER, ['-H', host, 'ps'], {env})
  const latency = [
    await timed('tk tunnel (unix socket)', runs, ps(`unix://${socket}`)),
    await timed('docker -H ssh://', runs, ps(`ssh://admin@127.0.0.1:${endpoint.port}`, sshEnv)),
    await timed('docker -H ssh:// + ControlPersist', runs, ps('ssh://persist', sshEnv)),
    await timed('OpenSSH -L socket forward', runs, ps(`unix://${forwarded}`)),
  ]

  const image = `tk-bench-${sizeMb}m`
  const tunnelFile = join(dir, 'tunnel.tar')
  const sshFile = join(dir, 'ssh.tar')
  const saveTunnel = await timed('docker save through tk tunnel', saveRuns, () => run(DOCKER, ['-H', `unix://${socket}`, 'save', '-o', tunnelFile, image], {env: cleanEnv}))
  const saveSsh = await timed('ssh HOST docker save > file', saveRuns, async () => {
    const {openSync, closeSync} = await import('node:fs')
    const fd = openSync(sshFile, 'w')
    try {
      await run('ssh', [...sshArgs, `docker save ${image}`], {stdout: fd})
    } finally {
      closeSync(fd)
    }
  })
  const bytes = statSync(tunnelFile).size
  if (bytes !== statSync(sshFile).size) throw new Error(`the two saves differ in size: ${bytes} vs ${statSync(sshFile).size}`)

  say(`tk tunnel benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0].model.trim()}), node ${process.version}, sandbox bookworm machine on loopback`)
  say(`  docker ps, median of ${runs} runs after a warm-up (min–max):`)
  for (const entry of latency) say(`    ${entry.label.padEnd(36)} ${fmt(entry.median)}  (${fmt(entry.min)}–${fmt(entry.max)})`)
  say(`  docker save of a ${(bytes / 1e6).toFixed(0)} MB image, median of ${saveRuns} runs:`)
  for (const entry of [saveTunnel, saveSsh]) say(`    ${entry.label.padEnd(36)} ${fmt(entry.median)}  ${(bytes / 1e6 / entry.median).toFixed(0)} MB/s`)
  const latencyRatio = latency[0].median / latency[1].median
  const throughput = saveSsh.median / saveTunnel.median
  const latencyOk = latencyRatio <= TARGET_LATENCY_RATIO
  const throughputOk = throughput >= TARGET_THROUGHPUT
  say(`  ${latencyOk ? 'PASS' : 'FAIL'} tunnel / docker -H ssh:// = ${latencyRatio.toFixed(3)} (1/${(1 / latencyRatio).toFixed(1)}; limit 1/5)`)
  say(`  ${throughputOk ? 'PASS' : 'FAIL'} tunnel throughput = ${(throughput * 100).toFixed(0)} % of ssh docker save (limit ${TARGET_THROUGHPUT * 100} %)`)
  process.exitCode = latencyOk && throughputOk ? 0 : 1
  spawnSync('ssh', ['-F', config, '-O', 'exit', 'persist'], {stdio: 'ignore'})
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  await sandbox.machines.remove(machineName).catch(() => {})
  await sandbox.close()
  rmSync(dir, {recursive: true, force: true})
}
