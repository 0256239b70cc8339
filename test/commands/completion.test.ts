/**
 * Shell completion (issue 35), from oclif's plugin-autocomplete with the
 * built CLI: tk autocomplete writes bash and zsh scripts that complete
 * tk's commands (hidden ones left out) and their flags, and tells how to
 * install them. fish: the plugin has none (3.2.x, the line for Node 18 and 20; 3.3 and 4.x need Node 22 and have none either).
 */
import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'

describe('tk autocomplete (the built CLI)', function () {
  this.timeout(60_000)
  let dir: string
  let env: NodeJS.ProcessEnv

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tk-completion-'))
    env = {XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache'), XDG_DATA_HOME: join(dir, 'data')}
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('writes completion scripts for bash and zsh with the commands and their flags', async () => {
    const {code, stderr} = await runTk(['autocomplete', 'create'], {env})
    expect(code, stderr).to.equal(0)
    const functions = join(dir, 'cache', 'tk', 'autocomplete', 'functions')
    const scripts = {
      bash: readFileSync(join(functions, 'bash', 'tk.bash'), 'utf8'),
      zsh: readFileSync(join(functions, 'zsh', '_tk'), 'utf8'),
    }
    for (const [shell, script] of Object.entries(scripts)) {
      expect(script, shell).to.contain('halt').and.contain('ssh-config').and.contain('reload')
      expect(script, shell).to.match(/sudo/) // tk exec's flags
      expect(script, shell).to.not.contain('ssh-proxy')
    }
  })

  it('says how to install it for each shell', async () => {
    for (const shell of ['bash', 'zsh']) {
      const {code, stdout, stderr} = await runTk(['autocomplete', shell], {env})
      expect(code, stderr).to.equal(0)
      expect(stdout, shell).to.match(/tk autocomplete/)
    }
  })
})
