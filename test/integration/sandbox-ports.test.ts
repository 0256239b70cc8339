/**
 * A sandbox host's published ports (issue 35), on a real sandbox machine of a
 * tk.yml: tk ip prints its address on the sandbox network; adding ports: to
 * the running machine makes its container again (tk up --dry-run says so
 * first) and keeps a file written on its disk, its host key and its address;
 * a page served in the machine answers from 127.0.0.1 at the published port
 * and tk status shows it; two hosts publishing one port are refused in one line.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect} from 'chai'

import {ExitCode} from '../../src/errors/exit-codes.js'
import {selectTargets} from '../../src/fleet/host-connector.js'
import {ensureSandboxHosts} from '../../src/providers/sandbox/fleet.js'
import {runTk} from '../run-tk.js'
import {freeLocalPort, sandboxFixture, type SandboxFixture} from '../support/sandbox.js'
import {cleanEnv} from '../support/tk-hosts.js'

/** A tiny HTTP server in Perl (perl-base is on every Debian machine): one line of text per request. */
const PAGE_SERVER = `use IO::Socket::INET;
my $server = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "listen: $!";
while (my $client = $server->accept) { my $line = <$client>; print $client "HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nserved by " . \`hostname\`; close $client }
`

describe('sandbox ports: published on the loopback, added to a running machine, tk ip', function () {
  this.timeout(10 * 60_000)
  let dir: string
  let port: number
  let fixture: SandboxFixture
  const tk = (args: string[]) => runTk(args, {cwd: dir, env: {...cleanEnv, XDG_STATE_HOME: join(dir, '.state'), XDG_RUNTIME_DIR: join(dir, '.run')}})
  const writeConfig = (web1: string, web2 = '') =>
    writeFileSync(join(dir, 'tk.yml'), `version: 1\nprovider: sandbox\nhosts:\n  - name: web-1\n    release: bookworm\n${web1}  - name: web-2\n    release: bookworm\n${web2}`)
  const identity = async (host: string) => {
    const {code, stdout, stderr} = await tk(['exec', host, '--', 'cat kept.txt; cat /etc/ssh/ssh_host_ed25519_key.pub; hostname -I'])
    expect(code, stderr).to.equal(0)
    return stdout
  }

  before(async () => {
    fixture = await sandboxFixture({releases: ['bookworm']})
    dir = mkdtempSync(join(tmpdir(), 'tk-ports-'))
    port = await freeLocalPort()
    writeConfig('')
    await ensureSandboxHosts(await selectTargets(['@all'], join(dir, 'tk.yml')))
  })

  after(async () => {
    if (dir) {
      writeConfig('')
      await tk(['destroy', '--yes'])
    }
    rmSync(dir, {recursive: true, force: true})
  })

  it('tk ip HOST prints the machine\'s address on the sandbox network, the one it has itself', async () => {
    const ip = await tk(['ip', 'web-1'])
    expect(ip.code, ip.stderr).to.equal(0)
    const own = await tk(['exec', 'web-1', '--', 'hostname -I'])
    expect(ip.stdout).to.match(/^\d+\.\d+\.\d+\.\d+\n$/)
    expect(own.stdout.trim()).to.equal(ip.stdout.trim())
    const json = await tk(['ip', '--json', 'web-2'])
    expect(JSON.parse(json.stdout)).to.deep.include({target: 'web-2'})
    expect(JSON.parse(json.stdout).address).to.not.equal(ip.stdout.trim())
  })

  it('adding ports to a running machine makes its container again, keeping its disk, host key and address; the page answers on 127.0.0.1', async () => {
    const wrote = await tk(['exec', 'web-1', '--', 'echo "written on $(hostname)" > kept.txt'])
    expect(wrote.code, wrote.stderr).to.equal(0)
    const before = await identity('web-1')
    const address = (await tk(['ip', 'web-1'])).stdout

    writeConfig(`    ports: ["${port}:8080"]\n`)
    const planned = await tk(['up', '--dry-run', 'web-1'])
    expect(planned.stdout + planned.stderr).to.contain(`container again to publish 127.0.0.1:${port}->8080 (keeping its disk, host key and address)`)

    // What tk up does before it converges (the engine is left out here: it takes minutes).
    const progress: string[] = []
    await ensureSandboxHosts(await selectTargets(['web-1'], join(dir, 'tk.yml')), {onProgress: (event) => progress.push(event.message)})
    expect(progress.join('\n')).to.match(new RegExp(`making machine web-1-\\w+'s container again to publish 127\\.0\\.0\\.1:${port}->8080, keeping its disk, host key and address`))
    expect(await identity('web-1')).to.equal(before)
    expect((await tk(['ip', 'web-1'])).stdout).to.equal(address)

    const script = Buffer.from(PAGE_SERVER).toString('base64')
    const serve = await tk(['exec', 'web-1', '--', `echo ${script} | base64 -d > /tmp/page.pl && sudo -n systemd-run --unit=tk-test-page perl /tmp/page.pl`])
    expect(serve.code, serve.stderr).to.equal(0)
    let text = ''
    for (let attempt = 0; attempt < 50 && !text; attempt++) {
      text = await fetch(`http://127.0.0.1:${port}/`, {signal: AbortSignal.timeout(5000)})
        .then((response) => response.text())
        .catch(() => '')
      if (!text) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(text).to.equal('served by web-1\n')

    const status = await tk(['status', '--json', 'web-1'])
    const [host] = JSON.parse(status.stdout).hosts
    expect(host).to.deep.include({serviceAddress: `127.0.0.1:${port}`, ports: [{hostIp: '127.0.0.1', hostPort: port, containerPort: 8080, protocol: 'tcp'}]})
    // A machine without ports: its address on the sandbox network.
    const web2 = (await tk(['ip', 'web-2'])).stdout.trim()
    const table = await tk(['status', 'web-2'])
    expect(table.stdout).to.match(new RegExp(`web-2 +${web2.replaceAll('.', '\\.')} `))

    // Unchanged ports: nothing is made again.
    const again: string[] = []
    await ensureSandboxHosts(await selectTargets(['web-1'], join(dir, 'tk.yml')), {onProgress: (event) => again.push(event.message)})
    expect(again.join('\n')).to.not.contain('again')
  })

  it('two hosts publishing one port are refused in one line, before anything is touched', async () => {
    writeConfig(`    ports: ["${port}:8080"]\n`, `    ports: ["127.0.0.1:${port}:80"]\n`)
    const {code, stdout, stderr} = await tk(['up', 'web-2'])
    expect(code).to.equal(ExitCode.CONFIG)
    expect(stdout).to.equal('')
    expect(stderr.trim().split('\n')).to.have.length(1)
    expect(stderr).to.contain(`hosts[1].ports[0]: "127.0.0.1:${port}:80": 127.0.0.1:${port} is already published by host web-1`)
  })

  it('tk destroy removes a machine made again with its committed disk and its volume', async () => {
    writeConfig(`    ports: ["${port}:8080"]\n`)
    const docker = fixture.sandbox.engine.docker
    const [web1] = (await fixture.sandbox.machines.list()).filter((machine) => machine.labels['tk.sandbox.project']?.startsWith(dir) && machine.labels['tk.sandbox.host'] === 'web-1')
    expect(web1.image).to.equal(`tk-sandbox/disk:${web1.name}`)
    const volumes = (await docker.getContainer(web1.id).inspect()).Mounts.filter((mount) => mount.Type === 'volume').map((mount) => mount.Name!)
    expect(volumes).to.have.length(1)
    const {code, stderr} = await tk(['destroy', '--yes', 'web-1'])
    expect(code, stderr).to.equal(0)
    expect(await fixture.sandbox.machines.find(web1.name)).to.equal(undefined)
    const left = new Set(((await docker.listVolumes()).Volumes ?? []).map((volume) => volume.Name))
    expect(volumes.filter((name) => left.has(name))).to.deep.equal([])
    const image = await docker.getImage(`tk-sandbox/disk:${web1.name}`).inspect().then(() => 'kept', () => 'gone')
    expect(image).to.equal('gone')
  })
})
