/**
 * tk docker, tk env and tk context on sandbox machines with a real engine:
 * given a provisioned host, the local docker CLI reaches its engine through a
 * tunnel tk starts on demand; without a local CLI, docker runs on the host;
 * several hosts fan out with prefixed lines and a summary.
 */
import {expect} from 'chai'
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk, TK_BIN} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, sandboxFlags, target} from '../support/tk-hosts.js'

const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker'

describe('tk docker, tk env and tk context on sandbox machines', function () {
  this.timeout(10 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let image: Buffer
  let first: TestMachine
  let second: TestMachine
  // Tunnel state, sockets and docker contexts of this run only.
  const env = () => ({...cleanEnv, XDG_STATE_HOME: join(dir, 'state'), XDG_RUNTIME_DIR: join(dir, 'run'), DOCKER_CONFIG: join(dir, 'docker-config'), DOCKER_HOST: '', DOCKER_CONTEXT: ''})
  const tk = (args: string[], options: {input?: string | Buffer; env?: NodeJS.ProcessEnv} = {}) => runTk(args, {input: options.input, env: {...env(), ...options.env}})
  const dockerOn = (m: TestMachine, args: string[], input?: string) => tk(['docker', target(m), ...sandboxFlags(fixture), '--', ...args], {input})

  /** A machine with a running engine and the tk-busybox image, shared by every test here (kept until the run ends). */
  const machine = async (snapshot: string) => {
    const m = await fixture.machine({snapshot, keep: true})
    for (let attempt = 0; attempt < 100; attempt++) {
      // eslint-disable-next-line no-await-in-loop
      if ((await m.ssh('admin', 'docker info --format "{{.ID}}"')).code === 0) {
        // The engine's data is a volume a snapshot does not hold: the image is imported per machine.
        const imported = await runTk(['exec', '--stdin', target(m), ...sandboxFlags(fixture), '--', `docker import -c 'CMD ["true"]' - tk-busybox`], {env: cleanEnv, input: image})
        expect(imported.code, imported.stderr).to.equal(0)
        return m
      }
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    throw new Error(`the engine on ${m.name} did not start`)
  }

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm']})
    dir = mkdtempSync(join(tmpdir(), 'tk-docker-'))
    mkdirSync(join(dir, 'docker-config'))
    image = busyboxImageTar()
    const snapshot = await fixture.preparedSnapshot('docker-engine', 'bookworm', async (m) => {
      const provisioned = await runTk(['provision', target(m), ...sandboxFlags(fixture)], {env: cleanEnv})
      expect(provisioned.code, provisioned.stderr + provisioned.stdout).to.equal(0)
    })
    ;[first, second] = await Promise.all([machine(snapshot), machine(snapshot)])
  })

  after(async () => {
    if (!dir) return
    await tk(['tunnel', 'stop', '--all'])
    rmSync(dir, {recursive: true, force: true})
  })

  it('runs the local docker CLI through a tunnel it starts and leaves running: output, exit code and stdin pass through', async () => {
    const ok = await dockerOn(first, ['run', '--rm', 'tk-busybox', 'echo', 'ok'])
    expect(ok.code, ok.stderr).to.equal(0)
    expect(ok.stdout).to.equal('ok\n')
    expect(ok.stderr).to.match(/started a tunnel to .* \(pid \d+\)/)

    const tunnels = JSON.parse((await tk(['tunnel', 'ls', '--json'])).stdout).tunnels
    expect(tunnels).to.have.length(1)
    expect(tunnels[0].host).to.equal(target(first))

    // The second call reuses the tunnel: no new one.
    const failed = await dockerOn(first, ['run', '--rm', 'tk-busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3'])
    expect(failed.code).to.equal(3)
    expect(failed.stdout).to.equal('out\n')
    expect(failed.stderr).to.contain('err\n')
    expect(failed.stderr).not.to.contain('started a tunnel')
    expect(JSON.parse((await tk(['tunnel', 'ls', '--json'])).stdout).tunnels).to.have.length(1)

    const echoed = await dockerOn(first, ['run', '-i', '--rm', 'tk-busybox', 'cat'], 'line one\nline two\n')
    expect(echoed.code, echoed.stderr).to.equal(0)
    expect(echoed.stdout).to.equal('line one\nline two\n')
  })

  it('tk env points a plain docker at the running tunnel, and --unset undoes it', async () => {
    // A tunnel to first runs from the test before, or starts here.
    expect((await dockerOn(first, ['ps'])).code).to.equal(0)
    const printed = await tk(['env', target(first), '--shell', 'bash'])
    expect(printed.code, printed.stderr).to.equal(0)
    expect(printed.stdout).to.match(/^export DOCKER_HOST='unix:\/\/.*\.sock'$/m)
    const script = `eval "$('${process.execPath}' '${TK_BIN}' env '${target(first)}' --shell bash)" && '${DOCKER}' ps --format '{{.ID}}' && '${DOCKER}' images --format '{{.Repository}}' && eval "$('${process.execPath}' '${TK_BIN}' env --unset --shell bash)" && echo "after=[$DOCKER_HOST]"`
    const shell = await new Promise<{code: number; stdout: string; stderr: string}>((resolve) => {
      const child = spawn('bash', ['-c', script], {env: {...process.env, ...env()}})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk) => (stdout += chunk))
      child.stderr.on('data', (chunk) => (stderr += chunk))
      child.on('close', (code) => resolve({code: code ?? 1, stdout, stderr}))
    })
    expect(shell.code, shell.stderr).to.equal(0)
    expect(shell.stdout).to.contain('tk-busybox')
    expect(shell.stdout).to.contain('after=[]')

    expect((await tk(['env', target(first), '--shell', 'fish'])).stdout).to.match(/^set -gx DOCKER_HOST 'unix:\/\/.*\.sock';$/m)
    expect((await tk(['env', target(first), '--shell', 'powershell'])).stdout).to.match(/^\$Env:DOCKER_HOST = 'unix:\/\/.*\.sock'$/m)
  })

  it('tk context makes a docker context the docker CLI can use, and --remove removes it', async () => {
    expect((await dockerOn(first, ['ps'])).code).to.equal(0)
    const made = await tk(['context', target(first), '--name', 'tk-test-first'])
    expect(made.code, made.stderr).to.equal(0)
    expect(made.stdout).to.contain('Created the docker context tk-test-first')
    const again = await tk(['context', target(first), '--name', 'tk-test-first'])
    expect(again.stdout).to.contain('Updated the docker context tk-test-first')

    const listed = await new Promise<{code: number; stdout: string; stderr: string}>((resolve) => {
      const child = spawn(DOCKER, ['--context', 'tk-test-first', 'images', '--format', '{{.Repository}}'], {env: {...process.env, ...env(), DOCKER_HOST: ''}})
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk) => (stdout += chunk))
      child.stderr.on('data', (chunk) => (stderr += chunk))
      child.on('close', (code) => resolve({code: code ?? 1, stdout, stderr}))
    })
    expect(listed.code, listed.stderr).to.equal(0)
    expect(listed.stdout).to.contain('tk-busybox')

    const removed = await tk(['context', target(first), '--name', 'tk-test-first', '--remove'])
    expect(removed.code, removed.stderr).to.equal(0)
    const inspect = await tk(['context', target(first), '--name', 'tk-test-first'])
    expect(inspect.stdout).to.contain('Created')
    await tk(['context', target(first), '--name', 'tk-test-first', '--remove'])
  })

  it('without a docker CLI on PATH, runs docker on the host: output, exit code and stdin', async () => {
    const noDocker = {PATH: join(dir, 'empty-bin')}
    mkdirSync(noDocker.PATH, {recursive: true})
    const ok = await tk(['docker', target(second), ...sandboxFlags(fixture), '--', 'run', '--rm', 'tk-busybox', 'echo', 'remote ok'], {env: noDocker})
    expect(ok.code, ok.stderr).to.equal(0)
    expect(ok.stdout).to.equal('remote ok\n')
    expect(JSON.parse((await tk(['tunnel', 'ls', '--json'])).stdout).tunnels.map((t: {host: string}) => t.host)).not.to.include(target(second))

    const failed = await tk(['docker', target(second), ...sandboxFlags(fixture), '--', 'run', '--rm', 'tk-busybox', 'sh', '-c', `echo "it's quoted" '$HOME' "a  b"; exit 3`], {env: noDocker})
    expect(failed.code).to.equal(3)
    expect(failed.stdout).to.equal("it's quoted $HOME a  b\n")

    const echoed = await tk(['docker', target(second), ...sandboxFlags(fixture), '--', 'run', '-i', '--rm', 'tk-busybox', 'cat'], {env: noDocker, input: 'piped in\n'})
    expect(echoed.code, echoed.stderr).to.equal(0)
    expect(echoed.stdout).to.equal('piped in\n')
  })

  it('fans out over two hosts: lines prefixed with the host, a summary of exit codes, non-zero when one fails', async () => {
    const hosts = [target(first), target(second)]
    const all = await tk(['docker', ...hosts, ...sandboxFlags(fixture), '--', 'run', '--rm', 'tk-busybox', 'echo', 'hello'])
    expect(all.code, all.stderr).to.equal(0)
    for (const host of hosts) {
      expect(all.stdout).to.match(new RegExp(`^${host.replaceAll('.', '\\.')} *\\| hello$`, 'm'))
      expect(all.stderr).to.match(new RegExp(`^${host.replaceAll('.', '\\.')} +0 `, 'm'))
    }
    expect(all.stderr).to.match(/HOST +EXIT/)

    // An image only the second host has: inspecting it fails on the first host only.
    const tagged = await tk(['docker', target(second), '--remote', ...sandboxFlags(fixture), '--', 'tag', 'tk-busybox', 'tk-only-second'])
    expect(tagged.code, tagged.stderr).to.equal(0)
    const mixed = await tk(['docker', ...hosts, ...sandboxFlags(fixture), '--', 'image', 'inspect', '--format', 'found', 'tk-only-second'])
    expect(mixed.code).to.equal(1)
    expect(mixed.stdout).to.match(new RegExp(`^${hosts[1].replaceAll('.', '\\.')} *\\| found$`, 'm'))
    expect(mixed.stderr).to.match(new RegExp(`^${hosts[0].replaceAll('.', '\\.')} *\\| .*No such image`, 'm'))
    expect(mixed.stderr).to.match(new RegExp(`^${hosts[0].replaceAll('.', '\\.')} +1 `, 'm'))
    expect(mixed.stderr).to.match(new RegExp(`^${hosts[1].replaceAll('.', '\\.')} +0 `, 'm'))
  })
  for (const mode of ['local docker CLI', 'docker on the host'] as const) {
    it(`run -it gets a terminal, keys in and the exit code out, under tmux (${mode})`, async () => {
      const session = `tk-docker-${process.pid}-${mode === 'local docker CLI' ? 'local' : 'remote'}`
      const marker = join(dir, `${session}-exit`)
      const vars = {...env(), PATH: mode === 'local docker CLI' ? process.env.PATH ?? '' : join(dir, 'empty-bin')}
      mkdirSync(join(dir, 'empty-bin'), {recursive: true})
      const prefix = Object.entries(vars).map(([name, value]) => `${name}='${value}'`).join(' ')
      const command = [process.execPath, TK_BIN, 'docker', target(second), ...sandboxFlags(fixture), '--', 'run', '-it', '--rm', 'tk-busybox', 'sh'].map((word) => `'${word}'`).join(' ')
      const tmux = (...args: string[]) => spawnSync('tmux', args, {encoding: 'utf8'})
      const screen = () => tmux('capture-pane', '-p', '-t', session).stdout
      const waitFor = async (pattern: RegExp, what: string) => {
        for (let attempt = 0; attempt < 300; attempt++) {
          if (pattern.test(screen())) return
          // eslint-disable-next-line no-await-in-loop
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        throw new Error(`no ${what} on the tmux screen:\n${screen()}`)
      }
      expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', `env ${prefix} ${command}; echo "exit=$?" > ${marker}; sleep 30`).status).to.equal(0)
      try {
        await waitFor(/^\/ # ?$/m, 'container prompt')
        tmux('send-keys', '-t', session, 'echo "answer-$((6*7))"', 'Enter')
        await waitFor(/^answer-42\s*$/m, 'answer')
        tmux('send-keys', '-t', session, 'exit 5', 'Enter')
        for (let attempt = 0; attempt < 100 && !existsSync(marker); attempt++) {
          // eslint-disable-next-line no-await-in-loop
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
        expect(readFileSync(marker, 'utf8').trim(), screen()).to.equal('exit=5')
      } finally {
        tmux('kill-session', '-t', session)
      }
    })
  }
})
