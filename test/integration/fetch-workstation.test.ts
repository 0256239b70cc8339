/**
 * Packages through the workstation (engine.fetch: workstation, --fetch-via
 * workstation), on real machines that reach nothing but themselves
 * (test/support/no-egress.ts): tk up installs the engine with every package
 * fetched by tk's proxy on this machine over the SSH connection, the host's
 * apt configuration is the same afterwards, and a container runs from an
 * image loaded from an archive (the host cannot pull). A host whose sshd
 * forbids forwarding gets one line that says so. The proxy's log
 * (TK_FETCH_PROXY_LOG, documented in docs/offline.md) is what proves apt's
 * requests went through the forwarded port: the host has no other way out.
 */
import {expect} from 'chai'
import {appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'
import {imageArchive} from '../support/image-archive.js'
import {cutOffEgress, restoreEgress} from '../support/no-egress.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, sandboxFlags, sandboxFleetYaml, target} from '../support/tk-hosts.js'

const RELEASES = ['bookworm', 'trixie'] as const
// Every file under /etc/apt with its hash: the host's apt configuration, to compare before and after.
const APT_CONFIG = "sudo -n sh -c 'find /etc/apt -type f -exec sha256sum {} + | sort; find /etc/apt | sort'"

describe('packages through the workstation, on hosts that reach nothing but themselves', function () {
  this.timeout(20 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  const machines = new Map<string, TestMachine>()

  before(async () => {
    fixture = await sandboxFixture({releases: [...RELEASES]})
    dir = mkdtempSync(join(tmpdir(), 'tk-fetch-'))
    const archive = imageArchive({layer: busyboxImageTar(), tags: ['tk-test/busybox:1'], cmd: ['true']})
    writeFileSync(join(dir, 'busybox.tar'), archive.tar)
    const made = await Promise.all(RELEASES.map((release) => fixture.machine({release, keep: true})))
    for (const [index, release] of RELEASES.entries()) machines.set(release, made[index])
    await Promise.all(made.map((machine) => cutOffEgress(machine)))
  })

  after(async () => {
    await Promise.all([...machines.values()].map((machine) => restoreEgress(machine).catch(() => {})))
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('says in a dry run where the packages will come from', async () => {
    const machine = machines.get('bookworm')!
    const run = await runTk(['provision', target(machine), ...sandboxFlags(fixture), '--fetch-via', 'workstation', '--dry-run', '--json'], {env: cleanEnv})
    expect(run.code, run.stderr).to.equal(0)
    const install = JSON.parse(run.stdout).hosts[0].result.steps.find((step: {id: string}) => step.id === 'install')
    expect(install.detail, run.stdout).to.match(/^apt: docker\.io.*, through the workstation \(over SSH\)$/)
  })

  it('refuses a host whose sshd forbids forwarding in one line that points to offline bundles, with nothing changed', async () => {
    const machine = machines.get('bookworm')!
    const forbid = "printf 'AllowTcpForwarding no\\n' > /etc/ssh/sshd_config.d/tk-test-forwarding.conf && systemctl reload ssh"
    expect((await machine.ssh('admin', 'sudo -n sh -s', {input: forbid})).code).to.equal(0)
    try {
      const run = await runTk(['provision', target(machine), ...sandboxFlags(fixture), '--fetch-via', 'workstation'], {env: cleanEnv})
      const lines = run.stderr.trim().split('\n').filter((line) => !/^\s*(hint|→)/i.test(line))
      expect(run.code, `${run.stderr}\n${run.stdout}`).to.equal(1)
      expect(run.stderr).to.match(/forbids port forwarding \(AllowTcpForwarding\)/)
      expect(run.stderr).to.include('docs/offline.md')
      expect(run.stderr).not.to.match(/\n\s+at /)
      expect(lines.filter((line) => line.includes('AllowTcpForwarding')), run.stderr).to.have.length(1)
      expect((await machine.ssh('admin', 'dpkg-query -W docker.io')).code, 'no engine installed').to.not.equal(0)
    } finally {
      await machine.ssh('admin', 'sudo -n sh -s', {input: 'rm -f /etc/ssh/sshd_config.d/tk-test-forwarding.conf && systemctl reload ssh'})
    }
  })

  for (const release of RELEASES) {
    it(`on ${release}: tk up installs the engine through the workstation and runs a container; /etc/apt is unchanged`, async () => {
      const machine = machines.get(release)!
      const before = await machine.ssh('admin', APT_CONFIG)
      expect(before.code).to.equal(0)
      // The premise: on its own, the host's apt reaches nothing.
      const alone = await machine.ssh('admin', 'sudo -n apt-get -q -o Acquire::Retries=0 update 2>&1')
      expect(alone.stdout, alone.stdout).to.match(/^(Err|W):/m)

      const log = join(dir, `proxy-${release}.log`)
      writeFileSync(
        join(dir, 'tk.yml'),
        sandboxFleetYaml(fixture, [{name: 'web1', machine}], ['engine:', '  fetch: workstation', 'provisioners:', '  - name: app', '    type: docker', '    image: tk-test/busybox:1', '    load: busybox.tar']),
      )
      const run = await runTk(['up', '--json'], {cwd: dir, env: {...cleanEnv, TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts, TK_FETCH_PROXY_LOG: log}})
      expect(run.code, `${run.stderr}\n${run.stdout}`).to.equal(0)

      // Every request apt made went through tk's proxy, over the forwarded port: passed ones only.
      const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []
      const passed = lines.filter((line) => / passed (GET|CONNECT) /.test(line))
      expect(passed.length, lines.join('\n')).to.be.greaterThan(10)
      expect(lines.filter((line) => line.includes(' refused ')), lines.join('\n')).to.deep.equal([])
      expect(passed.some((line) => line.includes('deb.debian.org'))).to.equal(true)

      const after = await machine.ssh('admin', APT_CONFIG)
      expect(after.stdout, "the host's apt configuration").to.equal(before.stdout)
      const container = await machine.ssh('admin', 'sudo -n docker run --rm tk-test/busybox:1 echo ran')
      expect(container.stdout.trim(), container.stderr).to.equal('ran')

      // tk status says how the engine came.
      const status = await runTk(['status', '--json'], {cwd: dir, env: {...cleanEnv, TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts}})
      expect(status.stdout, status.stderr).to.match(/"installedVia":\s*"workstation"/)
    })
  }

  it('through a jump host (ProxyJump): the forward is on the connection to the host itself, behind the jump host', async () => {
    const [jump, inner] = await Promise.all([fixture.machine({release: 'bookworm'}), fixture.machine({release: 'bookworm'})])
    await cutOffEgress(inner)
    const sshConfig = join(dir, 'ssh_config_jump')
    const knownHosts = join(dir, 'known_hosts_jump')
    copyFileSync(fixture.sandbox.home.knownHosts, knownHosts)
    // The inner machine by its name on the run's network: reachable only from the jump host.
    appendFileSync(knownHosts, `${inner.name} ${inner.machine.hostKey.split(' ').slice(0, 2).join(' ')}\n`)
    const identity = fixture.sandbox.credentials.users.admin.identityFile
    writeFileSync(
      sshConfig,
      ['Host jump', '  HostName 127.0.0.1', `  Port ${jump.port}`, '  User admin', `  IdentityFile ${identity}`, 'Host inner', `  HostName ${inner.name}`, '  User admin', `  IdentityFile ${identity}`, '  ProxyJump jump', ''].join('\n'),
    )
    const log = join(dir, 'proxy-jump.log')
    const run = await runTk(['provision', 'inner', '--ssh-config', sshConfig, '--known-hosts', knownHosts, '--host-key-policy', 'strict', '--fetch-via', 'workstation', '--no-compose'], {
      env: {...cleanEnv, TK_FETCH_PROXY_LOG: log},
    })
    expect(run.code, `${run.stderr}\n${run.stdout}`).to.equal(0)
    const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []
    expect(lines.filter((line) => / passed (GET|CONNECT) deb\.debian\.org/.test(line)).length, lines.join('\n')).to.be.greaterThan(5)
    expect(lines.filter((line) => line.includes(' refused ')), lines.join('\n')).to.deep.equal([])
    expect((await inner.ssh('admin', 'sudo -n docker version --format "{{.Server.Version}}"')).code).to.equal(0)
  })
})
