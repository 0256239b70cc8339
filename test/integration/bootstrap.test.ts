/**
 * tk bootstrap on a real sandbox machine made to look like a new server: sshd
 * lets root in with a password and nobody in with a key (the provider's
 * drop-in 00-provider.conf says "PasswordAuthentication yes" and
 * "PermitRootLogin yes"; no authorized_keys anywhere). tk turns it into a
 * key-only host with a sudo-capable admin, and a re-run changes nothing.
 * --harden is tested twice: with the test hook TK_TEST_BOOTSTRAP_INVALID_SSHD_DROPIN=1
 * (the drop-in gets a keyword sshd does not know, so sshd -t refuses it) the
 * machine stays reachable by root's password as before; without it, hardening
 * wins over the provider's 00-provider.conf (sshd -T confirms). The password
 * is in no output, no --json and no file tk wrote.
 *
 * One machine, shared by the cases in order (each case starts from the state
 * the one before left).
 */
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {makeRootPasswordOnly} from '../../src/providers/sandbox/engine-exec.js'
import {runTk, type TkRun} from '../run-tk.js'
import {freeLocalPort, sandboxFixture, type TestMachine} from '../support/sandbox.js'

interface Step {
  step: string
  result: string
  detail: string
}
interface Report {
  login: string
  admin: string
  changed: boolean
  steps: Step[]
}
interface HostJson {
  target: string
  ok: boolean
  result?: Report
  error?: {message: string; exitCode: number}
}

