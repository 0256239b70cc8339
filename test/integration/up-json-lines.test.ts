/**
 * `tk up --json-lines` on two sandbox machines (from the provisioned
 * snapshot, kept for the file): a dry run, a first tk up (rolling, so that
 * the lines must come apart, as each host finishes) and a converged re-run,
 * each against `tk up --json` on the same hosts in the same state: a line per
 * host, each host once, each the very element --json lists (timings aside),
 * the summary line last, secrets hidden.
 */
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk, TK_BIN} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {cleanEnv, provisionedSnapshot, sandboxFleetYaml, waitForEngine} from '../support/tk-hosts.js'

type Json = Record<string, unknown>

/** tk's stdout line by line, each with when it arrived (ms since the start). */
function runTkLines(args: string[], options: {cwd: string; env: NodeJS.ProcessEnv}): Promise<{code: number; lines: Array<{at: number; text: string}>; stderr: string}> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [TK_BIN, ...args], {cwd: options.cwd, env: {...process.env, NO_COLOR: '1', ...options.env}, stdio: ['ignore', 'pipe', 'pipe']})
    const lines: Array<{at: number; text: string}> = []
    let pending = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString('utf8')).split('\n')
      pending = parts.pop() ?? ''
      for (const text of parts) lines.push({at: performance.now() - started, text})
    })
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (pending !== '') lines.push({at: performance.now() - started, text: pending})
      resolve({code: code ?? 1, lines, stderr})
    })
  })
}

/** A value without what differs between two runs of the same work: durations and clock times, at any depth, and times in text ("ran as root in 1.4s"). */
function untimed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(untimed)
  if (typeof value === 'string') return value.replaceAll(/\b\d+(\.\d+)?(ms|s)\b/g, '<time>')
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !['durationMs', 'startedAt', 'finishedAt', 'at'].includes(key))
      .map(([key, each]) => [key, untimed(each)]),
  )
}

describe('tk up --json-lines on sandbox machines', function () {
  this.timeout(15 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let machines: TestMachine[]
  const names = ['web-1', 'web-2']
  const secret = 'j50n-l1nes-s3cret'
  const env = () => ({...cleanEnv, TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts, SECRET_TOKEN: secret})

  /** --json-lines and --json on the same state (`between` puts it back after the first run), compared. */
  async function compare(args: string[], between?: () => Promise<void>) {
    const streamed = await runTkLines(['up', '--json-lines', ...args], {cwd: dir, env: env()})
    if (between) await between()
    const whole = await runTk(['up', '--json', ...args], {cwd: dir, env: env()})
    expect(streamed.code, streamed.stderr).to.equal(0)
    expect(whole.code, whole.stderr).to.equal(0)
    const text = streamed.lines.map((line) => line.text).join('\n')
    expect(text).to.not.contain(secret)
    const parsed = streamed.lines.map((line) => JSON.parse(line.text) as Json)
    const summary = parsed.pop()!
    const document = JSON.parse(whole.stdout) as {hosts: Json[]} & Json
    const {hosts, ...rest} = document
    expect(Object.keys(summary)[0], 'the summary line is last').to.equal('summary')
    expect(untimed(summary)).to.deep.equal(untimed(rest))
    expect(parsed.map((host) => host.target).sort(), 'each host once').to.deep.equal(names)
    for (const host of parsed) expect(untimed(host), `${String(host.target)}'s line`).to.deep.equal(untimed(hosts.find((each) => each.target === host.target)))
    return {lines: streamed.lines, hosts: parsed, summary}
  }

  before(async () => {
    fixture = await sandboxFixture({releases: ['bookworm']})
    dir = mkdtempSync(join(tmpdir(), 'tk-up-json-lines-'))
    const snapshot = await provisionedSnapshot(fixture)
    // Engines answering first: a dry run while one still starts would plan its start, the next run not.
    machines = await Promise.all(
      names.map(async () => {
        const machine = await fixture.machine({snapshot, keep: true})
        await waitForEngine(machine)
        return machine
      }),
    )
    // compose: false: the snapshot's engine came without the Compose package (tk up would install it).
    writeFileSync(
      join(dir, 'tk.yml'),
      sandboxFleetYaml(
        fixture,
        machines.map((machine, index) => ({name: names[index], machine})),
        [
          'engine:',
          '  compose: false',
          'provisioners:',
          '  - name: greet',
          '    type: shell',
          '    inline: sleep 1; echo "token is $SECRET_TOKEN"',
          '    env:',
          '      SECRET_TOKEN: ${SECRET_TOKEN}',
        ],
      ),
    )
  })

  after(() => {
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('--dry-run: each host\'s plan on a line, as --json has it', async () => {
    const {summary, hosts} = await compare(['--dry-run'])
    expect(summary).to.include({dryRun: true})
    for (const host of hosts) expect(host).to.include({ok: true})
  })

  it('a first tk up, rolling (--serial 1): a line as each host finishes, the secret hidden as in --json', async () => {
    // The second run must find what the first did: tk up's state gone, the provisioner runs again.
    const forget = async () => {
      for (const machine of machines) {
        // eslint-disable-next-line no-await-in-loop -- two machines
        const removed = await machine.ssh('admin', 'sudo -n rm -f /var/lib/tk/state.json')
        expect(removed.code, removed.stderr).to.equal(0)
      }
    }
    const {lines, hosts, summary} = await compare(['--serial', '1'], forget)
    expect(summary).to.deep.include({dryRun: false, summary: {succeeded: 2, failed: 0, skipped: 0, changed: 2}})
    for (const host of hosts) expect(JSON.stringify(host)).to.contain('token is ***')
    // One host at a time: the first host's line came before the second host had done its work (its shell step sleeps 1 s).
    const second = hosts[1] as {durationMs: number}
    expect(lines[1].at - lines[0].at, 'web-2 ran after web-1\'s line was written').to.be.at.least(second.durationMs * 0.8)
  })

  it('a converged re-run: each host unchanged, its line the element --json lists (full checks, then quick runs)', async () => {
    // After the rolling run changed the hosts, both checks are full ones; after a full check that changed nothing, both quick.
    for (const [args, quick] of [[['--full'], false], [[], true]] as const) {
      // eslint-disable-next-line no-await-in-loop -- each pair compares the same state
      const {hosts, summary} = await compare([...args])
      expect(summary).to.deep.include({summary: {succeeded: 2, failed: 0, skipped: 0, changed: 0}})
      for (const host of hosts) {
        expect((host.result as {changed: number}).changed).to.equal(0)
        expect((host.result as {quick?: unknown}).quick !== undefined, `${String(host.target)} quick`).to.equal(quick)
      }
    }
  })
})
