/**
 * --json-lines, the one writer every fleet command prints it with, and each
 * service's hand-over of a host's --json element as the host finishes. The
 * hosts are ports nothing listens on (refused at once) and, for tk status, the
 * in-process fake SSH server: the element a host gets must be the one --json
 * lists, whatever happened to it. test/commands/json-lines.test.ts runs the
 * built CLI; test/integration/up-json-lines.test.ts real machines.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {jsonLines} from '../../../src/cli/fleet-output.js'
import {hostResultJson, reportingHosts} from '../../../src/fleet/result.js'
import type {HostOutcome} from '../../../src/fleet/runner.js'
import {provisionHosts} from '../../../src/provision/index.js'
import {desiredEngine} from '../../../src/provision/engine-from-config.js'
import {rebootHosts} from '../../../src/reboot/index.js'
import {gatherStatus} from '../../../src/status/gather.js'
import {rawTarget, resolveTargets, type Target} from '../../../src/targets/index.js'
import type {TransportOptions} from '../../../src/transport/connection.js'
import {upHosts} from '../../../src/up/index.js'
import {upgradeHosts} from '../../../src/upgrade/index.js'
import {upgradeKernels} from '../../../src/upgrade/kernel.js'
import type {TkConfig} from '../../../src/config/types.js'
import {loadConfig} from '../../../src/config/index.js'
import {FakeSshServer} from '../transport/fake-ssh-server.js'
import {closedPort, isolatedTransport} from '../transport/loopback.js'

/** What process.stdout is written while `body` runs. */
async function stdoutOf(body: () => Promise<void> | void): Promise<string> {
  const written: string[] = []
  const write = process.stdout.write
  process.stdout.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stdout.write
  try {
    await body()
  } finally {
    process.stdout.write = write
  }
  return written.join('')
}

describe('--json-lines: the writer', () => {
  it('is there only when the flag is given', () => {
    expect(jsonLines(false)).to.equal(undefined)
    expect(jsonLines(true)).to.not.equal(undefined)
  })

  it("writes a host's element as one line of JSON, and last the --json document without its hosts, summary first", async () => {
    const lines = jsonLines<{target: string; note: string}>(true)!
    const out = await stdoutOf(() => {
      lines.host({target: 'web-1', note: 'two\nlines'})
      lines.host({target: 'web-2', note: ''})
      lines.end({dryRun: true, hosts: [{target: 'web-1'}, {target: 'web-2'}], summary: {succeeded: 2, failed: 0}, swarm: {joined: []}})
    })
    expect(out.endsWith('\n')).to.equal(true)
    const written = out.slice(0, -1).split('\n')
    expect(written).to.have.length(3)
    expect(written.map((line) => JSON.parse(line))).to.deep.equal([
      {target: 'web-1', note: 'two\nlines'},
      {target: 'web-2', note: ''},
      {summary: {succeeded: 2, failed: 0}, dryRun: true, swarm: {joined: []}},
    ])
    expect(written[2].startsWith('{"summary":')).to.equal(true)
  })

  it('ends with {"summary": ...} alone when --json has nothing else beside its hosts', async () => {
    const out = await stdoutOf(() => jsonLines(true)!.end({summary: {succeeded: 0, failed: 1, skipped: 0}}))
    expect(out).to.equal('{"summary":{"succeeded":0,"failed":1,"skipped":0}}\n')
  })

  it("hands a service's hosts on through the runner's onDone, after the command's own onDone; without a listener onDone is as given", () => {
    const seen: string[] = []
    const onDone = (outcome: HostOutcome<number>) => seen.push(`done ${outcome.target}`)
    expect(reportingHosts(hostResultJson, undefined, onDone)).to.equal(onDone)
    expect(reportingHosts(hostResultJson)).to.equal(undefined)
    const both = reportingHosts(hostResultJson, (host) => seen.push(`host ${JSON.stringify(host)}`), onDone)!
    both({target: 'web-1', status: 'ok', value: 3, durationMs: 1})
    both({target: 'web-2', status: 'skipped', reason: 'not started', durationMs: 0})
    expect(seen).to.deep.equal([
      'done web-1',
      'host {"target":"web-1","ok":true,"result":3}',
      'done web-2',
      'host {"target":"web-2","ok":false,"error":{"message":"not started","exitCode":0}}',
    ])
  })
})

