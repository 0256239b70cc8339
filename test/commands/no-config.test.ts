/** One situation, one exit code: a command that needs tk.yml and finds none exits 3 (missing input) with the same words. */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'

describe('no tk.yml where one is needed', () => {
  let dir: string
  before(() => (dir = mkdtempSync(join(tmpdir(), 'tk-no-config-'))))
  after(() => rmSync(dir, {recursive: true, force: true}))

  for (const argv of [['up'], ['status'], ['config', 'validate'], ['destroy', '--yes']]) {
    it(`tk ${argv.join(' ')} exits 3 naming the directory searched`, async () => {
      const {code, stdout, stderr} = await runTk(argv, {cwd: dir, env: {TK_CONFIG: ''}})
      expect(code, stderr).to.equal(3)
      expect(stdout).to.equal('')
      expect(stderr.trimEnd().split('\n')).to.have.length(1)
      expect(stderr).to.match(new RegExp(`^tk: no (hosts given, and no )?tk\\.yml in ${dir.replaceAll('.', '\\.')} or any directory above it; `))
    })
  }
})
