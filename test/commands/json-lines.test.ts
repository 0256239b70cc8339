/**
 * --json-lines on the built CLI, for every fleet command that has it: a line
 * per host (its --json element), the summary line last, nothing else on
 * stdout, no human output, and --json's exit code. The hosts are tk.yml hosts
 * on loopback ports nothing listens on, so every command gets as far as
 * connecting; test/integration/up-json-lines.test.ts has tk up on real machines.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'

/** A host's JSON without what differs between two runs (timings). */
function untimed(host: Record<string, unknown>): Record<string, unknown> {
  const {durationMs: _durationMs, startedAt: _startedAt, finishedAt: _finishedAt, ...rest} = host
  return rest
}

describe('--json-lines (the built CLI)', function () {
  this.timeout(60_000)
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tk-json-lines-'))
    // Nothing listens on ports 1 and 2 of the loopback: connections are refused at once.
    writeFileSync(join(dir, 'tk.yml'), 'hosts:\n  - name: web-1\n    address: 127.0.0.1\n    port: 1\n    user: admin\n  - name: web-2\n    address: 127.0.0.1\n    port: 2\n    user: admin\n')
  })
  after(() => rmSync(dir, {recursive: true, force: true}))
  const tk = (args: string[]) => runTk(args, {cwd: dir, env: {SSH_AUTH_SOCK: '', HOME: dir}})

  const cases: Array<{args: string[]; name?: string; also?: (summary: Record<string, unknown>) => void}> = [
    {args: ['up'], also: (last) => expect(last).to.include({dryRun: false})},
    {args: ['up', '--dry-run'], also: (last) => expect(last).to.include({dryRun: true})},
    {args: ['up', '--serial', '1']},
    {args: ['status'], name: 'name'},
    {args: ['provision', '@all']},
    {args: ['upgrade', '@all']},
    {args: ['upgrade', '--kernel', '@all']},
    {args: ['reboot', '@all']},
  ]
  for (const {args, name = 'target', also} of cases) {
    it(`tk ${args.join(' ')}: each host's --json element on a line, then the rest of --json's document`, async () => {
      const [lines, json] = await Promise.all([tk([...args, '--json-lines']), tk([...args, '--json'])])
      expect(lines.stderr).to.equal('')
      expect(lines.code).to.equal(json.code)
      expect(lines.code).to.not.equal(0)
      expect(lines.stdout.endsWith('\n')).to.equal(true)
      const parsed = lines.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
      const document = JSON.parse(json.stdout) as {hosts: Array<Record<string, unknown>>} & Record<string, unknown>
      const last = parsed.pop()!
      expect(Object.keys(last)[0]).to.equal('summary')
      const {hosts, ...rest} = document
      expect(last).to.deep.equal(rest)
      expect(parsed.map((host) => host[name]).sort()).to.deep.equal(['web-1', 'web-2'])
      for (const host of parsed) expect(untimed(host)).to.deep.equal(untimed(hosts.find((each) => each[name] === host[name])!))
      also?.(last)
    })
  }

  it('is refused beside --json, in one line', async () => {
    const both = await tk(['up', '--json-lines', '--json'])
    expect(both.code).to.equal(2)
    expect(JSON.parse(both.stdout).error.message).to.include('--json-lines')
  })
})
