/**
 * Trust on a real sshd. Host keys as the user's OpenSSH set-up pins them:
 * known_hosts files and StrictHostKeyChecking from ~/.ssh/config, a host whose
 * sshd presents a certificate from a host CA (@cert-authority), @revoked keys.
 * And secret prompts when two hosts ask at once, on a terminal (tmux).
 * tk runs with HOME in a scratch directory, so ~/.ssh is the test's own.
 */
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk, TK_BIN} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {tmuxTerminal} from '../support/terminal.js'

describe('host keys and secret prompts on a sandbox machine', function () {
  this.timeout(10 * 60_000)
  let fixture: SandboxFixture
  let machine: TestMachine
  let dir: string
  let home: string
  /** The machine's own host key, "ssh-ed25519 AAAA…". */
  let hostKey: string

  const env = () => ({HOME: home, SSH_AUTH_SOCK: '', TK_SSH_PASSWORD: '', TK_SSH_PASSPHRASE: '', TK_SUDO_PASSWORD: '', TK_KNOWN_HOSTS: '', TK_HOST_KEY_POLICY: ''})
  const userKnownHosts = () => join(home, '.ssh', 'known_hosts')
  /** Another key of the same type: what a pinned host "was" before an impostor took its address. */
  const otherKey = () => {
    const file = join(dir, `other-${Date.now()}`)
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file])
    return readFileSync(`${file}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')
  }
  /** An ssh config naming the machine `fleet-host`, with the given extra lines. */
  const sshConfig = (...lines: string[]) => {
    const file = join(dir, `ssh_config-${Date.now()}`)
    writeFileSync(
      file,
      [
        'Host fleet-host',
        '  HostName 127.0.0.1',
        `  Port ${machine.port}`,
        '  User admin',
        `  IdentityFile ${fixture.sandbox.credentials.users.admin.identityFile}`,
        ...lines.map((line) => `  ${line}`),
        '',
      ].join('\n'),
    )
    return file
  }
  const tkExec = (config: string, ...flags: string[]) => runTk(['exec', 'fleet-host', '--ssh-config', config, ...flags, '--', 'echo ran'], {env: env()})

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm']})
    machine = await fixture.machine({release: 'bookworm', keep: true})
    hostKey = machine.machine.hostKey.split(' ').slice(0, 2).join(' ')
  })

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tk-hostkeys-'))
    home = join(dir, 'home')
    mkdirSync(join(home, '.ssh'), {recursive: true, mode: 0o700})
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  describe('UserKnownHostsFile and StrictHostKeyChecking in ~/.ssh/config', () => {
    it('refuses a host pinned to another key in the config\'s known_hosts file (StrictHostKeyChecking yes), exit 7, recording nothing', async () => {
      const fleetFile = join(dir, 'fleet_known_hosts')
      writeFileSync(fleetFile, `[127.0.0.1]:${machine.port} ${otherKey()}\n`)
      const config = sshConfig(`UserKnownHostsFile ${fleetFile}`, 'StrictHostKeyChecking yes')
      const {code, stdout, stderr} = await tkExec(config)
      expect(code, stderr).to.equal(7)
      expect(stdout).to.not.include('ran')
      expect(stderr).to.match(/HOST KEY CHANGED/).and.include(`${fleetFile}:1`)
      expect(existsSync(userKnownHosts()), '~/.ssh/known_hosts written').to.equal(false)
    })

    it('reads every UserKnownHostsFile in order, and under StrictHostKeyChecking yes refuses a key none of them has', async () => {
      const first = join(dir, 'first_known_hosts')
      const second = join(home, 'second_known_hosts')
      writeFileSync(first, '')
      writeFileSync(second, '')
      const config = sshConfig(`UserKnownHostsFile ${first} ~/second_known_hosts`, 'StrictHostKeyChecking yes')
      const unknown = await tkExec(config)
      expect(unknown.code, unknown.stderr).to.equal(7)
      expect(unknown.stderr).to.match(/not known .* strict/)
      writeFileSync(second, `[127.0.0.1]:${machine.port} ${hostKey}\n`)
      const pinned = await tkExec(config)
      expect(pinned.code, pinned.stderr).to.equal(0)
      expect(pinned.stdout).to.equal('ran\n')
      expect(readFileSync(first, 'utf8')).to.equal('')
      // The command line wins over the config, as ssh -o does: accept-new records in the first file.
      const flagged = await tkExec(config, '--known-hosts', first, '--host-key-policy', 'accept-new')
      expect(flagged.code, flagged.stderr).to.equal(0)
      expect(readFileSync(first, 'utf8')).to.equal(`[127.0.0.1]:${machine.port} ${hostKey}\n`)
    })

    it('records an unknown key in the first UserKnownHostsFile under StrictHostKeyChecking no, and still refuses a changed one', async () => {
      const fleetFile = join(dir, 'fleet_known_hosts')
      const config = sshConfig(`UserKnownHostsFile ${fleetFile} ~/.ssh/known_hosts`, 'StrictHostKeyChecking no')
      const first = await tkExec(config)
      expect(first.code, first.stderr).to.equal(0)
      expect(readFileSync(fleetFile, 'utf8')).to.equal(`[127.0.0.1]:${machine.port} ${hostKey}\n`)
      writeFileSync(fleetFile, `[127.0.0.1]:${machine.port} ${otherKey()}\n`)
      const changed = await tkExec(config)
      expect(changed.code, changed.stderr).to.equal(7)
    })
  })

  describe('a host CA and revoked keys', () => {
    let ca: string
    before(async () => {
      // A host CA signs the machine's host key; its sshd presents the certificate (HostCertificate).
      const caDir = mkdtempSync(join(tmpdir(), 'tk-hostca-'))
      ca = join(caDir, 'host_ca')
      spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test host CA', '-f', ca])
      writeFileSync(join(caDir, 'host.pub'), `${hostKey}\n`)
      const signed = spawnSync('ssh-keygen', ['-q', '-s', ca, '-I', 'sandbox-host', '-h', '-n', '127.0.0.1', join(caDir, 'host.pub')], {encoding: 'utf8'})
      expect(signed.status, signed.stderr).to.equal(0)
      const certificate = readFileSync(join(caDir, 'host-cert.pub'), 'utf8')
      const install = await machine.ssh(
        'admin',
        'sudo tee /etc/ssh/ssh_host_ed25519_key-cert.pub >/dev/null && echo "HostCertificate /etc/ssh/ssh_host_ed25519_key-cert.pub" | sudo tee /etc/ssh/sshd_config.d/host-certificate.conf >/dev/null && sudo systemctl reload ssh',
        {input: certificate},
      )
      expect(install.code, install.stderr).to.equal(0)
      // sshd re-executes itself on reload: wait (bounded) until it answers again.
      for (let attempt = 0; attempt < 40; attempt++) {
        // eslint-disable-next-line no-await-in-loop -- polling the restarted sshd
        if ((await machine.ssh('admin', 'true')).code === 0) break
        // eslint-disable-next-line no-await-in-loop
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    })

    const caLine = () => `@cert-authority [127.0.0.1]:${machine.port} ${readFileSync(`${ca}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}`

    it('has an sshd that OpenSSH trusts through the CA alone (the set-up is real)', () => {
      const caOnly = join(dir, 'ca_known_hosts')
      writeFileSync(caOnly, `${caLine()}\n`)
      const args = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${caOnly}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes']
      const ssh = spawnSync('ssh', [...args, '-i', fixture.sandbox.credentials.users.admin.identityFile, '-p', String(machine.port), 'admin@127.0.0.1', 'echo via-ca'], {encoding: 'utf8'})
      expect(ssh.status, ssh.stderr).to.equal(0)
      expect(ssh.stdout).to.equal('via-ca\n')
    })

    it('refuses a CA-managed host whose own key is not pinned, even under accept-new, in one line, recording nothing', async () => {
      writeFileSync(userKnownHosts(), `${caLine()}\n`)
      const {code, stdout, stderr} = await tkExec(sshConfig(), '--host-key-policy', 'accept-new')
      expect(code, stderr).to.equal(7)
      expect(stdout).to.not.include('ran')
      expect(stderr.trim().split('\n')).to.have.length(1)
      expect(stderr).to.include('@cert-authority').and.include(`${userKnownHosts()}:1`)
      expect(readFileSync(userKnownHosts(), 'utf8')).to.equal(`${caLine()}\n`)
    })

    it('connects to a CA-managed host whose own key is pinned beside the CA line', async () => {
      writeFileSync(userKnownHosts(), `${caLine()}\n[127.0.0.1]:${machine.port} ${hostKey}\n`)
      const {code, stdout, stderr} = await tkExec(sshConfig(), '--host-key-policy', 'strict')
      expect(code, stderr).to.equal(0)
      expect(stdout).to.equal('ran\n')
    })

    it('refuses a key marked @revoked, even when it is pinned too', async () => {
      writeFileSync(userKnownHosts(), `[127.0.0.1]:${machine.port} ${hostKey}\n@revoked * ${hostKey}\n`)
      const {code, stderr} = await tkExec(sshConfig(), '--host-key-policy', 'accept-new')
      expect(code, stderr).to.equal(7)
      expect(stderr).to.include('@revoked')
    })
  })

  it('asks for two hosts\' sudo passwords one at a time, each answer going to its own host (under tmux)', async () => {
    // Two aliases of the machine, each its own connection (their key lists differ), as two hosts of a fleet.
    const op = fixture.sandbox.credentials.users.op.identityFile
    const config = join(dir, 'ssh_config')
    const host = (alias: string, ...extra: string[]) => [`Host ${alias}`, '  HostName 127.0.0.1', `  Port ${machine.port}`, '  User op', `  IdentityFile ${op}`, ...extra]
    writeFileSync(config, [...host('web-a'), ...host('web-b', `  IdentityFile ${join(dir, 'absent-key')}`), ''].join('\n'))
    const knownHosts = join(dir, 'known_hosts')
    writeFileSync(knownHosts, `[127.0.0.1]:${machine.port} ${hostKey}\n`)
    const session = `tk-prompts-${process.pid}`
    const marker = join(dir, 'exit')
    const tk = [process.execPath, TK_BIN, 'exec', '--sudo', 'web-a', 'web-b', '--concurrency', '2', '--ssh-config', config, '--known-hosts', knownHosts, '--host-key-policy', 'strict', '--', 'whoami']
    const command = tk.map((word) => `'${word}'`).join(' ')
    const {tmux, screen, waitFor} = tmuxTerminal(session)
    expect(tmux('new-session', '-d', '-s', session, '-x', '150', '-y', '40', `HOME=${home} SSH_AUTH_SOCK= TK_SUDO_PASSWORD= NO_COLOR=1 ${command} > ${dir}/out; echo "exit=$?" > ${marker}; sleep 30`).status).to.equal(0)
    try {
      await waitFor(/\[sudo\] password for op on \S+:/, 'the first sudo prompt')
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(screen().match(/\[sudo\] password/g), 'prompts on the screen at once').to.have.length(1)
      tmux('send-keys', '-t', session, fixture.sandbox.credentials.opPassword, 'Enter')
      await waitFor(/(\[sudo\] password for op on \S+:[\s\S]*){2}/, 'the second sudo prompt')
      tmux('send-keys', '-t', session, 'not-the-password-4711', 'Enter')
      for (let attempt = 0; attempt < 150 && !existsSync(marker); attempt++) {
        // eslint-disable-next-line no-await-in-loop -- waiting for tk to end
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const output = readFileSync(join(dir, 'out'), 'utf8') + screen()
      // One host got the right password and ran as root; the other got the wrong one and only it was refused.
      expect(output.match(/\| root$/gm), output).to.have.length(1)
      expect(output).to.match(/sudo rejected the password for op/)
      expect(output).to.not.include(fixture.sandbox.credentials.opPassword).and.not.include('not-the-password-4711')
      expect(readFileSync(marker, 'utf8').trim()).to.equal('exit=9')
    } finally {
      tmux('kill-session', '-t', session)
    }
  })
})
