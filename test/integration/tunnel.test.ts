/**
 * tk tunnel on sandbox machines with a real engine: the local docker CLI
 * talks to the remote engine through one SSH connection, streams and
 * interactive sessions included, and the tunnel survives losing it.
 */
import {expect} from 'chai'
import {type ChildProcessWithoutNullStreams, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Docker from 'dockerode'
import {Agent} from 'node:http'

import {runTk, TK_BIN} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, engineMachine, provisionedSnapshot, sandboxFlags, type SandboxUser, target} from '../support/tk-hosts.js'
import {tmuxTerminal} from '../support/terminal.js'

/** A process that exists and is not a zombie (a detached tunnel's parent is gone; whoever adopts it may not reap it at once). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker'
/** A newer docker CLI, where this machine has one besides Debian's (its own Host habits are checked too). */
const NEWER_DOCKER = ['/usr/local/bin/docker'].find((path) => existsSync(path))

interface RunningTunnel {
  child: ChildProcessWithoutNullStreams
  socket: string
  /** Everything the tunnel wrote to stderr so far (its log). */
  log(): string
  stop(): Promise<void>
}

describe('tk tunnel on sandbox machines', function () {
  this.timeout(10 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let snapshot: string
  let image: Buffer
  let counter = 0
  // Tunnel state (tk tunnel ls) of this run only.
  const env = () => ({...cleanEnv, XDG_STATE_HOME: join(dir, 'state'), XDG_RUNTIME_DIR: join(dir, 'run')})
  const running = new Set<RunningTunnel>()

  const root = async (machine: TestMachine, command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${JSON.stringify(command)}`)
    if (result.code !== 0) throw new Error(`${command} failed on ${machine.name}: ${result.stderr}`)
    return result.stdout
  }

  /** A machine with a running engine and the tk-busybox image, from the snapshot taken once. */
  const machine = () => engineMachine(fixture, snapshot, image)

  /** Runs a command; output and exit code. */
  const execute = (command: string, args: string[], input?: string) =>
    new Promise<{code: number; stdout: string; stderr: string}>((resolve, reject) => {
      const child = spawn(command, args, {env: {...process.env, DOCKER_HOST: '', DOCKER_CONTEXT: ''}})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk) => (stdout += chunk))
      child.stderr.on('data', (chunk) => (stderr += chunk))
      child.on('error', reject)
      child.on('close', (code) => resolve({code: code ?? 1, stdout, stderr}))
      child.stdin.end(input ?? '')
    })
  const docker = (socket: string, args: string[], input?: string) => execute(DOCKER, ['-H', `unix://${socket}`, ...args], input)

  /** tk tunnel in the foreground, as a user starts it; resolves once it listens. */
  const startTunnel = async (m: TestMachine, user: SandboxUser = 'admin', extra: string[] = []): Promise<RunningTunnel> => {
    const socket = join(dir, `t${++counter}.sock`)
    const child = spawn(process.execPath, [TK_BIN, 'tunnel', target(m, user), '--socket', socket, ...sandboxFlags(fixture, user), ...extra], {
      env: {...process.env, NO_COLOR: '1', ...env()},
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
    const tunnel: RunningTunnel = {
      child,
      socket,
      log: () => stderr,
      async stop() {
        running.delete(tunnel)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
        await closed
      },
    }
    running.add(tunnel)
    for (let attempt = 0; attempt < 300 && !stdout.includes('DOCKER_HOST='); attempt++) {
      if (child.exitCode !== null) throw new Error(`tk tunnel exited with ${child.exitCode}: ${stderr}`)
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(stdout, stderr).to.contain(`DOCKER_HOST=unix://${socket}`)
    return tunnel
  }

  /** One HTTP request on its own connection to the engine through the socket. */
  const api = (socket: string, path: string) =>
    new Promise<{status: number; body: string}>((resolve, reject) => {
      const req = request({socketPath: socket, path, agent: false, headers: {Host: 'docker'}}, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
      })
      req.on('error', reject)
      req.end()
    })

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm']})
    dir = mkdtempSync(join(tmpdir(), 'tk-tunnel-'))
    image = busyboxImageTar()
    snapshot = await provisionedSnapshot(fixture)
  })

  afterEach(async () => {
    for (const tunnel of [...running]) await tunnel.stop()
  })

  after(() => rmSync(dir, {recursive: true, force: true}))

  it('serves the engine: docker ps and info through the socket match the host\'s own; the socket is private', async () => {
    const m = await machine()
    const container = await m.ssh('admin', 'docker run -d --name tunnel-ps tk-busybox sleep 300')
    expect(container.code, container.stderr).to.equal(0)
    const tunnel = await startTunnel(m)
    expect(statSync(tunnel.socket).mode & 0o777).to.equal(0o600)

    const format = ['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.Image}} {{.Command}}']
    const local = await docker(tunnel.socket, format)
    expect(local.code, local.stderr).to.equal(0)
    expect(local.stdout).to.contain('tunnel-ps')
    expect(local.stdout).to.equal((await m.ssh('admin', `docker ${format.slice(0, -1).join(' ')} '${format.at(-1)}'`)).stdout)

    const infoFormat = '{{.ID}} {{.Name}} {{.ServerVersion}} {{.Containers}} {{.Images}} {{.Driver}} {{.DockerRootDir}}'
    const info = await docker(tunnel.socket, ['info', '--format', infoFormat])
    expect(info.code, info.stderr).to.equal(0)
    expect(info.stdout).to.equal((await m.ssh('admin', `docker info --format '${infoFormat}'`)).stdout)
    expect(tunnel.log()).to.match(/connected to .* \(connection 1, forwarding to \/var\/run\/docker\.sock\)/)
  })

  it('answers 20 concurrent API requests, each on its own connection, correctly', async () => {
    const m = await machine()
    const tunnel = await startTunnel(m)
    const paths = ['/_ping', '/version', '/info', '/containers/json?all=1', '/images/json']
    const expected = new Map<string, string>()
    for (const path of paths) expected.set(path, (await api(tunnel.socket, path)).body)
    const requests = Array.from({length: 20}, (_, index) => paths[index % paths.length])
    const answers = await Promise.all(requests.map((path) => api(tunnel.socket, path)))
    for (const [index, answer] of answers.entries()) {
      expect(answer.status, requests[index]).to.equal(200)
      const path = requests[index]
      if (path === '/info') expect(JSON.parse(answer.body).ID).to.equal(JSON.parse(expected.get(path)!).ID)
      else if (path === '/version') expect(JSON.parse(answer.body).Version).to.equal(JSON.parse(expected.get(path)!).Version)
      else expect(answer.body).to.equal(expected.get(path))
    }
    expect(JSON.parse(answers.find((_, i) => requests[i] === '/images/json')!.body).some((image: {RepoTags: string[]}) => image.RepoTags?.includes('tk-busybox:latest'))).to.equal(true)
  })

  it('carries docker run -it (under tmux) and docker logs -f while they stream', async () => {
    const m = await machine()
    const tunnel = await startTunnel(m)

    // logs -f: lines arrive as the container prints them, not when it ends.
    const started = await docker(tunnel.socket, ['run', '-d', 'tk-busybox', 'sh', '-c', 'i=0; while [ $i -lt 60 ]; do echo line-$i; i=$((i+1)); sleep 1; done'])
    expect(started.code, started.stderr).to.equal(0)
    const id = started.stdout.trim()
    const follow = spawn(DOCKER, ['-H', `unix://${tunnel.socket}`, 'logs', '-f', id])
    let followed = ''
    follow.stdout.on('data', (chunk) => (followed += chunk))
    try {
      const seen = async (line: string) => {
        for (let attempt = 0; attempt < 150 && !followed.includes(`${line}\n`); attempt++) await new Promise((resolve) => setTimeout(resolve, 100))
        expect(followed, `waiting for ${line}`).to.contain(`${line}\n`)
      }
      await seen('line-1')
      const lines = followed.split('\n').length
      await seen('line-4')
      expect(followed.split('\n').length).to.be.greaterThan(lines)
    } finally {
      follow.kill()
    }

    // run -it: a pty through the tunnel, keys in, output out, the exit code back.
    const session = `tk-tunnel-${process.pid}`
    const marker = join(dir, 'run-it-exit')
    const command = `${DOCKER} -H unix://${tunnel.socket} run --rm -it tk-busybox sh`
    const {tmux, waitFor} = tmuxTerminal(session)
    expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', `${command}; echo "exit=$?" > ${marker}; sleep 30`).status).to.equal(0)
    try {
      await waitFor(/[#$]\s*$/m, 'prompt')
      tmux('send-keys', '-t', session, 'echo "got-$((6*7))"', 'Enter')
      await waitFor(/^got-42$/m, 'command output')
      tmux('send-keys', '-t', session, 'exit 3', 'Enter')
      for (let attempt = 0; attempt < 100 && !existsSync(marker); attempt++) await new Promise((resolve) => setTimeout(resolve, 100))
      expect(readFileSync(marker, 'utf8').trim()).to.equal('exit=3')
    } finally {
      tmux('kill-session', '-t', session)
    }
  })

  it('survives losing its connection: after the sshd serving it is killed, the next command works over a new connection', async () => {
    const m = await machine()
    const tunnel = await startTunnel(m)
    expect((await docker(tunnel.socket, ['ps'])).code).to.equal(0)
    // admin's sshd processes but the one serving this very command (its shell's parent): the tunnel's.
    const list = "ps -u admin -o pid=,args= | awk -v me=$PPID '$2 == \"sshd:\" && $3 ~ /^admin/ && $1 != me {print $1}'"
    const pids = (await m.ssh('admin', list)).stdout.trim().split('\n').filter(Boolean)
    expect(pids, `one sshd process serving the tunnel in:\n${(await m.ssh('admin', 'ps -eo pid,user,args')).stdout}`).to.have.length(1)
    const killed = await m.ssh('admin', `kill ${pids[0]}`)
    expect(killed.code, killed.stderr).to.equal(0)

    const ps = await docker(tunnel.socket, ['ps', '-a', '--format', '{{.ID}}'])
    expect(ps.code, ps.stderr + tunnel.log()).to.equal(0)
    expect(tunnel.log()).to.match(/connection 1 to .* closed; reconnecting/)
    expect(tunnel.log()).to.match(/connected to .* \(connection 2,/)
    const after = (await m.ssh('admin', list)).stdout.trim().split('\n').filter(Boolean)
    expect(after).to.have.length(1)
    expect(after[0], 'a new sshd process serves the tunnel').to.not.equal(pids[0])
    const ls = await runTk(['tunnel', 'ls', '--json'], {env: env()})
    const mine = JSON.parse(ls.stdout).tunnels.find((state: {pid: number}) => state.pid === tunnel.child.pid)
    expect(mine).to.include({connections: 2, connected: true, socket: tunnel.socket})
  })

  it('tells a user without engine access, in one line, how to get it', async () => {
    const m = await machine()
    const socket = join(dir, 'op.sock')
    const {code, stdout, stderr} = await runTk(['tunnel', target(m, 'op'), '--socket', socket, ...sandboxFlags(fixture, 'op')], {env: env()})
    expect(code, stdout + stderr).to.equal(9)
    expect(stderr.trim().split('\n')).to.have.length(1)
    expect(stderr).to.match(/^tk: .*op has no access to the Docker engine .*tk provision .* --docker-user op/)
    expect(existsSync(socket)).to.equal(false)
  })

  it('falls back to docker system dial-stdio where sshd forbids stream-local forwarding, and says so', async () => {
    const m = await machine()
    await root(m, "echo 'AllowStreamLocalForwarding no' > /etc/ssh/sshd_config.d/no-streamlocal.conf && systemctl reload ssh")
    const tunnel = await startTunnel(m)
    expect(tunnel.log()).to.match(/forbids stream-local forwarding \(AllowStreamLocalForwarding no\): falling back to one `docker system dial-stdio`/)
    const format = '{{.ID}} {{.ServerVersion}}'
    const info = await docker(tunnel.socket, ['info', '--format', format])
    expect(info.code, info.stderr).to.equal(0)
    expect(info.stdout).to.equal((await m.ssh('admin', `docker info --format '${format}'`)).stdout)
    const run = await docker(tunnel.socket, ['run', '--rm', '-i', 'tk-busybox', 'cat'], 'through dial-stdio\n')
    expect(run.stdout, run.stderr).to.equal('through dial-stdio\n')
  })

  it('--detach runs in the background: ls lists it, a live socket is not taken over, stop ends it, a stale socket is cleaned up', async () => {
    const m = await machine()
    const socket = join(dir, 'detached.sock')
    const host = target(m)
    const started = await runTk(['tunnel', host, '--detach', '--socket', socket, ...sandboxFlags(fixture)], {env: env()})
    expect(started.code, started.stderr).to.equal(0)
    expect(started.stdout).to.contain(`DOCKER_HOST=unix://${socket}`)
    expect((await docker(socket, ['ps'])).code).to.equal(0)

    const ls = await runTk(['tunnel', 'ls'], {env: env()})
    expect(ls.stdout).to.match(new RegExp(`^${host.replaceAll('.', '\\.')} +\\d+ +unix://${socket.replaceAll('.', '\\.')} +stream-local +yes`, 'm'))
    const [state] = JSON.parse((await runTk(['tunnel', 'ls', '--json'], {env: env()})).stdout).tunnels
    expect(state).to.include({host, socket})

    const second = await runTk(['tunnel', host, '--socket', socket, ...sandboxFlags(fixture)], {env: env()})
    expect(second.code).to.equal(10)
    expect(second.stderr).to.match(new RegExp(`in use by a live process \\(tk tunnel to .*pid ${state.pid}\\)`))
    // Without --socket or --port, the tunnel that runs is the answer: one tunnel per host (tk docker, env and context share it).
    const shared = await runTk(['tunnel', host, ...sandboxFlags(fixture)], {env: env()})
    expect(shared.code, shared.stderr).to.equal(0)
    expect(shared.stdout).to.contain(`already runs on unix://${socket} (pid ${state.pid})`)
    expect(shared.stdout).to.contain(`export DOCKER_HOST=unix://${socket}`)

    const stopped = await runTk(['tunnel', 'stop', host], {env: env()})
    expect(stopped.code, stopped.stderr).to.equal(0)
    expect(stopped.stdout).to.contain(`pid ${state.pid}`)
    expect(alive(state.pid)).to.equal(false)
    expect(existsSync(socket)).to.equal(false)
    expect((await runTk(['tunnel', 'ls'], {env: env()})).stdout).to.contain('No tunnel is running.')

    // A tunnel that dies without cleaning up leaves its socket: the next one replaces it.
    const again = await runTk(['tunnel', host, '--detach', '--socket', socket, ...sandboxFlags(fixture)], {env: env()})
    expect(again.code, again.stderr).to.equal(0)
    const [killed] = JSON.parse((await runTk(['tunnel', 'ls', '--json'], {env: env()})).stdout).tunnels
    process.kill(killed.pid, 'SIGKILL')
    for (let attempt = 0; attempt < 50 && alive(killed.pid); attempt++) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(existsSync(socket)).to.equal(true)
    const replaced = await runTk(['tunnel', host, '--detach', '--socket', socket, ...sandboxFlags(fixture)], {env: env()})
    expect(replaced.code, replaced.stderr).to.equal(0)
    expect((await docker(socket, ['ps'])).code).to.equal(0)
    expect((await runTk(['tunnel', 'stop', host], {env: env()})).code).to.equal(0)
  })
  it('--idle-timeout: stops by itself once unused that long, while an open docker logs -f counts as use', async () => {
    const m = await machine()
    const socket = join(dir, 'idle.sock')
    const host = target(m)
    const started = await runTk(['tunnel', host, '--detach', '--socket', socket, '--idle-timeout', '2', ...sandboxFlags(fixture)], {env: env()})
    expect(started.code, started.stderr).to.equal(0)
    const [state] = JSON.parse((await runTk(['tunnel', 'ls', '--json'], {env: env()})).stdout).tunnels
    expect(state).to.include({host, socket, idleTimeout: 2})

    // A container that prints for 5 s, followed through the tunnel: one connection open the whole time.
    const run = await docker(socket, ['run', '-d', 'tk-busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo tick-$i; sleep 1; done'])
    expect(run.code, run.stderr).to.equal(0)
    const follow = await docker(socket, ['logs', '-f', run.stdout.trim()])
    expect(follow.stdout.trim().split('\n')).to.include('tick-5')
    expect(alive(state.pid), 'alive after 5 s of one open connection').to.equal(true)

    // Unused from here: gone within the timeout and a little, its socket and record removed.
    for (let attempt = 0; attempt < 100 && alive(state.pid); attempt++) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(alive(state.pid), 'stopped 2 s after its last use').to.equal(false)
    expect(existsSync(socket)).to.equal(false)
    expect((await runTk(['tunnel', 'ls'], {env: env()})).stdout).to.contain('No tunnel is running.')
  })

  it('--port serves only requests that name a local Host and come from no browser: curl as a rebinding page is refused, docker CLIs and dockerode work', async () => {
    const m = await machine()
    const host = target(m)
    const started = await runTk(['tunnel', host, '--detach', '--port', '0', ...sandboxFlags(fixture)], {env: env()})
    expect(started.code, started.stderr).to.equal(0)
    const port = Number(/DOCKER_HOST=tcp:\/\/127\.0\.0\.1:(\d+)/.exec(started.stdout)?.[1])
    expect(port, started.stdout).to.be.greaterThan(0)
    try {
      const curl = (...args: string[]) => execute('curl', ['-sS', '-o', '-', '-w', '\n%{http_code}', ...args, `http://127.0.0.1:${port}/containers/json`])
      // A page on evil.example whose name now resolves to 127.0.0.1: its requests carry its own Host, and an Origin.
      for (const refused of [await curl('-H', 'Host: evil.example'), await curl('-H', `Host: evil.example:${port}`), await curl('-H', `Origin: http://evil.example:${port}`)]) {
        expect(refused.code, refused.stderr).to.equal(0)
        const lines = refused.stdout.trim().split('\n').filter(Boolean)
        expect(lines).to.have.length(2)
        expect(lines[0]).to.match(/^tk tunnel: request refused: the Host must be localhost/)
        expect(lines[1]).to.equal('403')
      }
      const local = await curl()
      expect(local.stdout.trim().split('\n').at(-1)).to.equal('200')

      // Debian's docker CLI (20.10) sends the address as given; a newer one the same; attach (a hijacked connection) and kept-alive requests pass.
      for (const cli of [DOCKER, ...(NEWER_DOCKER ? [NEWER_DOCKER] : [])]) {
        for (const address of [`tcp://127.0.0.1:${port}`, `tcp://localhost:${port}`]) {
          // eslint-disable-next-line no-await-in-loop
          const ps = await execute(cli, ['-H', address, 'ps', '-a'])
          expect(ps.code, `${cli} ${address}: ${ps.stderr}`).to.equal(0)
        }
        // eslint-disable-next-line no-await-in-loop
        const run = await execute(cli, ['-H', `tcp://127.0.0.1:${port}`, 'run', '--rm', '-i', 'tk-busybox', 'cat'], `through the port with ${cli}\n`)
        expect(run.stdout, run.stderr).to.equal(`through the port with ${cli}\n`)
      }

      // dockerode over TCP, several requests on one kept-alive connection.
      const agent = new Agent({keepAlive: true, maxSockets: 1})
      try {
        const api = new Docker({host: '127.0.0.1', port, agent} as Docker.DockerOptions)
        expect((await api.ping()).toString()).to.equal('OK')
        expect((await api.version()).Version).to.match(/^20\.10\./)
        expect(await api.listContainers({all: true})).to.be.an('array')
      } finally {
        agent.destroy()
      }
      const log = readFileSync(JSON.parse((await runTk(['tunnel', 'ls', '--json'], {env: env()})).stdout).tunnels[0].log, 'utf8')
      expect(log).to.contain('refused a request on the TCP port: Host "evil.example" is not local')
    } finally {
      await runTk(['tunnel', 'stop', host], {env: env()})
    }
  })
})
