/**
 * Drift on a real sandbox machine (one, kept for the file): given a host
 * tk up converged, what someone changed there by hand — a container
 * removed, stopped, or run from another image, a file edited — is reported
 * by tk status and tk up --dry-run (with its diff) and put back by tk up; a
 * container marked state: stopped stays stopped; --rerun runs a shell
 * provisioner again; the dry run shows daemon.json's diff with a ${ENV}
 * value hidden.
 */
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'
import {imageArchive} from '../support/image-archive.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, provisionedSnapshot, sandboxFleetYaml, waitForEngine} from '../support/tk-hosts.js'

interface Step {kind: string; id: string; result: string; detail: string; drift?: string[]; diff?: string[]}
interface UpJson {
  hosts: Array<{target: string; ok: boolean; error?: {message: string}; result?: {changed: number; steps: Step[]}}>
}
interface StatusJson {
  hosts: Array<{name: string; drift?: Array<{name: string; drift: string[]; pending?: string}>; driftError?: string}>
}

const DAEMON_SECRET = 'daemon-s3cret-9a7c'
const LOOP = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done']

describe('tk up: drift found, shown and repaired on a sandbox machine', function () {
  this.timeout(20 * 60_000)
  let fixture: SandboxFixture
  let machine: TestMachine
  let dir: string

  const tk = (args: string[], env: NodeJS.ProcessEnv = {}) => runTk(args, {cwd: dir, env: {...cleanEnv, TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts, ...env}})
  const up = async (...args: string[]) => {
    const run = await tk(['up', '--json', ...args])
    expect(run.code, run.stderr + run.stdout).to.equal(0)
    return JSON.parse(run.stdout) as UpJson
  }
  const step = (json: UpJson, id: string) => json.hosts[0].result!.steps.find((each) => each.id === id)!
  const status = async () => {
    const run = await tk(['status', '--json'])
    expect(run.code, run.stderr + run.stdout).to.equal(0)
    const host = (JSON.parse(run.stdout) as StatusJson).hosts[0]
    expect(host.driftError, 'drift was checked').to.equal(undefined)
    return new Map((host.drift ?? []).map((each) => [each.name, each.drift]))
  }
  const root = async (command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${JSON.stringify(command)}`)
    if (result.code !== 0) throw new Error(`${command} failed: ${result.stderr}`)
    return result.stdout.trim()
  }
  const inspect = (name: string, format: string) => root(`docker inspect --format '${format}' ${name}`)

  before(async () => {
    fixture = await sandboxFixture({releases: ['bookworm']})
    machine = await fixture.machine({snapshot: await provisionedSnapshot(fixture), keep: true})
    await waitForEngine(machine)
    dir = mkdtempSync(join(tmpdir(), 'tk-up-drift-'))
    mkdirSync(join(dir, 'files', 'site'), {recursive: true})
    writeFileSync(join(dir, 'files', 'site', 'index.html'), '<h1>hello</h1>\n<p>from tk</p>\n')
    writeFileSync(join(dir, 'files', 'site', 'api-token.txt'), 'token-in-a-file\n')
    writeFileSync(join(dir, 'busybox.tar'), imageArchive({layer: busyboxImageTar(), tags: ['tk-test/busybox:1'], cmd: ['true']}).tar)
    const container = (name: string, extra: string[] = []) => [`      name: ${name}`, `      command: ${JSON.stringify(LOOP)}`, ...extra]
    writeFileSync(
      join(dir, 'tk.yml'),
      sandboxFleetYaml(fixture, [{name: 'web-1', machine}], [
        // The snapshot's engine as it is: no Compose install (minutes of apt) in this file.
        'engine:',
        '  compose: false',
        'provisioners:',
        '  - name: site',
        '    type: file',
        '    source: files/site',
        '    destination: /srv/site',
        '  - name: web',
        '    type: docker',
        '    image: tk-test/busybox:1',
        '    load: busybox.tar',
        '    container:',
        ...container('web'),
        '  - name: idle',
        '    type: docker',
        '    image: tk-test/busybox:1',
        '    load: busybox.tar',
        '    container:',
        ...container('idle', ['      state: stopped']),
        '  - name: counter',
        '    type: shell',
        '    inline: echo ran >> /var/tmp/tk-counter.log',
      ]),
    )
    // The same host with a daemon.json whose value comes from the environment, for the dry run only.
    writeFileSync(
      join(dir, 'daemon.yml'),
      sandboxFleetYaml(fixture, [{name: 'web-1', machine}], ['engine:', '  compose: false', '  daemon:', '    labels: ["tk-token=${DAEMON_TOKEN}"]']),
    )
    const first = await up()
    expect(first.hosts[0].ok, JSON.stringify(first)).to.equal(true)
  })

  after(() => {
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('a converged host: status shows no drift, a dry run and a run change nothing, idle (state: stopped) was made and left stopped', async () => {
    expect(await inspect('idle', '{{.State.Running}}')).to.equal('false')
    expect(await inspect('web', '{{.State.Running}}')).to.equal('true')
    expect([...(await status()).values()].flat()).to.deep.equal([])
    expect((await up('--dry-run')).hosts[0].result!.changed).to.equal(0)
    expect((await up()).hosts[0].result!.changed).to.equal(0)
  })

  it('a container removed by hand: reported by status and the dry run, made again by tk up', async () => {
    await root('docker rm -f web >/dev/null')
    expect((await status()).get('web')).to.deep.equal(['container web missing'])
    const planned = step(await up('--dry-run'), 'web')
    expect(planned.result).to.equal('would-change')
    expect(planned.drift).to.deep.equal(['container web missing'])
    expect(planned.diff).to.deep.equal(['+ container web: image tk-test/busybox:1, running'])
    expect(step(await up(), 'web')).to.include({result: 'changed'})
    expect(await inspect('web', '{{.State.Running}}')).to.equal('true')
    expect((await status()).get('web')).to.deep.equal([])
  })

  it('a container stopped by hand: reported, and started again', async () => {
    await root('docker stop web >/dev/null')
    expect((await status()).get('web')).to.deep.equal(['container web stopped'])
    expect(step(await up('--dry-run'), 'web').detail).to.match(/^would start container web \(container web stopped\)/)
    expect(step(await up(), 'web').result).to.equal('changed')
    expect(await inspect('web', '{{.State.Running}}')).to.equal('true')
  })

  it('a container run from another image (its label kept): reported with both images, recreated from the right one', async () => {
    const label = await inspect('web', '{{index .Config.Labels "tk.spec"}}')
    const wanted = await inspect('web', '{{.Image}}')
    await root(`docker commit web tk-test/other:1 >/dev/null && docker rm -f web >/dev/null && docker run -d --name web --label tk.spec=${label} tk-test/other:1 sh -c 'trap "exit 0" TERM; while :; do sleep 1; done' >/dev/null`)
    const other = await inspect('web', '{{.Image}}')
    const drift = (await status()).get('web')!
    expect(drift).to.have.length(1)
    expect(drift[0]).to.match(/^container web runs another image \(\w{12}, not \w{12}\)$/)
    const planned = step(await up('--dry-run'), 'web')
    expect(planned.diff).to.deep.equal([`- container web image: ${other.slice(7, 19)}`, `+ container web image: ${wanted.slice(7, 19)} (tk-test/busybox:1)`])
    await up()
    expect(await inspect('web', '{{.Image}}')).to.equal(wanted)
  })

  it('a container marked state: stopped that someone started: reported, and stopped again', async () => {
    await root('docker start idle >/dev/null')
    expect((await status()).get('idle')).to.deep.equal(['container idle running (state: stopped)'])
    expect(step(await up(), 'idle')).to.include({result: 'changed', detail: 'stopped container idle (state: stopped) (container idle running (state: stopped))'})
    expect(await inspect('idle', '{{.State.Running}}')).to.equal('false')
    expect(step(await up(), 'idle').result).to.equal('ok')
  })

  it('a file edited on the host: reported, its diff shown by the dry run (a secret-looking one by hash only), restored by tk up', async () => {
    await root("printf '<h1>defaced</h1>\\n<p>from tk</p>\\n' > /srv/site/index.html && echo stolen-token > /srv/site/api-token.txt")
    expect((await status()).get('site')).to.deep.equal(['2 files changed on the host (content of api-token.txt; content of index.html)'])
    const planned = step(await up('--dry-run'), 'site')
    expect(planned.drift).to.deep.equal(['2 files changed on the host (content of api-token.txt; content of index.html)'])
    const diff = planned.diff!
    expect(diff).to.include.members(['--- /srv/site/index.html (host)', '+++ /srv/site/index.html (tk.yml)', '-<h1>defaced</h1>', '+<h1>hello</h1>', ' <p>from tk</p>'])
    expect(diff.find((line) => line.startsWith('/srv/site/api-token.txt: '))).to.match(/bytes, sha256 \w{12} -> \d+ bytes, sha256 \w{12} \(may hold a secret: not shown\)$/)
    expect(JSON.stringify(planned)).not.to.include('token-in-a-file').and.not.to.include('stolen-token')
    expect(await root('cat /srv/site/index.html')).to.include('defaced')
    expect(step(await up(), 'site').result).to.equal('changed')
    expect(await root('cat /srv/site/index.html')).to.equal('<h1>hello</h1>\n<p>from tk</p>')
    expect((await status()).get('site')).to.deep.equal([])
  })

  it('--rerun NAME runs a shell provisioner that already ran again; an unknown or non-shell name is refused in one line', async () => {
    expect(await root('cat /var/tmp/tk-counter.log')).to.equal('ran')
    expect(step(await up(), 'counter').result).to.equal('ok')
    expect(step(await up('--rerun', 'counter'), 'counter')).to.include({result: 'changed'})
    expect(await root('cat /var/tmp/tk-counter.log')).to.equal('ran\nran')
    for (const [name, said] of [['nothing', /has no provisioner of that name/], ['web', /--rerun is for shell provisioners/]] as const) {
      // eslint-disable-next-line no-await-in-loop -- two refusals
      const refused = await tk(['up', '--rerun', name])
      expect(refused.code).to.equal(2)
      expect(refused.stderr.trim().split('\n')[0]).to.match(said)
    }
  })

  it('the dry run shows the daemon.json diff, the ${ENV} value hidden', async () => {
    const run = await tk(['up', '--dry-run', '--config', 'daemon.yml'], {DAEMON_TOKEN: DAEMON_SECRET})
    expect(run.code, run.stderr + run.stdout).to.equal(0)
    // The whole value that came from ${DAEMON_TOKEN} is hidden, as tk provision shows it.
    expect(run.stdout).to.match(/\+ +"labels": "\*\*\*"/)
    expect(run.stdout + run.stderr).not.to.include(DAEMON_SECRET)
    const json = await tk(['up', '--dry-run', '--json', '--config', 'daemon.yml'], {DAEMON_TOKEN: DAEMON_SECRET})
    const daemon = step(JSON.parse(json.stdout) as UpJson, 'daemon-config')
    expect(daemon.diff!.some((line) => line.startsWith('+ ') && line.includes('"labels": "***"'))).to.equal(true)
    expect(json.stdout).not.to.include(DAEMON_SECRET)
  })
})
