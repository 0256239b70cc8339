/**
 * tk docker, tk env and tk context on sandbox machines with a real engine:
 * given a provisioned host, the local docker CLI reaches its engine through a
 * tunnel tk starts on demand; without a local CLI, docker runs on the host;
 * several hosts fan out with prefixed lines and a summary.
 */
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk, TK_BIN} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, engineMachine, provisionedSnapshot, sandboxFlags, sandboxFleetYaml, target} from '../support/tk-hosts.js'
import {tmuxTerminal} from '../support/terminal.js'

const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker'

/** Runs a program to its end, capturing its output; never throws for a non-zero exit. */
function runProgram(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {env})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (code) => resolve({code: code ?? 1, stdout, stderr}))
  })
}

describe('tk docker, tk env and tk context on sandbox machines', function () {
  this.timeout(10 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let image: Buffer
  let first: TestMachine
  let second: TestMachine
  let third: TestMachine
  /** A tk.yml naming the three machines fleet-1..3, all in the group trio. */
  let fleetConfig: string
  // Tunnel state, sockets and docker contexts of this run only.
  const env = () => ({...cleanEnv, XDG_STATE_HOME: join(dir, 'state'), XDG_RUNTIME_DIR: join(dir, 'run'), DOCKER_CONFIG: join(dir, 'docker-config'), DOCKER_HOST: '', DOCKER_CONTEXT: ''})
  const tk = (args: string[], options: {input?: string | Buffer; env?: NodeJS.ProcessEnv} = {}) => runTk(args, {input: options.input, env: {...env(), ...options.env}})
  const dockerOn = (m: TestMachine, args: string[], input?: string) => tk(['docker', target(m), ...sandboxFlags(fixture), '--', ...args], {input})

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm']})
    dir = mkdtempSync(join(tmpdir(), 'tk-docker-'))
    mkdirSync(join(dir, 'docker-config'))
    image = busyboxImageTar()
    const snapshot = await provisionedSnapshot(fixture)
    // Shared by every test here, kept until the run ends.
    ;[first, second, third] = await Promise.all([1, 2, 3].map(() => engineMachine(fixture, snapshot, image, {keep: true})))
    fleetConfig = join(dir, 'fleet', 'tk.yml')
    mkdirSync(join(dir, 'fleet'))
    writeFileSync(
      fleetConfig,
      sandboxFleetYaml(fixture, [first, second, third].map((m, index) => ({name: `fleet-${index + 1}`, machine: m, groups: ['trio']}))),
    )
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

  it('local files work through the tunnel: docker build of a workstation directory, docker cp in and out', async () => {
    // The tunnel to first runs (started here if not by the test before); the calls below then take the fast path.
    expect((await dockerOn(first, ['ps'])).code).to.equal(0)
    const context = join(dir, 'build-context')
    mkdirSync(context)
    writeFileSync(join(context, 'hello.txt'), 'hello from the workstation\n')
    writeFileSync(join(context, 'Dockerfile'), 'FROM tk-busybox\nCOPY hello.txt /hello.txt\nCMD ["cat", "/hello.txt"]\n')
    const built = await tk(['docker', target(first), '--', 'build', '-q', '-t', 'tk-built', context], {env: {DOCKER_BUILDKIT: '0'}})
    expect(built.code, built.stderr).to.equal(0)
    const ran = await tk(['docker', target(first), '--', 'run', '--rm', 'tk-built'])
    expect(ran.code, ran.stderr).to.equal(0)
    expect(ran.stdout).to.equal('hello from the workstation\n')

    expect((await tk(['docker', target(first), '--', 'create', '--name', 'tk-cp', 'tk-busybox'])).code).to.equal(0)
    try {
      const copiedIn = await tk(['docker', target(first), '--', 'cp', join(context, 'hello.txt'), 'tk-cp:/copied.txt'])
      expect(copiedIn.code, copiedIn.stderr).to.equal(0)
      const copiedOut = await tk(['docker', target(first), '--', 'cp', 'tk-cp:/copied.txt', join(dir, 'back.txt')])
      expect(copiedOut.code, copiedOut.stderr).to.equal(0)
      expect(readFileSync(join(dir, 'back.txt'), 'utf8')).to.equal('hello from the workstation\n')
    } finally {
      await tk(['docker', target(first), '--', 'rm', '-f', 'tk-cp'])
    }
  })

  it('a host name in two tk.yml projects is two machines: each project\'s tk docker reaches its own, through its own tunnel', async () => {
    const projects = {staging: join(dir, 'staging'), prod: join(dir, 'prod')}
    mkdirSync(projects.staging)
    mkdirSync(projects.prod)
    writeFileSync(join(projects.staging, 'tk.yml'), sandboxFleetYaml(fixture, [{name: 'web', machine: second}]))
    writeFileSync(join(projects.prod, 'tk.yml'), sandboxFleetYaml(fixture, [{name: 'web', machine: third}]))
    const engineName = async (cwd: string) => {
      const run = await runTk(['docker', 'web', '--', 'info', '--format', '{{.Name}}'], {cwd, env: {...env(), TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts}})
      expect(run.code, run.stderr).to.equal(0)
      return run.stdout.trim()
    }
    const [secondName, thirdName] = [(await second.ssh('admin', 'hostname')).stdout.trim(), (await third.ssh('admin', 'hostname')).stdout.trim()]
    expect(await engineName(projects.staging)).to.equal(secondName)
    expect(await engineName(projects.prod)).to.equal(thirdName)
    // Again, each through its running tunnel (the fast path), still each its own.
    expect(await engineName(projects.staging)).to.equal(secondName)
    expect(await engineName(projects.prod)).to.equal(thirdName)
    const webTunnels = JSON.parse((await tk(['tunnel', 'ls', '--json'])).stdout).tunnels.filter((state: {host: string}) => state.host === 'web')
    expect(webTunnels.map((state: {project: string}) => state.project).sort()).to.deep.equal([join(projects.prod, 'tk.yml'), join(projects.staging, 'tk.yml')])
    expect((await tk(['tunnel', 'stop', 'web'])).code).to.equal(0)
  })

  it('tk env points a plain docker at the running tunnel, and --unset undoes it', async () => {
    // A tunnel to first runs from the test before, or starts here.
    expect((await dockerOn(first, ['ps'])).code).to.equal(0)
    const printed = await tk(['env', target(first), '--shell', 'bash'])
    expect(printed.code, printed.stderr).to.equal(0)
    expect(printed.stdout).to.match(/^export DOCKER_HOST='unix:\/\/.*\.sock'$/m)
    const script = `eval "$('${process.execPath}' '${TK_BIN}' env '${target(first)}' --shell bash)" && '${DOCKER}' ps --format '{{.ID}}' && '${DOCKER}' images --format '{{.Repository}}' && eval "$('${process.execPath}' '${TK_BIN}' env --unset --shell bash)" && echo "after=[$DOCKER_HOST]"`
    const shell = await runProgram('bash', ['-c', script], {...process.env, ...env()})
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

    const listed = await runProgram(DOCKER, ['--context', 'tk-test-first', 'images', '--format', '{{.Repository}}'], {...process.env, ...env(), DOCKER_HOST: ''})
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

  it('fans out over the three hosts of a tk.yml group: every line prefixed, all three in the summary, exit 1 when one fails; --all reaches them too', async () => {
    // A container name taken on fleet-3 only: `docker run --name` conflicts there (docker's exit 125) and nowhere else.
    const taken = await third.ssh('admin', 'docker create --name tk-fanout tk-busybox')
    expect(taken.code, taken.stderr).to.equal(0)
    const fleet = ['docker', '@trio', '--config', fleetConfig, '--known-hosts', fixture.sandbox.home.knownHosts]
    const run = await tk([...fleet, '--', 'run', '--rm', '--name', 'tk-fanout', 'tk-busybox', 'sh', '-c', 'echo one; echo two'])
    expect(run.code, run.stderr).to.equal(1)

    const stdoutLines = run.stdout.trimEnd().split('\n')
    expect(stdoutLines).to.have.length(4)
    for (const line of stdoutLines) expect(line).to.match(/^fleet-[12] \| (one|two)$/)
    for (const host of ['fleet-1', 'fleet-2']) expect(stdoutLines.filter((line) => line.startsWith(host))).to.deep.equal([`${host} | one`, `${host} | two`])

    // stderr: docker's complaint from fleet-3, prefixed, then a blank line and the summary.
    const [streamed, summary] = run.stderr.split('\n\n')
    const errorLines = streamed.split('\n').filter((line) => line !== '')
    expect(errorLines.length).to.be.greaterThan(0)
    for (const line of errorLines) expect(line).to.match(/^fleet-3 \| /)
    expect(streamed).to.contain('is already in use')
    const rows = summary.trim().split('\n')
    expect(rows[0]).to.match(/^HOST +EXIT +NOTE +TIME$/)
    expect(rows.slice(1).map((row) => row.split(/ +/).slice(0, 2))).to.deep.equal([
      ['fleet-1', '0'],
      ['fleet-2', '0'],
      ['fleet-3', '125'],
    ])

    // Without the conflict every host exits 0, and so does tk; --all is every host of the file (the three here).
    expect((await third.ssh('admin', 'docker rm tk-fanout')).code).to.equal(0)
    const again = await tk(['docker', '--all', '--config', fleetConfig, '--known-hosts', fixture.sandbox.home.knownHosts, '--', 'run', '--rm', '--name', 'tk-fanout', 'tk-busybox', 'true'])
    expect(again.code, again.stderr).to.equal(0)
    expect(again.stderr.match(/^fleet-[123] +0 /gm)).to.have.length(3)
  })

  it('tk env without a running tunnel prints ssh://user@host:port for bash, fish and PowerShell', async () => {
    const env3 = (...args: string[]) => tk(['env', 'fleet-3', '--config', fleetConfig, ...args])
    const url = `ssh://admin@127.0.0.1:${third.port}`
    const bash = await env3('--shell', 'bash')
    expect(bash.code, bash.stderr).to.equal(0)
    expect(bash.stdout).to.equal(`export DOCKER_HOST='${url}'\n# Run this command to configure your shell:\n# eval "$(tk env fleet-3 --shell bash)"\n`)
    expect((await env3('--shell', 'fish')).stdout).to.equal(`set -gx DOCKER_HOST '${url}';\n# Run this command to configure your shell:\n# tk env fleet-3 --shell fish | source\n`)
    expect((await env3('--shell', 'powershell')).stdout).to.equal(
      `$Env:DOCKER_HOST = '${url}'\n# Run this command to configure your shell:\n# & tk env fleet-3 --shell powershell | Invoke-Expression\n`,
    )
    // $SHELL picks the shell when --shell does not.
    expect((await tk(['env', 'fleet-3', '--config', fleetConfig], {env: {SHELL: '/usr/bin/fish'}})).stdout).to.match(/^set -gx DOCKER_HOST '/)
    expect((await tk(['env', '--unset', '--shell', 'fish'])).stdout).to.equal('set -e DOCKER_HOST;\n')
    expect((await tk(['env', '--unset', '--shell', 'powershell'])).stdout).to.equal('Remove-Item Env:DOCKER_HOST -ErrorAction SilentlyContinue\n')

    // An ~/.ssh/config alias resolves to its HostName, Port and User.
    const sshConfig = join(dir, 'ssh_config')
    writeFileSync(sshConfig, `Host sandbox-three\n  HostName 127.0.0.1\n  Port ${third.port}\n  User admin\n`)
    const alias = await tk(['env', 'sandbox-three', '--ssh-config', sshConfig, '--shell', 'bash'])
    expect(alias.code, alias.stderr).to.equal(0)
    expect(alias.stdout.split('\n')[0]).to.equal(`export DOCKER_HOST='${url}'`)
    const tunnelHosts = JSON.parse((await tk(['tunnel', 'ls', '--json'])).stdout).tunnels.map((t: {host: string}) => t.host)
    expect(tunnelHosts).not.to.include('fleet-3')
    expect(tunnelHosts).not.to.include('sandbox-three')
  })

  it('a plain docker reaches the engine through that ssh:// URL, with OpenSSH', async () => {
    // docker's ssh:// runs `ssh` from PATH, and OpenSSH reads the passwd user's ~/.ssh/config whatever $HOME says:
    // a wrapper named ssh, first on PATH, gives it a config with the sandbox's key and known_hosts and logs its arguments.
    const bin = join(dir, 'ssh-bin')
    const config = join(dir, 'openssh_config')
    const log = join(dir, 'ssh-wrapper.log')
    mkdirSync(bin, {recursive: true})
    writeFileSync(
      config,
      [
        'Host *',
        `  IdentityFile ${fixture.sandbox.credentials.users.admin.identityFile}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${fixture.sandbox.home.knownHosts}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    )
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\necho "$*" >> '${log}'\nexec /usr/bin/ssh -F '${config}' "$@"\n`)
    chmodSync(join(bin, 'ssh'), 0o755)

    const tkEnv = `'${process.execPath}' '${TK_BIN}' env fleet-3 --config '${fleetConfig}' --shell bash`
    const script = `eval "$(${tkEnv})" && echo "host=$DOCKER_HOST" && '${DOCKER}' info --format 'name={{.Name}}' && '${DOCKER}' images --format '{{.Repository}}'`
    const shell = await runProgram('bash', ['-c', script], {...process.env, ...env(), PATH: `${bin}:${process.env.PATH}`})
    expect(shell.code, shell.stderr).to.equal(0)
    expect(shell.stdout).to.contain(`host=ssh://admin@127.0.0.1:${third.port}\n`)
    expect(shell.stdout).to.contain(`name=${third.name}\n`)
    expect(shell.stdout).to.contain('tk-busybox')
    // docker reached the host with OpenSSH and ran its stdio bridge there, not through a tunnel.
    expect(readFileSync(log, 'utf8')).to.match(new RegExp(`-p ${third.port} .*127\\.0\\.0\\.1 docker system dial-stdio`))
    expect(JSON.parse((await tk(['tunnel', 'ls', '--json'])).stdout).tunnels.map((t: {host: string}) => t.host)).not.to.include('fleet-3')
  })

  for (const mode of ['local docker CLI', 'docker on the host'] as const) {
    it(`run -it gets a terminal, keys in and the exit code out, under tmux (${mode})`, async () => {
      const session = `tk-docker-${process.pid}-${mode === 'local docker CLI' ? 'local' : 'remote'}`
      const marker = join(dir, `${session}-exit`)
      const vars = {...env(), PATH: mode === 'local docker CLI' ? process.env.PATH ?? '' : join(dir, 'empty-bin')}
      mkdirSync(join(dir, 'empty-bin'), {recursive: true})
      const prefix = Object.entries(vars).map(([name, value]) => `${name}='${value}'`).join(' ')
      const command = [process.execPath, TK_BIN, 'docker', target(second), ...sandboxFlags(fixture), '--', 'run', '-it', '--rm', 'tk-busybox', 'sh'].map((word) => `'${word}'`).join(' ')
      const {tmux, screen, waitFor} = tmuxTerminal(session)
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
