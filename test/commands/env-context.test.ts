import {expect} from 'chai'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CONFIG_FIXTURES} from '../fixtures/config/index.js'
import {runTk} from '../run-tk.js'

describe('tk env and tk context on a sandbox host whose machine does not exist (the built CLI)', function () {
  this.timeout(30_000)
  let home: string
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'tk-env-context-'))))
  afterEach(() => rmSync(home, {recursive: true, force: true}))

  it('refuse it with one line, saying tk up makes it, and exit 8, as docs/docker.md says; no tunnel is started', async () => {
    // A fresh HOME and runtime directory: no tunnel state of this machine's user is seen.
    const env = {TK_CONFIG: CONFIG_FIXTURES.sandbox, HOME: home, XDG_RUNTIME_DIR: home, XDG_STATE_HOME: join(home, 'state')}
    for (const argv of [['env', 'stable', '--shell', 'bash'], ['context', 'stable']]) {
      const {code, stdout, stderr} = await runTk(argv, {cwd: home, env})
      expect(code, argv.join(' ')).to.equal(8)
      expect(stdout, argv.join(' ')).to.equal('')
      expect(stderr.trimEnd().split('\n'), argv.join(' ')).to.have.length(1)
      expect(stderr, argv.join(' ')).to.match(/^tk: stable is a sandbox machine that does not exist yet; tk up creates it$/m)
      expect(readdirSync(home).filter((name) => name !== 'state')).to.deep.equal([])
    }
  })
})
