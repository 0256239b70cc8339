/**
 * The SSH transport and the remote commands, proven on real sandbox
 * machines: real sshd, real sudo, real host keys.
 */
import {expect} from 'chai'
import {spawn, spawnSync} from 'node:child_process'
import {appendFileSync, chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk, TK_BIN} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {tmuxTerminal} from '../support/terminal.js'

type User = 'admin' | 'op'

describe('the SSH transport on sandbox machines', function () {
  this.timeout(10 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let machines: Record<'bullseye' | 'bookworm' | 'trixie', TestMachine>

  const target = (machine: TestMachine, user: User = 'admin') => `${user}@127.0.0.1:${machine.port}`
  /** Flags that make tk use the sandbox's keys and known_hosts, strictly. */
  const credentials = (user: User = 'admin', knownHosts = fixture.sandbox.home.knownHosts) => [
    '-i',
    fixture.sandbox.credentials.users[user].identityFile,
    '--known-hosts',
    knownHosts,
    '--host-key-policy',
    'strict',
  ]
  const env = {SSH_AUTH_SOCK: '', TK_SSH_PASSWORD: '', TK_SSH_PASSPHRASE: '', TK_SUDO_PASSWORD: ''}

  before(async function () {
    fixture = await sandboxFixture()
    dir = mkdtempSync(join(tmpdir(), 'tk-ssh-'))
    const [bullseye, bookworm, trixie] = await Promise.all(
      (['bullseye', 'bookworm', 'trixie'] as const).map((release) => fixture.machine({release, keep: true})),
    )
    machines = {bullseye, bookworm, trixie}
  })

  after(() => rmSync(dir, {recursive: true, force: true}))

  describe('tk check HOST', () => {
    it('gives on each release the same verdict as the local check on the same kernel', async () => {
      const local = JSON.parse((await runTk(['check', '--json'])).stdout)
      const all = Object.values(machines)
      const {code, stdout, stderr} = await runTk(['check', ...all.map((machine) => target(machine)), ...credentials(), '--json'], {env})
      expect(code, stderr).to.equal(0)
      const result = JSON.parse(stdout)
      expect(result.summary).to.deep.equal({passed: 3, failed: 0, unreachable: 0})
      // Userland differs (zfs tools, the OS); the kernel and its config are the machine's own.
      const kernelChecks = (report: {checks: Array<{id: string; kind: string}>}) =>
        report.checks.filter((check) => check.kind === 'flag' || ['kernel-version', 'architecture', 'cgroup-hierarchy', 'overlay-filesystem', 'root-maxkeys', 'storage-driver'].includes(check.id))
      for (const [index, host] of result.hosts.entries()) {
        expect(host.report.kernel.version).to.equal(local.kernel.version)
        expect(host.report.cgroup).to.deep.equal(local.cgroup)
        expect(kernelChecks(host.report)).to.deep.equal(kernelChecks(local))
        expect(host.report.os.id).to.equal('debian')
        expect(host.report.os.versionId).to.equal(['11', '12', '13'][index])
      }
    })

    it("reports each host's own forwarding sysctls, as warnings at worst", async () => {
      const all = Object.values(machines)
      const {code, stdout, stderr} = await runTk(['check', ...all.map((machine) => target(machine)), ...credentials(), '--json'], {env})
      expect(code, stderr).to.equal(0)
      const result = JSON.parse(stdout)
      const names = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding']
      for (const [index, machine] of all.entries()) {
        // Each machine has its own network namespace, so its values are its own, not this machine's.
        const read = await machine.ssh('admin', names.map((name) => `cat /proc/sys/${name.replaceAll('.', '/')} 2>/dev/null || echo none`).join('; '))
        const truth = read.stdout.trim().split('\n')
        const checks = result.hosts[index].report.checks.filter((check: {feature?: string}) => check.feature === 'bridge')
        expect(checks.map((check: {id: string}) => check.id)).to.deep.equal(names)
        for (const [at, check] of checks.entries()) {
          expect(check.state, `${machine.name} ${check.id}`).to.equal(truth[at] === '1' ? 'enabled' : truth[at] === 'none' ? 'unreadable' : 'disabled')
          expect(check.status).to.be.oneOf(['pass', 'warn'])
          expect(check.required).to.equal(false)
        }
      }
    })

    it('prints a per-host report of problems and a fleet table', async () => {
      const {code, stdout} = await runTk(['check', target(machines.bookworm), target(machines.trixie), ...credentials()], {env})
      expect(code).to.equal(0)
      expect(stdout).to.match(/^HOST +RESULT +KERNEL/m)
      expect(stdout).to.contain(`${target(machines.trixie)}  pass`)
      expect(stdout).to.match(/warn CONFIG_NETFILTER_XT_MATCH_IPVS: missing/)
      expect(stdout).to.not.match(/ok {3}CONFIG_NAMESPACES/)
      // The machines share the workstation's kernel: its warnings are told once, not once a host.
      expect(stdout).to.contain('Warnings on all 2 hosts:')
      expect(stdout.match(/warn CONFIG_NETFILTER_XT_MATCH_IPVS/g)).to.have.length(1)
    })

    it('prints every host\'s whole report with --verbose', async () => {
      const {code, stdout} = await runTk(['check', target(machines.bookworm), target(machines.trixie), ...credentials(), '--verbose'], {env})
      expect(code).to.equal(0)
      expect(stdout.match(/^Checking /gm)).to.have.length(2)
      expect(stdout.match(/ok {3}CONFIG_NAMESPACES/g)).to.have.length(2)
    })
  })

  describe('tk exec', () => {
    it('passes stdout, stderr and the exit code of one host through', async () => {
      const {code, stdout, stderr} = await runTk(['exec', target(machines.bookworm), ...credentials(), '--', 'echo out-1; echo err-1 >&2; echo out-2; exit 7'], {env})
      expect(code).to.equal(7)
      expect(stdout).to.equal('out-1\nout-2\n')
      expect(stderr).to.equal('err-1\n')
    })

    it('streams output as it comes, not when the command ends', async () => {
      const started = Date.now()
      const child = spawn(process.execPath, [TK_BIN, 'exec', target(machines.bookworm), ...credentials(), '--', 'echo first; sleep 3; echo second'], {env: {...process.env, ...env}})
      const firstSeen = await new Promise<number>((resolve) => child.stdout.once('data', () => resolve(Date.now())))
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      const ended = Date.now()
      expect(code).to.equal(0)
      expect(ended - firstSeen, 'the first line came only at the end').to.be.greaterThan(2500)
      expect(firstSeen - started).to.be.lessThan(ended - started - 2500)
    })

    it('runs on many hosts in parallel, prefixing every line, and summarises exit codes', async () => {
      const hosts = Object.values(machines).map((machine) => target(machine))
      const command = '. /etc/os-release; echo "codename $VERSION_CODENAME"; [ "$VERSION_CODENAME" != bookworm ]'
      const {code, stdout, stderr} = await runTk(['exec', ...hosts, ...credentials(), '--', command], {env})
      expect(code).to.equal(1)
      for (const [index, codename] of ['bullseye', 'bookworm', 'trixie'].entries()) {
        expect(stdout).to.contain(`${hosts[index]} | codename ${codename}\n`)
      }
      expect(stderr).to.match(new RegExp(`${hosts[1].replaceAll('.', '\\.')} +1 `))
      expect(stderr).to.match(new RegExp(`${hosts[0].replaceAll('.', '\\.')} +0 `))
    })

    it('refuses a wrong key as an authentication error', async () => {
      const wrongKey = join(dir, 'wrong_ed25519')
      spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey])
      const {code, stderr} = await runTk(['exec', target(machines.bookworm), '-i', wrongKey, '--known-hosts', fixture.sandbox.home.knownHosts, '--', 'true'], {env})
      expect(code).to.equal(6)
      expect(stderr.trim().split('\n')).to.have.length(1)
      expect(stderr).to.match(/^tk: .*(authentication|Authentication)/)
    })

    it('fails at once on a refused port, and within the timeout on a host that never answers', async () => {
      // "At once": within a second of what tk takes to start and fail without any host on this machine now (a loaded machine starts node slowly).
      const floorStart = Date.now()
      await runTk(['exec', '--', 'true'], {env})
      const floor = Date.now() - floorStart
      const refusedStart = Date.now()
      const refused = await runTk(['exec', 'admin@127.0.0.1:1', ...credentials(), '--', 'true'], {env})
      expect(refused.code).to.equal(5)
      expect(refused.stderr).to.match(/refused/)
      expect(Date.now() - refusedStart).to.be.lessThan(floor + 1000)

      const paused = await fixture.machine({release: 'bookworm'})
      await fixture.sandbox.engine.docker.getContainer(paused.machine.id).pause()
      try {
        const started = Date.now()
        const silent = await runTk(['exec', target(paused), ...credentials(), '--connect-timeout', '2', '--', 'true'], {env})
        const elapsed = Date.now() - started
        expect(silent.code).to.equal(5)
        expect(silent.stderr).to.match(/timed out/)
        expect(elapsed).to.be.within(1900, 5000)
      } finally {
        await fixture.sandbox.engine.docker.getContainer(paused.machine.id).unpause()
      }
    })
  })

  describe('host keys', () => {
    it('refuses a changed host key, showing both fingerprints, while the rest of the fleet proceeds', async () => {
      const knownHosts = join(dir, 'changed_known_hosts')
      copyFileSync(fixture.sandbox.home.knownHosts, knownHosts)
      // Record another machine's key under bookworm's address: to tk the key has changed.
      const bullseyeKey = machines.bullseye.machine.hostKey.split(' ').slice(0, 2).join(' ')
      const text = readFileSync(knownHosts, 'utf8')
        .split('\n')
        .filter((line) => !line.startsWith(`[127.0.0.1]:${machines.bookworm.port} `))
      writeFileSync(knownHosts, [...text, `[127.0.0.1]:${machines.bookworm.port} ${bullseyeKey}`, ''].join('\n'))
      const {code, stdout, stderr} = await runTk(['check', target(machines.bookworm), target(machines.trixie), ...credentials('admin', knownHosts)], {env})
      expect(code).to.equal(7)
      const refusal = stdout + stderr
      expect(refusal).to.match(/SHA256:[A-Za-z0-9+/]{43}.*SHA256:[A-Za-z0-9+/]{43}/s)
      expect(stdout).to.match(new RegExp(`${target(machines.trixie).replaceAll('.', '\\.')} +pass`))
      expect(stdout).to.match(new RegExp(`${target(machines.bookworm).replaceAll('.', '\\.')} +UNREACHABLE`))
    })

    it('records an unknown key under accept-new, then enforces it', async () => {
      const knownHosts = join(dir, 'accept_new_known_hosts')
      writeFileSync(knownHosts, '')
      const flags = ['-i', fixture.sandbox.credentials.users.admin.identityFile, '--known-hosts', knownHosts]
      const strict = await runTk(['exec', target(machines.trixie), ...flags, '--host-key-policy', 'strict', '--', 'true'], {env})
      expect(strict.code).to.equal(7)
      expect(readFileSync(knownHosts, 'utf8')).to.equal('')

      const first = await runTk(['exec', target(machines.trixie), ...flags, '--host-key-policy', 'accept-new', '--', 'echo hi'], {env})
      expect(first.code, first.stderr).to.equal(0)
      const recorded = readFileSync(knownHosts, 'utf8')
      expect(recorded).to.contain(`[127.0.0.1]:${machines.trixie.port} ${machines.trixie.machine.hostKey.split(' ').slice(0, 2).join(' ')}`)

      const again = await runTk(['exec', target(machines.trixie), ...flags, '--host-key-policy', 'strict', '--', 'echo hi'], {env})
      expect(again.code).to.equal(0)
      // Now a different key at that address is a changed key, refused even under accept-new.
      writeFileSync(knownHosts, recorded.replace(machines.trixie.machine.hostKey.split(' ')[1], machines.bullseye.machine.hostKey.split(' ')[1]))
      const changed = await runTk(['exec', target(machines.trixie), ...flags, '--host-key-policy', 'accept-new', '--', 'true'], {env})
      expect(changed.code).to.equal(7)
    })

    it('matches a hashed known_hosts entry', async () => {
      const knownHosts = join(dir, 'hashed_known_hosts')
      copyFileSync(fixture.sandbox.home.knownHosts, knownHosts)
      const hashed = spawnSync('ssh-keygen', ['-H', '-f', knownHosts], {encoding: 'utf8'})
      expect(hashed.status).to.equal(0)
      expect(readFileSync(knownHosts, 'utf8')).to.match(/^\|1\|/m)
      expect(readFileSync(knownHosts, 'utf8')).to.not.contain('127.0.0.1')
      const {code, stdout} = await runTk(['exec', target(machines.bookworm), ...credentials('admin', knownHosts), '--', 'echo hashed-ok'], {env})
      expect(code).to.equal(0)
      expect(stdout).to.equal('hashed-ok\n')
    })
  })

  it('reaches a machine through another with ProxyJump from ~/.ssh/config', async () => {
    const inner = machines.trixie
    const sshConfig = join(dir, 'ssh_config')
    const knownHosts = join(dir, 'jump_known_hosts')
    copyFileSync(fixture.sandbox.home.knownHosts, knownHosts)
    // The inner machine is addressed by its name on the run's network, reachable only from the jump host.
    const innerKey = inner.machine.hostKey.split(' ').slice(0, 2).join(' ')
    appendFileSync(knownHosts, `${inner.name} ${innerKey}\n`)
    const identity = fixture.sandbox.credentials.users.admin.identityFile
    writeFileSync(
      sshConfig,
      [
        'Host jump',
        '  HostName 127.0.0.1',
        `  Port ${machines.bookworm.port}`,
        '  User admin',
        `  IdentityFile ${identity}`,
        'Host inner',
        `  HostName ${inner.name}`,
        '  User admin',
        `  IdentityFile ${identity}`,
        '  ProxyJump jump',
        '',
      ].join('\n'),
    )
    const {code, stdout, stderr} = await runTk(['exec', 'inner', '--ssh-config', sshConfig, '--known-hosts', knownHosts, '--host-key-policy', 'strict', '--', 'hostname'], {env})
    expect(code, stderr).to.equal(0)
    expect(stdout.trim()).to.equal(inner.name)
  })

  it('logs in on a jump host once for all the hosts behind it', async () => {
    const jump = machines.bookworm
    const inner = [machines.bullseye, machines.trixie]
    const sshConfig = join(dir, 'ssh_config_shared_jump')
    const knownHosts = join(dir, 'shared_jump_known_hosts')
    copyFileSync(fixture.sandbox.home.knownHosts, knownHosts)
    for (const machine of inner) appendFileSync(knownHosts, `${machine.name} ${machine.machine.hostKey.split(' ').slice(0, 2).join(' ')}\n`)
    const identity = fixture.sandbox.credentials.users.admin.identityFile
    writeFileSync(
      sshConfig,
      [
        'Host jump',
        '  HostName 127.0.0.1',
        `  Port ${jump.port}`,
        '  User admin',
        `  IdentityFile ${identity}`,
        ...inner.flatMap((machine, index) => [`Host inner-${index}`, `  HostName ${machine.name}`, '  User admin', `  IdentityFile ${identity}`, '  ProxyJump jump']),
        '',
      ].join('\n'),
    )
    // Logins on the jump host, as its sshd logs them (the counting login itself included).
    const logins = async () => Number((await jump.ssh('admin', "sudo -n journalctl _COMM=sshd --no-pager -o cat | grep -c '^Accepted publickey for admin'")).stdout.trim())
    const before = await logins()
    const started = Date.now()
    const {code, stdout, stderr} = await runTk(['exec', 'inner-0', 'inner-1', '--ssh-config', sshConfig, '--known-hosts', knownHosts, '--host-key-policy', 'strict', '--', 'hostname'], {env})
    expect(code, stderr).to.equal(0)
    expect(stdout).to.contain(inner[0].name).and.to.contain(inner[1].name)
    // Done, tk exits: no TCP connection left waiting on the jump host's sshd (its LoginGraceTime is 120 s).
    expect(Date.now() - started).to.be.lessThan(60_000)
    expect((await logins()) - before - 1).to.equal(1)
  })

  it("with IdentitiesOnly, has the agent sign for the identity file's key and offers it nothing else", async () => {
    // The agent holds six other keys, then admin's; the identity file is an encrypted copy of admin's key,
    // whose passphrase tk is not given. Offering the agent's keys in turn, sshd's MaxAuthTries (6) would end
    // the login before admin's; ignoring the agent, tk could not use the encrypted file.
    const agentDir = mkdtempSync(join(tmpdir(), 'tk-agent-'))
    const socket = join(agentDir, 'agent.sock')
    const agent = spawn('ssh-agent', ['-D', '-a', socket], {stdio: 'ignore'})
    try {
      for (let attempt = 0; attempt < 100 && !existsSync(socket); attempt++) await new Promise((resolve) => setTimeout(resolve, 50))
      const run = (command: string, args: string[]) => {
        const result = spawnSync(command, args, {env: {...process.env, SSH_AUTH_SOCK: socket}, encoding: 'utf8'})
        if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`)
        return result.stdout
      }
      for (let index = 0; index < 6; index++) {
        run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(agentDir, `other-${index}`)])
        run('ssh-add', ['-q', join(agentDir, `other-${index}`)])
      }
      const key = join(agentDir, 'admin')
      copyFileSync(fixture.sandbox.credentials.users.admin.identityFile, key)
      chmodSync(key, 0o600)
      run('ssh-add', ['-q', key])
      writeFileSync(`${key}.pub`, run('ssh-keygen', ['-y', '-f', key]))
      run('ssh-keygen', ['-q', '-p', '-f', key, '-P', '', '-N', 'only-the-agent-knows'])
      const sshConfig = join(agentDir, 'ssh_config')
      writeFileSync(sshConfig, ['Host agent-target', '  HostName 127.0.0.1', `  Port ${machines.bookworm.port}`, '  User admin', `  IdentityFile ${key}`, '  IdentitiesOnly yes', ''].join('\n'))
      const {code, stdout, stderr} = await runTk(
        ['exec', 'agent-target', '--ssh-config', sshConfig, '--known-hosts', fixture.sandbox.home.knownHosts, '--host-key-policy', 'strict', '--', 'echo signed-by-the-agent'],
        {env: {...env, SSH_AUTH_SOCK: socket}},
      )
      expect(code, stderr).to.equal(0)
      expect(stdout).to.equal('signed-by-the-agent\n')
    } finally {
      agent.kill()
      rmSync(agentDir, {recursive: true, force: true})
    }
  })

  describe('sudo', () => {
    it("runs op's root work with TK_SUDO_PASSWORD, and never prints the password", async () => {
      const password = fixture.sandbox.credentials.opPassword
      const {code, stdout, stderr} = await runTk(['exec', '--sudo', target(machines.bookworm, 'op'), ...credentials('op'), '--', 'id -u; whoami'], {env: {...env, TK_SUDO_PASSWORD: password}})
      expect(code, stderr).to.equal(0)
      expect(stdout).to.equal('0\nroot\n')
      expect(stdout + stderr).to.not.contain(password)
    })

    it('says clearly that sudo wants a password when none is given', async () => {
      const {code, stderr} = await runTk(['exec', '--sudo', target(machines.bookworm, 'op'), ...credentials('op'), '--', 'id -u'], {env})
      expect(code).to.equal(9)
      expect(stderr).to.match(/^tk: .*sudo.*password/i)
      expect(stderr).to.contain('TK_SUDO_PASSWORD')
    })

    it('refuses a wrong sudo password without echoing it', async () => {
      const wrong = 'not-the-password-4711'
      const {code, stdout, stderr} = await runTk(['exec', '--sudo', target(machines.bookworm, 'op'), ...credentials('op'), '--', 'id -u'], {env: {...env, TK_SUDO_PASSWORD: wrong}})
      expect(code).to.equal(9)
      expect(stdout + stderr).to.not.contain(wrong)
    })

    it('never prints a wrong login password', async () => {
      const secret = 'hunter2-secret-login'
      const {code, stdout, stderr} = await runTk(['exec', target(machines.bookworm, 'op'), '--known-hosts', fixture.sandbox.home.knownHosts, '-i', join(dir, 'missing-key'), '--', 'true'], {env: {...env, TK_SSH_PASSWORD: secret}})
      expect(code).to.equal(6)
      expect(stdout + stderr).to.not.contain(secret)
    })
  })

  describe('tk ssh with stdin that is not a terminal', () => {
    /** tk ssh with stdin from `input` (a pipe), or from /dev/null when input is undefined; killed after 30 s. */
    const sshWith = (args: string[], input: string | undefined) =>
      new Promise<{code: number | null; stdout: string; stderr: string; ms: number}>((resolve, reject) => {
        const started = Date.now()
        const child = spawn(process.execPath, [TK_BIN, 'ssh', ...args, target(machines.bookworm), ...credentials()], {
          env: {...process.env, ...env, NO_COLOR: '1'},
          stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
          timeout: 30_000,
        })
        let stdout = ''
        let stderr = ''
        child.stdout!.on('data', (chunk) => (stdout += chunk))
        child.stderr!.on('data', (chunk) => (stderr += chunk))
        child.on('error', reject)
        child.on('close', (code) => resolve({code, stdout, stderr, ms: Date.now() - started}))
        if (input !== undefined) child.stdin!.end(input)
      })

    it('from /dev/null: no pty, no escape codes, and the session ends at once with the shell\'s exit code', async () => {
      const {code, stdout, stderr, ms} = await sshWith([], undefined)
      expect(code, stderr).to.equal(0)
      expect(stdout + stderr).not.to.contain('\u001B')
      expect(ms).to.be.lessThan(15_000)
    })

    it('from a pipe: runs its commands without a pty, keeps stderr apart, ends with stdin and returns the remote exit code', async () => {
      const {code, stdout, stderr} = await sshWith([], 'id -un\ntty || true\necho to-stderr >&2\nexit 3\n')
      expect(code).to.equal(3)
      // The login's message of the day comes first, as with OpenSSH (pam_motd runs for every shell session).
      expect(stdout).to.match(/(^|\n)admin\nnot a tty\n$/)
      expect(stdout + stderr).not.to.contain('\u001B')
      expect(stderr).to.equal('to-stderr\n')
      const ended = await sshWith([], 'echo last\n')
      expect(ended.code, ended.stderr).to.equal(0)
      expect(ended.stdout).to.match(/(^|\n)last\n$/)
    })

    it('with -t: a pty all the same', async () => {
      const {code, stdout} = await sshWith(['-t'], 'tty\nexit 5\n')
      expect(code).to.equal(5)
      expect(stdout).to.match(/^\/dev\/pts\/\d+\r?$/m)
    })
  })

  it('tk ssh -T on a terminal gives no pty, and the session ends with the input (under tmux)', async () => {
    const session = `tk-ssh-T-${process.pid}`
    const marker = join(dir, 'ssh-T-exit')
    const command = [process.execPath, TK_BIN, 'ssh', '-T', target(machines.bookworm), ...credentials()].map((word) => `'${word}'`).join(' ')
    const {tmux, screen, waitFor} = tmuxTerminal(session)
    expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', `SSH_AUTH_SOCK= ${command}; echo "exit=$?" > ${marker}; sleep 30`).status).to.equal(0)
    try {
      tmux('send-keys', '-t', session, 'tty; echo "remote $(whoami)"', 'Enter')
      await waitFor(/^remote admin$/m, 'command output')
      expect(screen()).to.match(/^not a tty$/m)
      // Ctrl-D on the local terminal: the end of stdin, which ends the remote shell.
      tmux('send-keys', '-t', session, 'C-d')
      for (let attempt = 0; attempt < 100 && !existsSync(marker); attempt++) {
        // eslint-disable-next-line no-await-in-loop
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(readFileSync(marker, 'utf8').trim()).to.equal('exit=0')
    } finally {
      tmux('kill-session', '-t', session)
    }
  })

  it('tk ssh gives a shell with a pty that follows resizes and returns the exit code (under tmux)', async () => {
    const session = `tk-ssh-${process.pid}`
    const marker = join(dir, 'ssh-exit')
    const command = [process.execPath, TK_BIN, 'ssh', target(machines.bookworm), ...credentials()].map((word) => `'${word}'`).join(' ')
    const {tmux, waitFor} = tmuxTerminal(session)
    expect(tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', `SSH_AUTH_SOCK= ${command}; echo "exit=$?" > ${marker}; sleep 30`).status).to.equal(0)
    try {
      await waitFor(/admin@\S+:~\$\s*$/m, "prompt")
      tmux('send-keys', '-t', session, 'echo "size $(stty size)"', 'Enter')
      await waitFor(/^size 30 100$/m, 'initial size')
      tmux('resize-window', '-t', session, '-x', '120', '-y', '40')
      await new Promise((resolve) => setTimeout(resolve, 300))
      tmux('send-keys', '-t', session, 'echo "size $(stty size)"', 'Enter')
      await waitFor(/^size 40 120$/m, 'resized size')
      tmux('send-keys', '-t', session, 'exit 42', 'Enter')
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          if (readFileSync(marker, 'utf8').trim() === 'exit=42') break
        } catch {}
        // eslint-disable-next-line no-await-in-loop
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(readFileSync(marker, 'utf8').trim()).to.equal('exit=42')
    } finally {
      tmux('kill-session', '-t', session)
    }
  })
})