describe("--json-lines: each service's host elements are --json's", function () {
  this.timeout(30_000)
  let dir: string
  let transport: TransportOptions
  let ports: number[]

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tk-json-lines-'))
    transport = isolatedTransport(dir)
    ports = [await closedPort(), await closedPort()]
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  const raw = (): Target[] => ports.map((port) => rawTarget(`admin@127.0.0.1:${port}`))

  /** Each host once, in the order they finished, each equal to its element of the result's hosts. */
  function expectSameHosts<H>(handed: H[], hosts: H[], name: (host: H) => string): void {
    expect(handed.map(name).sort()).to.deep.equal(hosts.map(name).sort())
    for (const host of handed) expect(host).to.deep.equal(hosts.find((each) => name(each) === name(host)))
  }

  async function config(): Promise<TkConfig> {
    const file = join(dir, 'tk.yml')
    writeFileSync(file, `hosts:\n${ports.map((port, index) => `  - name: web-${index + 1}\n    address: 127.0.0.1\n    port: ${port}\n    user: admin\n`).join('')}`)
    return (await loadConfig({path: file, required: true}))!
  }

  it('tk up: failed hosts with their steps, and a rolling run\'s skipped host', async () => {
    const tkConfig = await config()
    const targets = resolveTargets(tkConfig, ['@all'])
    for (const serial of [undefined, 1]) {
      const handed: unknown[] = []
      // eslint-disable-next-line no-await-in-loop -- one run after the other
      const result = await upHosts(targets, {config: tkConfig, dryRun: false, serial, waitSeconds: 0, skipCheck: false, tkVersion: '0.0.0', transport, onHost: (host) => handed.push(host)})
      expectSameHosts(handed as typeof result.hosts, result.hosts, (host) => host.target)
      if (serial) expect(result.hosts[1]).to.include({ok: false, skipped: true})
    }
  })

  it('tk up --dry-run', async () => {
    const tkConfig = await config()
    const handed: unknown[] = []
    const result = await upHosts(resolveTargets(tkConfig, ['@all']), {config: tkConfig, dryRun: true, waitSeconds: 0, skipCheck: false, tkVersion: '0.0.0', transport, onHost: (host) => handed.push(host)})
    expect(result.dryRun).to.equal(true)
    expectSameHosts(handed as typeof result.hosts, result.hosts, (host) => host.target)
  })

  it('tk provision', async () => {
    const handed: unknown[] = []
    const engine = desiredEngine('any', {method: 'distro', daemon: {}, users: [], compose: true}, {skipCheck: false})
    const result = await provisionHosts(raw(), {desired: () => engine, transport, onHost: (host) => handed.push(host)})
    expect(result.hosts.every((host) => host.steps !== undefined)).to.equal(true)
    expectSameHosts(handed as typeof result.hosts, result.hosts, (host) => host.target)
  })

  it('tk upgrade, its skipped hosts too, and tk upgrade --kernel', async () => {
    const handed: unknown[] = []
    const result = await upgradeHosts(raw(), {serial: 1, maxFail: 1, healthTimeoutS: 1, transport, onHost: (host) => handed.push(host)})
    expect(result.hosts.map((host) => host.status)).to.deep.equal(['failed', 'skipped'])
    expectSameHosts(handed as typeof result.hosts, result.hosts, (host) => host.target)
    const kernels: unknown[] = []
    const kernel = await upgradeKernels(raw(), {timeoutMs: 1000, transport, onHost: (host) => kernels.push(host)})
    expectSameHosts(kernels as typeof kernel.hosts, kernel.hosts, (host) => host.target)
  })

  it('tk reboot', async () => {
    const handed: unknown[] = []
    const result = await rebootHosts(raw(), {serial: 2, timeoutMs: 1000, transport, onHost: (host) => handed.push(host)})
    expectSameHosts(handed as typeof result.hosts, result.hosts, (host) => host.target)
  })

  describe('tk status (fake SSH server)', () => {
    let server: FakeSshServer
    let port: number
    before(async () => {
      server = new FakeSshServer({passwords: ['json-lines-test']})
      port = await server.listen()
    })
    after(() => server.close())

    it('a reached host with its facts and a refused one, each as it answered', async () => {
      const handed: unknown[] = []
      const targets = [rawTarget(`tester@127.0.0.1:${port}`), raw()[0]]
      const result = await gatherStatus(targets, {transport: {...transport, env: {TK_SSH_PASSWORD: 'json-lines-test'}}, onHost: (host) => handed.push(host)})
      expect(result.hosts.map((host) => host.reachable)).to.deep.equal([true, false])
      expectSameHosts(handed as typeof result.hosts, result.hosts, (host) => host.name)
    })
  })
})
