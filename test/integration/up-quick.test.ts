/**
 * tk up's quick runs on a real sandbox machine (one, kept for the file; the
 * shared provisioned snapshot): after a full check that changed nothing, a
 * re-run that finds the host's fingerprint, tk.yml and the containers as
 * they were takes no sudo and reads no facts (counted in the host's own
 * journal), and says so (--json's quick, tk status's "(quick)"); anything
 * changed by hand on the host — a file's content or mode, a container
 * stopped, daemon.json, the docker group, the engine restarted — or in
 * tk.yml, a record older than an hour, or --full, is a full check, which
 * finds and repairs what drifted. The record holds no secret and only root
 * and the tk group may read it.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'
import {imageArchive} from '../support/image-archive.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, provisionedSnapshot, sandboxFleetYaml, waitForEngine} from '../support/tk-hosts.js'

interface Step {kind: string; id: string; result: string; detail: string; drift?: string[]}
interface UpJson {
  hosts: Array<{target: string; ok: boolean; error?: {message: string}; result?: {changed: number; steps: Step[]; quick?: {fullCheckAt: string}}}>
}

const SECRET = 'quick-s3cret-4f1e'
const LOOP = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done']

describe('tk up: quick runs on a converged sandbox machine', function () {
  this.timeout(20 * 60_000)
  let fixture: SandboxFixture
  let machine: TestMachine
  let dir: string

  const tk = (args: string[], env: NodeJS.ProcessEnv = {}) => runTk(args, {cwd: dir, env: {...cleanEnv, TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts, APP_TOKEN: SECRET, ...env}})
  const up = async (...args: string[]) => {
    const run = await tk(['up', '--json', ...args])
    expect(run.code, run.stderr + run.stdout).to.equal(0)
    const json = JSON.parse(run.stdout) as UpJson
    expect(json.hosts[0].ok, run.stdout).to.equal(true)
    return json.hosts[0].result!
  }
  const root = async (command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${JSON.stringify(command)}`)
    if (result.code !== 0) throw new Error(`${command} failed: ${result.stderr}`)
    return result.stdout.trim()
  }
  /** sudo's commands in the host's journal, but the counting's own. */
  const sudoCount = async () => Number(await root("journalctl -q -o cat _COMM=sudo | grep 'COMMAND=' | grep -vc journalctl || true"))
  /** A full check that changed nothing, then a quick run: the host as the tests start from. */
  const settle = async () => {
    // At most: a run that repairs, a full check that changes nothing, then the quick one.
    for (let run = 0; run < 3; run++) {
      // eslint-disable-next-line no-await-in-loop -- each run starts from what the last left
      if ((await up()).quick) return
    }
    expect.fail('no quick run after three runs')
  }
  const writeConfig = (daemon: string[] = ['    log-opts: {max-size: 10m}']) =>
    writeFileSync(
      join(dir, 'tk.yml'),
      sandboxFleetYaml(fixture, [{name: 'web-1', machine}], [
        'engine:',
        '  compose: false',
        '  users: [op]',
        ...(daemon.length > 0 ? ['  daemon:', ...daemon] : []),
        'provisioners:',
        '  - name: app-env',
        '    type: file',
        '    source: app.env',
        '    destination: /etc/app/app.env',
        '    mode: "0640"',
        '  - name: web',
        '    type: docker',
        '    image: tk-test/busybox:1',
        '    load: busybox.tar',
        '    container:',
        '      name: web',
        `      command: ${JSON.stringify(LOOP)}`,
        '  - name: setup',
        '    type: shell',
        '    inline: echo ran >> /var/tmp/tk-setup.log',
        '    env:',
        '      TOKEN: ${APP_TOKEN}',
      ]),
    )

  before(async () => {
    fixture = await sandboxFixture({releases: ['bookworm']})
    machine = await fixture.machine({snapshot: await provisionedSnapshot(fixture), keep: true})
    await waitForEngine(machine)
    dir = mkdtempSync(join(tmpdir(), 'tk-up-quick-'))
    writeFileSync(join(dir, 'app.env'), 'MODE=production\n')
    writeFileSync(join(dir, 'busybox.tar'), imageArchive({layer: busyboxImageTar(), tags: ['tk-test/busybox:1'], cmd: ['true']}).tar)
    writeConfig()
    const first = await up()
    expect(first.changed).to.be.greaterThan(0)
    expect(first.quick).to.equal(undefined)
  })

  after(() => {
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('a re-run of a converged host is quick: no sudo, the full check\'s steps, the record root:tk 0640 and free of secrets, tk status says so', async () => {
    const full = await up()
    expect(full.changed).to.equal(0)
    expect(full.quick, 'the first run after one that changed the host is a full check').to.equal(undefined)
    const before = await sudoCount()
    const quick = await up()
    expect(await sudoCount(), 'a quick run runs nothing as root').to.equal(before)
    expect(quick.quick!.fullCheckAt).to.be.a('string')
    expect(quick.changed).to.equal(0)
    expect(quick.steps.map((step) => [step.id, step.result, step.detail])).to.deep.equal(full.steps.map((step) => [step.id, step.result, step.detail]))
    expect(await root('stat -c %a:%U:%G /var/lib/tk/up.record /var/lib/tk/up.last')).to.equal('640:root:tk\n664:root:tk')
    // The fingerprint covers the provisioner's file, the engine's process and the state, and ends with its end line.
    const record = (await root('cat /var/lib/tk/up.record')).split('\n')
    expect(record.filter((line) => /^\/etc\/app\/app\.env \d+ /.test(line)), record.join('\n')).to.have.length(1)
    expect(record.filter((line) => /^dockerd \d+ \(dockerd\) \d+$/.test(line)), record.join('\n')).to.have.length(1)
    expect(record.slice(-2)[0]).to.match(/^\/var\/lib\/tk\/state\.json \d+ /)
    expect(record.at(-1)).to.equal('end')
    expect(await root(`grep -c ${SECRET} /var/lib/tk/up.record /var/lib/tk/up.last /var/lib/tk/state.json || true`)).to.not.match(/:[1-9]/)
    // The once-provisioner ran once, whatever the quick runs did.
    expect(await root('wc -l < /var/tmp/tk-setup.log')).to.equal('1')
    const status = await tk(['status', '--json'])
    const lastUp = (JSON.parse(status.stdout) as {hosts: Array<{facts?: {lastUp?: {quick?: boolean; ok: boolean}}}>}).hosts[0].facts?.lastUp
    expect(lastUp, status.stdout).to.include({quick: true, ok: true})
    const table = await tk(['status'], {NO_COLOR: '1'})
    expect(table.stdout).to.match(/ok \(quick\)/)
  })

  const drifts: Array<{what: string; change: string; repaired: (result: Awaited<ReturnType<typeof up>>) => Promise<void>}> = [
    {
      what: "a file's content edited",
      change: 'echo MODE=debug > /etc/app/app.env',
      repaired: async (result) => {
        expect(result.steps.find((step) => step.id === 'app-env')!.drift!.join(' ')).to.match(/content/)
        expect(await root('cat /etc/app/app.env')).to.equal('MODE=production')
      },
    },
    {
      what: "a file's mode changed",
      change: 'chmod 0644 /etc/app/app.env',
      repaired: async () => {
        expect(await root('stat -c %a /etc/app/app.env')).to.equal('640')
      },
    },
    {
      what: 'the container stopped',
      change: 'docker stop web',
      repaired: async () => {
        expect(await root("docker inspect --format '{{.State.Running}}' web")).to.equal('true')
      },
    },
    {
      what: 'daemon.json edited',
      change: 'printf \'{"debug": true}\\n\' > /etc/docker/daemon.json',
      repaired: async (result) => {
        expect(result.steps.find((step) => step.id === 'daemon-config')!.result).to.equal('changed')
        expect(await root('cat /etc/docker/daemon.json')).to.match(/max-size/)
      },
    },
    {
      what: 'a docker user taken out of the group',
      change: 'gpasswd -d op docker',
      repaired: async () => {
        expect(await root('id -nG op')).to.match(/\bdocker\b/)
      },
    },
  ]
  for (const drift of drifts) {
    it(`${drift.what} by hand: the next run is a full check that repairs it`, async () => {
      await settle()
      await root(drift.change)
      const result = await up()
      expect(result.quick, 'a full check').to.equal(undefined)
      expect(result.changed).to.be.greaterThan(0)
      await drift.repaired(result)
    })
  }

  it('the engine restarted, tk.yml changed, a record older than an hour, --full: a full check each', async () => {
    await settle()
    await root('systemctl restart docker')
    await waitForEngine(machine)
    const restarted = await up()
    expect(restarted.quick, 'a new engine process').to.equal(undefined)
    expect(restarted.changed).to.equal(0)

    await settle()
    const before = await sudoCount()
    const full = await up('--full')
    expect(full.quick).to.equal(undefined)
    expect(await sudoCount()).to.be.greaterThan(before)
    expect((await up()).quick, '--full records as any full check does').to.not.equal(undefined)

    // The account's time moved two hours back, as root: the host's record is older than an hour.
    await root(`sed -i '1s/"at":"[^"]*"/"at":"${new Date(Date.now() - 2 * 3600_000).toISOString()}"/' /var/lib/tk/up.record`)
    expect((await up()).quick, 'a record older than an hour').to.equal(undefined)

    await settle()
    writeConfig(['    log-opts: {max-size: 20m}'])
    const changed = await up()
    expect(changed.quick).to.equal(undefined)
    expect(changed.steps.find((step) => step.id === 'daemon-config')!.result).to.equal('changed')
    writeConfig()
    await up()
  })

  it('a record nobody wrote, or a fingerprint the login user cannot take, is a full check', async () => {
    await settle()
    await root('rm -f /var/lib/tk/up.record')
    expect((await up()).quick).to.equal(undefined)
    await settle()
    // A provisioner's file under a directory only root may enter: the login user cannot fingerprint it.
    await root('mkdir -p -m 0700 /root/private')
    const yaml = sandboxFleetYaml(fixture, [{name: 'web-1', machine}], ['engine:', '  compose: false', '  users: [op]', 'provisioners:', '  - name: private', '    type: file', '    source: app.env', '    destination: /root/private/app.env'])
    writeFileSync(join(dir, 'tk.yml'), yaml)
    await up()
    await up()
    expect((await up()).quick, 'never quick: the fingerprint cannot be taken').to.equal(undefined)
    writeConfig()
    await up()
  })
})
