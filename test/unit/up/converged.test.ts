/**
 * tk up's quick runs, the pieces a real host cannot show on its own
 * (test/integration/up-quick.test.ts proves them on a sandbox machine): when a
 * host may run quick at all, what the digest covers, what is read back from
 * the lock's round trip, and when a recorded account holds.
 */
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {DockerProvisioner, FileProvisioner, ShellProvisioner} from '../../../src/config/types.js'
import {FactSections} from '../../../src/facts/sections.js'
import {DEFAULT_DESIRED, type DesiredEngine} from '../../../src/provision/desired-engine.js'
import type {Host} from '../../../src/transport/host.js'
import {accountHolds, askEngine, newAccount, quickCheckScript, QUICK_MAX_AGE_MS, quickPlan, quickRunPossible, readQuickLook, recordScript} from '../../../src/up/converged.js'

const shell = (extra: Partial<ShellProvisioner> = {}): ShellProvisioner => ({name: 'setup', type: 'shell', run: 'once', hosts: ['h'], inline: 'echo hi', env: {}, privileged: true, ...extra})

describe('tk up quick runs (src/up/converged.ts)', () => {
  let dir: string
  let file: FileProvisioner
  let site: FileProvisioner
  const docker: DockerProvisioner = {name: 'web', type: 'docker', run: 'once', hosts: ['h'], image: 'busybox:1', drift: 'check', container: {name: 'web', ports: [], env: {TOKEN: 's3cret'}, volumes: [], restart: 'no', state: 'running'}}

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tk-converged-'))
    writeFileSync(join(dir, 'app.env'), 'A=1\n')
    mkdirSync(join(dir, 'site', 'css'), {recursive: true})
    writeFileSync(join(dir, 'site', 'index.html'), 'hi\n')
    writeFileSync(join(dir, 'site', 'css', 'a.css'), 'b{}\n')
    file = {name: 'app', type: 'file', run: 'once', hosts: ['h'], source: join(dir, 'app.env'), destination: '/etc/app/app.env', followSymlinks: false, drift: 'check'}
    site = {name: 'site', type: 'file', run: 'once', hosts: ['h'], source: join(dir, 'site'), destination: '/srv/site/', followSymlinks: false, drift: 'check'}
  })

  after(() => rmSync(dir, {recursive: true, force: true}))

  it('a host may run quick unless a dry run, --rerun of its provisioner, a run: always provisioner or a smoke test', () => {
    const desired: DesiredEngine = {...DEFAULT_DESIRED}
    expect(quickRunPossible([shell(), docker], desired, {dryRun: false})).to.equal(true)
    expect(quickRunPossible([shell()], desired, {dryRun: true})).to.equal(false)
    expect(quickRunPossible([shell()], desired, {dryRun: false, rerun: new Set(['setup'])})).to.equal(false)
    expect(quickRunPossible([shell()], desired, {dryRun: false, rerun: new Set(['other'])})).to.equal(true)
    expect(quickRunPossible([shell({run: 'always'})], desired, {dryRun: false})).to.equal(false)
    expect(quickRunPossible([], {...desired, smokeImage: 'hello-world'}, {dryRun: false})).to.equal(false)
  })

  it("the digest's material changes with the engine, a provisioner's spec or source, the user, the target and tk's version; the paths are the provisioners' files", async () => {
    const base = await quickPlan('h', 'admin', DEFAULT_DESIRED, [shell(), file, site, docker], '1.0.0')
    expect(base.paths).to.deep.equal(['/etc/app/app.env', '/srv/site/', '/srv/site/css/a.css', '/srv/site/index.html'])
    expect(base.docker.map((each) => each.name)).to.deep.equal(['web'])
    const again = await quickPlan('h', 'admin', DEFAULT_DESIRED, [shell(), file, site, docker], '1.0.0')
    expect(again.material).to.equal(base.material)
    const variants: Array<[string, Parameters<typeof quickPlan>]> = [
      ['daemon option', ['h', 'admin', {...DEFAULT_DESIRED, daemonConfig: {patch: {debug: true}, sources: ['tk.yml']}}, [shell(), file, site, docker], '1.0.0']],
      ['shell env', ['h', 'admin', DEFAULT_DESIRED, [shell({env: {X: '1'}}), file, site, docker], '1.0.0']],
      ['container env', ['h', 'admin', DEFAULT_DESIRED, [shell(), file, site, {...docker, container: {...docker.container!, env: {TOKEN: 'other'}}}], '1.0.0']],
      ['file mode', ['h', 'admin', DEFAULT_DESIRED, [shell(), {...file, mode: '0600'}, site, docker], '1.0.0']],
      ['user', ['h', 'root', DEFAULT_DESIRED, [shell(), file, site, docker], '1.0.0']],
      ['target', ['h2', 'admin', DEFAULT_DESIRED, [shell(), file, site, docker], '1.0.0']],
      ['tk version', ['h', 'admin', DEFAULT_DESIRED, [shell(), file, site, docker], '1.0.1']],
      ['provisioners', ['h', 'admin', DEFAULT_DESIRED, [file, site, docker], '1.0.0']],
    ]
    for (const [what, args] of variants) {
      // eslint-disable-next-line no-await-in-loop -- a handful, each read from disk
      expect((await quickPlan(...args)).material, what).to.not.equal(base.material)
    }
    writeFileSync(join(dir, 'site', 'css', 'a.css'), 'b{color:red}\n')
    expect((await quickPlan('h', 'admin', DEFAULT_DESIRED, [shell(), file, site, docker], '1.0.0')).material, "a source file's content").to.not.equal(base.material)
  })

  it("reads the fingerprint (up to its end line) and a well-formed account from the lock's round trip, and nothing else", () => {
    const account = {v: 1, at: new Date().toISOString(), by: 'a@b', tkVersion: '1', salt: 'ab', spec: 'cd', docker: {}, steps: [], notices: []}
    const look = readQuickLook(new FactSections(`@@tk:fingerprint\nboot x\n/etc/group 1 2\nend\n@@tk:converged\n${JSON.stringify(account)}\n`))
    expect(look.fingerprint).to.deep.equal(['boot x', '/etc/group 1 2', 'end'])
    expect(look.account).to.deep.equal(account)
    expect(readQuickLook(new FactSections('@@tk:fingerprint\nboot x\n@@tk:uname\n'))).to.deep.equal({})
    expect(readQuickLook(new FactSections('@@tk:fingerprint-unusable\n@@tk:converged\nnot json\n'))).to.deep.equal({})
    expect(readQuickLook(new FactSections(`@@tk:converged\n${JSON.stringify({...account, v: 2})}\n`)).account).to.equal(undefined)
  })

  it('an account holds for the same material, containers described alike, and less than an hour; the record travels on stdin without the last two fingerprint lines', async () => {
    const plan = await quickPlan('h', 'admin', DEFAULT_DESIRED, [shell(), docker], '1.0.0')
    const answer = 'image sha256:1\ncontainer c1 sha256:1 true hmac-sha256:2\n'
    const now = Date.now()
    const account = newAccount(plan, new Map([['web', answer]]), {at: new Date(now).toISOString(), by: 'a@b', tkVersion: '1.0.0', steps: [], notices: []})!
    expect(JSON.stringify(account)).to.not.include('s3cret')
    // The engine's API as the connection reaches it: the image's and the container's JSON.
    const engine = (running: boolean): Host =>
      ({
        requestUnixSocket: async (_socket: string, request: {path: string}) => {
          const body = request.path.startsWith('/images/') ? {Id: 'sha256:1'} : {Id: 'c1', Image: 'sha256:1', State: {Running: running}, Config: {Labels: {'tk.spec': 'hmac-sha256:2'}}}
          return {status: 200, body: JSON.stringify(body)}
        },
      }) as unknown as Host
    const holds = (changed: Partial<typeof plan>, host = engine(true), at = now) => accountHolds(account, {...plan, ...changed}, askEngine(plan, host), at)
    expect(await holds({})).to.equal(true)
    expect(await holds({}, engine(false)), 'the container stopped').to.equal(false)
    expect(await holds({material: `${plan.material} `}), 'tk.yml changed').to.equal(false)
    expect(await holds({}, engine(true), now + QUICK_MAX_AGE_MS), 'an hour old').to.equal(false)
    expect(await holds({}, engine(true), now - 60_000), 'a check from the future').to.equal(false)
    expect(await holds({}, {} as Host), 'no API over the connection').to.equal(false)
    expect(newAccount(plan, new Map(), {at: '', by: '', tkVersion: '', steps: [], notices: []}), 'a container not read through the API').to.equal(undefined)

    const record = await recordScript({account, fingerprint: ['boot x', '/etc/group 1', '/var/lib/tk/state.json 9', 'end']})
    expect(record.stdin).to.equal(`${JSON.stringify(account)}\nboot x\n/etc/group 1\n`)
    expect(record.script).to.not.include(account.spec)
    expect((await recordScript()).stdin).to.equal(undefined)
    // Without a file provisioner the script still sets its arguments (none): it runs inside the lock's script.
    expect(await quickCheckScript(plan)).to.match(/^set --\n/)
    expect(await quickCheckScript({...plan, paths: ['/etc/a b']})).to.match(/^set -- '\/etc\/a b'\n/)
  })
})
