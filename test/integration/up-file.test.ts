/**
 * The file provisioner of `tk up` on a sandbox machine whose users are not
 * to be trusted (issue 19): tk writes as root, so a destination whose path
 * holds a symbolic link, or a directory that a user other than root and the
 * files' owner can change, is refused in one line with nothing written.
 * Otherwise files are staged where only root can go and renamed into place.
 * The scene: mallory owns /srv/app and has made /srv/app/conf a link to
 * /etc/demo.d, hoping tk writes there as root.
 */
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {FileProvisioner} from '../../src/config/types.js'
import {HostStateError} from '../../src/errors/index.js'
import {emptyState} from '../../src/facts/up-state.js'
import type {SshHost} from '../../src/transport/ssh-host.js'
import {runFileProvisioner} from '../../src/up/provisioners/file.js'
import {SpecHasher} from '../../src/up/spec-hash.js'
import type {ProvisionerRun} from '../../src/up/provisioners/types.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {connectTransport} from '../support/tk-hosts.js'

describe('tk up: the file provisioner among host users who may not be trusted', function () {
  this.timeout(10 * 60_000)
  let fixture: SandboxFixture
  let machine: TestMachine
  let login: SshHost
  let dir: string

  /** A script run as root on the machine (on stdin: no quoting to get wrong); its stdout. */
  const root = async (script: string) => {
    const result = await machine.ssh('admin', 'sudo -n sh -s', {input: `set -eu\n${script}\n`})
    if (result.code !== 0) throw new Error(`${script} failed: ${result.stderr}`)
    return result.stdout
  }

  const file = (overrides: Partial<FileProvisioner>): FileProvisioner => ({
    name: 'app-conf',
    type: 'file',
    run: 'always',
    hosts: ['web-1'],
    source: join(dir, 'app.conf'),
    destination: '/srv/app/conf/app.conf',
    followSymlinks: false,
    drift: 'check',
    ...overrides,
  })

  const provision = (provisioner: FileProvisioner, dryRun = false): Promise<ProvisionerRun> =>
    runFileProvisioner(provisioner, {target: 'web-1', hosts: {login, root: login.asRoot()}, state: emptyState(), dryRun, secrets: [], specs: new SpecHasher(randomBytes(32))})

  /** The one-line error of a refused run. */
  const refusal = async (provisioner: FileProvisioner, dryRun = false): Promise<string> => {
    const outcome = await provision(provisioner, dryRun).then(
      (run) => run,
      (error: Error) => error,
    )
    expect(outcome, `${provisioner.destination} was not refused: ${JSON.stringify(outcome)}`).to.be.instanceOf(HostStateError)
    const {message} = outcome as HostStateError
    expect(message.split('\n')).to.have.length(1)
    return message
  }

  /** What root-owned places hold after a refusal: nothing may have been written. */
  const untouched = async () => {
    expect(await root('ls -A /etc/demo.d; ls -A /var/lib/tk/staging 2>/dev/null || true; find /srv -name ".tk-file*"')).to.equal('')
  }

  before(async () => {
    fixture = await sandboxFixture({releases: ['bookworm']})
    machine = await fixture.machine({release: 'bookworm', keep: true})
    dir = mkdtempSync(join(tmpdir(), 'tk-up-file-'))
    writeFileSync(join(dir, 'app.conf'), 'options demo evil=0\n')
    mkdirSync(join(dir, 'conf.d', 'sub'), {recursive: true})
    writeFileSync(join(dir, 'conf.d', 'app.conf'), 'a=1\n')
    writeFileSync(join(dir, 'conf.d', 'sub', 'more.conf'), 'b=2\n')
    await root(
      [
        'useradd -M -s /bin/sh mallory',
        'useradd -M -s /bin/sh app',
        'groupadd crew && usermod -aG crew mallory',
        'mkdir -p /etc/demo.d /srv/app /srv/last /srv/shared /srv/open /srv/team /srv/mine',
        'chown mallory /srv/app /srv/last /srv/mine',
        // What mallory can do without root: links in directories of hers.
        'su mallory -c "ln -s /etc/demo.d /srv/app/conf; ln -s /etc/demo.d /srv/last/app.conf"',
        'chgrp crew /srv/shared && chmod 775 /srv/shared',
        'chgrp app /srv/team && chmod 775 /srv/team',
        'chmod 777 /srv/open',
      ].join('\n'),
    )
    login = await connectTransport(fixture, machine)
  })

  after(async () => {
    await login?.close()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('refuses a destination under a link a user made (/srv/app/conf -> /etc/demo.d), in one line, and writes nothing', async () => {
    const expected = 'web-1: file provisioner app-conf: refused /srv/app/conf: /srv/app/conf is a symbolic link (to /etc/demo.d): tk does not write through links; make it a directory or change the destination'
    // The directory of the issue, as mallory's files (owner: mallory) and as root's.
    expect(await refusal(file({source: join(dir, 'conf.d'), destination: '/srv/app/conf', owner: 'mallory'}))).to.equal(expected)
    expect(await refusal(file({source: join(dir, 'conf.d'), destination: '/srv/app/conf', owner: 'mallory'}), true)).to.equal(expected)
    expect(await refusal(file({destination: '/srv/app/conf/modprobe.conf', owner: 'mallory'}))).to.match(/refused \/srv\/app\/conf\/modprobe.conf: \/srv\/app\/conf is a symbolic link/)
    expect(await refusal(file({source: join(dir, 'conf.d'), destination: '/srv/app/conf'}))).to.match(/refused \/srv\/app\/conf: \/srv\/app belongs to mallory: /)
    await untouched()
  })

  it('refuses a link as the last component (/srv/last/app.conf -> /etc/demo.d), which a rename would have written into', async () => {
    expect(await refusal(file({destination: '/srv/last/app.conf', owner: 'mallory'}))).to.equal(
      'web-1: file provisioner app-conf: refused /srv/last/app.conf: /srv/last/app.conf is a symbolic link (to /etc/demo.d): tk does not write through links; remove it or change the destination',
    )
    await untouched()
  })

  it('refuses a directory a user other than root and the owner can write: by owning it, through its group, or as anyone', async () => {
    expect(await refusal(file({destination: '/srv/app/app.conf', owner: 'app'}))).to.match(/refused \/srv\/app\/app.conf: \/srv\/app belongs to mallory: tk writes as root only where no user but root and the files' owner can change the path$/)
    expect(await refusal(file({destination: '/srv/shared/app.conf', owner: 'app'}))).to.match(/: \/srv\/shared is writable by group crew, which mallory is in: /)
    expect(await refusal(file({destination: '/srv/open/app.conf', owner: 'app'}))).to.match(/: \/srv\/open is writable by every user: /)
    expect(await refusal(file({destination: '/srv/team/app.conf', owner: 'nobody-here'}))).to.match(/: refused \/srv\/team\/app.conf: no user nobody-here on this host$/)
    expect(await root('ls -A /srv/shared /srv/open /srv/team /srv/app')).to.equal('/srv/app:\nconf\n\n/srv/open:\n\n/srv/shared:\n\n/srv/team:\n')
    await untouched()
  })

  it("writes where only root and the owner can change the path: staged where only root goes, renamed into place, the owner's and mode given there", async () => {
    // /srv/team is group app's, and only app is in it; /srv/mine is mallory's own.
    const team = await provision(file({destination: '/srv/team/a/b/app.conf', owner: 'app:app', mode: '0640'}))
    expect(team.result).to.equal('changed')
    const mine = await provision(file({source: join(dir, 'conf.d'), destination: '/srv/mine/conf.d', owner: 'mallory:mallory'}))
    expect(mine.result).to.equal('changed')
    expect(await root('cat /srv/team/a/b/app.conf; stat -c "%n %a %U:%G" /srv/team/a /srv/team/a/b /srv/team/a/b/app.conf /srv/mine/conf.d/sub/more.conf /var/lib/tk/staging; ls -A /var/lib/tk/staging')).to.equal(
      [
        'options demo evil=0',
        '/srv/team/a 755 root:root',
        '/srv/team/a/b 755 root:root',
        '/srv/team/a/b/app.conf 640 app:app',
        '/srv/mine/conf.d/sub/more.conf 644 mallory:mallory',
        '/var/lib/tk/staging 700 root:root',
        '',
      ].join('\n'),
    )
    expect((await provision(file({destination: '/srv/team/a/b/app.conf', owner: 'app:app', mode: '0640'}))).result).to.equal('ok')
  })

  it('writes a destination on another filesystem than /var/lib/tk (/run) whole, through a root-only directory beside it', async () => {
    expect(await root('[ "$(stat -c %d /run)" != "$(stat -c %d /var/lib/tk)" ] && echo other')).to.equal('other\n')
    await root('mkdir -p /run/tk-demo && echo old > /run/tk-demo/app.conf')
    expect((await provision(file({destination: '/run/tk-demo/app.conf', mode: '0600'}))).result).to.equal('changed')
    expect(await root('cat /run/tk-demo/app.conf; stat -c "%a %U" /run/tk-demo/app.conf; ls -A /run/tk-demo')).to.equal('options demo evil=0\n600 root\napp.conf\n')
  })
})
