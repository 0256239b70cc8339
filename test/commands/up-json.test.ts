import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'

describe('tk up --json (the built CLI)', function () {
  this.timeout(30_000)
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tk-up-json-'))))
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('gives a failed host error and steps, and no result, as docs/up.md says', async () => {
    // Nothing listens on port 1 of the loopback: the connection is refused at once.
    writeFileSync(join(dir, 'tk.yml'), 'hosts:\n  - name: web1\n    address: 127.0.0.1\n    port: 1\n    user: admin\n')
    const {code, stdout} = await runTk(['up', '--json'], {cwd: dir, env: {SSH_AUTH_SOCK: '', HOME: dir}})
    expect(code).to.equal(5)
    const json = JSON.parse(stdout)
    expect(json.summary).to.deep.equal({succeeded: 0, failed: 1, skipped: 0, changed: 0})
    const [host] = json.hosts
    expect(Object.keys(host).sort()).to.deep.equal(['durationMs', 'error', 'ok', 'steps', 'target'])
    expect(host).to.include({target: 'web1', ok: false})
    expect(host.steps).to.deep.equal([])
    expect(host.error).to.include({exitCode: 5})
    expect(host.error.message).to.match(/refused/)
  })
})