describe('tk bootstrap: a root-password-only machine becomes key-only with a sudo admin', function () {
  this.timeout(10 * 60_000)
  let machine: TestMachine
  let dir: string
  let home: string
  // Quotes, spaces and shell characters: a password that any unquoted use would break or show.
  const password = `Pw ${randomBytes(9).toString('base64url')} $'"\\;`
  const runs: TkRun[] = []

  const target = () => `root@127.0.0.1:${machine.port}`
  // A long connect timeout: on a workstation loaded by parallel runs (load average 40-55 seen), a password login took over 10 s.
  const env = (withPassword = true) => ({HOME: home, SSH_AUTH_SOCK: '', TK_SSH_PASSWORD: withPassword ? password : '', TK_SSH_PASSPHRASE: '', TK_SUDO_PASSWORD: '', TK_KNOWN_HOSTS: '', TK_HOST_KEY_POLICY: '', TK_SSH_CONFIG: '', TK_CONFIG: '', TK_CONNECT_TIMEOUT: '60'})
  const tk = async (args: string[], withPassword = true) => {
    const run = await runTk(args, {env: env(withPassword), cwd: dir})
    runs.push(run)
    return run
  }
  const bootstrap = async (...flags: string[]) => {
    const run = await tk(['bootstrap', target(), '--user', 'fleet', '--json', ...flags])
    return {...run, host: (JSON.parse(run.stdout) as {hosts: HostJson[]}).hosts[0]}
  }
  const results = (report: Report | undefined) => Object.fromEntries((report?.steps ?? []).map((step) => [step.step, step.result]))
  const root = async (command: string, input = '') => {
    const run = await machine.engineExec(command, input)
    expect(run.code, `${command}: ${run.stderr}`).to.equal(0)
    return run.stdout
  }
  const sshdT = async () => (await root("sshd -T | grep -Ei '^(passwordauthentication|kbdinteractiveauthentication|permitrootlogin) ' | sort")).trim().split('\n')
  /** A fresh login as root with the password (none of the user's keys exist for root). */
  const rootByPassword = () => tk(['exec', target(), '--', 'id -un'])
  /** A fresh login as fleet with the key only, and sudo. */
  const fleetByKey = () => tk(['exec', `fleet@127.0.0.1:${machine.port}`, '--', 'sudo -n id -u'], false)

  before(async function () {
    const fixture = await sandboxFixture({releases: ['bookworm']})
    // A port the kernel says is free: the sandbox engine's own pick (the next of 32768...) may be
    // one another engine on this workstation holds (seen with other runs in parallel).
    machine = await fixture.machine({release: 'bookworm', keep: true, port: await freeLocalPort()})
    // The provider's set-up: root's password (on chpasswd's stdin, never on a command line),
    // password and root logins allowed by 00-provider.conf, no key for anyone.
    await makeRootPasswordOnly(fixture.sandbox.engine.docker, machine.machine.id, password)
    dir = mkdtempSync(join(tmpdir(), 'tk-bootstrap-'))
    home = join(dir, 'home')
    mkdirSync(join(home, '.ssh'), {recursive: true, mode: 0o700})
    // The identity tk logs in with by default: its .pub is the key --key defaults to.
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'fleet@workstation', '-f', join(home, '.ssh', 'id_ed25519')])
  })

  after(() => {
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('before: root gets in with the password only, nobody with a key', async () => {
    const byKey = await tk(['exec', target(), '--', 'true'], false)
    expect(byKey.code, byKey.stderr).to.equal(6)
    const byPassword = await rootByPassword()
    expect(byPassword.code, byPassword.stderr).to.equal(0)
    expect(byPassword.stdout.trim()).to.equal('root')
    // tk recorded the host key under the usual policy (accept-new into ~/.ssh/known_hosts).
    expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).to.include(machine.machine.hostKey.split(' ')[1])
  })

  it('--dry-run says what would change and changes nothing', async () => {
    const run = await bootstrap('--dry-run')
    expect(run.code, run.stderr).to.equal(0)
    expect(results(run.host.result)).to.deep.equal({user: 'would-change', key: 'would-change', sudo: 'would-change'})
    expect((await machine.engineExec('id fleet')).code).to.not.equal(0)
  })

  it('makes the admin with the key (owner and modes right) and sudo through a visudo-checked drop-in, and proves a fresh key login with sudo', async () => {
    const run = await bootstrap()
    expect(run.code, run.stderr).to.equal(0)
    const report = run.host.result!
    expect(report.login).to.equal(`root@127.0.0.1:${machine.port} with a password`)
    expect(results(report)).to.deep.equal({user: 'changed', key: 'changed', sudo: 'changed', proof: 'ok'})
    expect(await root('stat -c "%a %U %G %n" /home/fleet/.ssh /home/fleet/.ssh/authorized_keys; getent passwd fleet | cut -d: -f6,7')).to.equal(
      '700 fleet fleet /home/fleet/.ssh\n600 fleet fleet /home/fleet/.ssh/authorized_keys\n/home/fleet:/bin/bash\n',
    )
    expect(await root('cat /home/fleet/.ssh/authorized_keys')).to.equal(readFileSync(join(home, '.ssh', 'id_ed25519.pub'), 'utf8'))
    expect(await root('stat -c "%a %U" /etc/sudoers.d/tk-bootstrap-fleet; cat /etc/sudoers.d/tk-bootstrap-fleet')).to.equal('440 root\nfleet ALL=(ALL:ALL) NOPASSWD: ALL\n')
    expect(await root('ls -A /etc/sudoers.d'), 'the staged drop-in is gone').to.not.include('.tk-bootstrap')
    const byKey = await fleetByKey()
    expect(byKey.code, byKey.stderr).to.equal(0)
    expect(byKey.stdout.trim()).to.equal('0')
  })

  it('a re-run changes nothing, and works as the admin with the key (no password needed)', async () => {
    const before = await root('stat -c "%Y %n" /home/fleet/.ssh/authorized_keys /etc/sudoers.d/tk-bootstrap-fleet')
    const run = await tk(['bootstrap', target(), '--user', 'fleet', '--json'], false)
    expect(run.code, run.stderr).to.equal(0)
    const report = (JSON.parse(run.stdout) as {hosts: HostJson[]}).hosts[0].result!
    expect(report.changed).to.equal(false)
    expect(report.login).to.equal(`fleet@127.0.0.1:${machine.port} with a key`)
    expect(results(report)).to.deep.equal({user: 'ok', key: 'ok', sudo: 'ok', proof: 'ok'})
    expect(await root('stat -c "%Y %n" /home/fleet/.ssh/authorized_keys /etc/sudoers.d/tk-bootstrap-fleet')).to.equal(before)
  })

  it('--harden with an invalid drop-in (test hook TK_TEST_BOOTSTRAP_INVALID_SSHD_DROPIN=1): sshd -t refuses it, nothing stays, root still gets in by password', async () => {
    const run = await runTk(['bootstrap', target(), '--user', 'fleet', '--harden', '--json'], {env: {...env(), TK_TEST_BOOTSTRAP_INVALID_SSHD_DROPIN: '1'}, cwd: dir})
    runs.push(run)
    expect(run.code, run.stderr).to.equal(1)
    const host = (JSON.parse(run.stdout) as {hosts: HostJson[]}).hosts[0]
    expect(host.error?.message).to.match(/sshd -t refused the configuration with \/etc\/ssh\/sshd_config\.d\/00-00-tk-bootstrap\.conf, which was removed again before any reload/)
    expect(host.error?.message).to.include('TkBootstrapTestInvalidKeyword')
    expect(await root('ls -A /etc/ssh/sshd_config.d /etc/ssh')).to.not.include('tk-bootstrap')
    expect(await sshdT()).to.deep.equal(['kbdinteractiveauthentication no', 'passwordauthentication yes', 'permitrootlogin yes'])
    const byPassword = await rootByPassword()
    expect(byPassword.code, byPassword.stderr).to.equal(0)
  })

  it('--harden: key only, no root login, despite the provider\'s 00-provider.conf (sshd -T confirms); a fresh key login and sudo still work', async () => {
    const run = await bootstrap('--harden')
    expect(run.code, run.stderr).to.equal(0)
    expect(results(run.host.result)).to.deep.equal({user: 'ok', key: 'ok', sudo: 'ok', proof: 'ok', harden: 'changed'})
    expect(run.host.result!.steps.filter((step) => step.step === 'proof')).to.have.length(2)
    expect(await root('cat /etc/ssh/sshd_config.d/00-provider.conf')).to.equal('PasswordAuthentication yes\nPermitRootLogin yes\n')
    expect(await sshdT()).to.deep.equal(['kbdinteractiveauthentication no', 'passwordauthentication no', 'permitrootlogin no'])
    expect(await root('ls -A /etc/ssh')).to.not.include('.tk-bootstrap')
    const byPassword = await rootByPassword()
    expect(byPassword.code, byPassword.stderr).to.equal(6)
    const byKey = await fleetByKey()
    expect(byKey.code, byKey.stderr).to.equal(0)
  })

  it('a re-run with --harden changes nothing', async () => {
    const run = await bootstrap('--harden')
    expect(run.code, run.stderr).to.equal(0)
    expect(run.host.result!.changed).to.equal(false)
    expect(results(run.host.result)).to.deep.equal({user: 'ok', key: 'ok', sudo: 'ok', proof: 'ok', harden: 'ok'})
    const human = await tk(['bootstrap', target(), '--user', 'fleet', '--harden'])
    expect(human.code, human.stderr).to.equal(0)
    expect(human.stdout).to.match(/harden\s+ok/).and.match(/no changes/)
  })

  it('a tk.yml host with a bootstrap: block (login user, key relative to tk.yml, harden) is bootstrapped as its user, here with nothing left to change', async () => {
    writeFileSync(
      join(dir, 'tk.yml'),
      ['hosts:', '  - name: first', '    address: 127.0.0.1', `    port: ${machine.port}`, '    user: fleet', '    bootstrap:', '      user: root', '      key: home/.ssh/id_ed25519.pub', '      harden: true', ''].join('\n'),
    )
    const run = await tk(['bootstrap', 'first', '--json'], false)
    expect(run.code, run.stderr).to.equal(0)
    const host = (JSON.parse(run.stdout) as {hosts: HostJson[]}).hosts[0]
    expect(host.target).to.equal('first')
    expect(host.result).to.include({admin: 'fleet', changed: false, login: `fleet@127.0.0.1:${machine.port} with a key`})
    expect(results(host.result)).to.deep.equal({user: 'ok', key: 'ok', sudo: 'ok', proof: 'ok', harden: 'ok'})
  })

  it('the password is in no output, no --json, no file tk wrote, and no file on the host', async () => {
    expect(runs.length).to.be.greaterThan(8)
    for (const run of runs) {
      expect(run.stdout).to.not.include(password)
      expect(run.stderr).to.not.include(password)
    }
    const files = (path: string): string[] => (statSync(path).isDirectory() ? readdirSync(path).flatMap((name) => files(join(path, name))) : [path])
    const written = files(dir)
    expect(written).to.include(join(home, '.ssh', 'known_hosts'))
    for (const file of written) expect(readFileSync(file, 'latin1'), file).to.not.include(password)
    // On the host: the password is read from stdin, never named on this command line.
    const found = await machine.engineExec('pw=$(cat); grep -rlsF -- "$pw" /etc /home /root /tmp /var/tmp /var/lib /var/log /run 2>/dev/null; true', password)
    expect(found.stdout).to.equal('')
  })
})
