import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {runTk} from '../run-tk.js'

describe('tk init (the built CLI)', function () {
  this.timeout(30_000)
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tk-init-'))))
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('writes the starter tk.yml, pointing editors at the schema, and it validates', async () => {
    const {code, stdout} = await runTk(['init'], {cwd: dir})
    expect(code).to.equal(0)
    expect(stdout).to.equal(`Wrote ${join(dir, 'tk.yml')}\nNext: describe your hosts in it, then run tk config validate.\n`)
    const text = readFileSync(join(dir, 'tk.yml'), 'utf8')
    const schema = fileURLToPath(new URL('../../schemas/tk.schema.json', import.meta.url))
    expect(text.split('\n')[0]).to.equal(`# yaml-language-server: $schema=${schema}`)
    const validate = await runTk(['config', 'validate'], {cwd: dir, env: {TK_CONFIG: ''}})
    expect(validate.code, validate.stderr).to.equal(0)
    expect(validate.stdout).to.match(/^✔ tk\.yml is valid: 2 hosts, 2 groups, 0 provisioners$/m)
  })

  it('refuses to overwrite an existing tk.yml (exit 1), leaving it as it was', async () => {
    writeFileSync(join(dir, 'tk.yml'), 'hosts: [{name: mine}]\n')
    const {code, stdout, stderr} = await runTk(['init'], {cwd: dir})
    expect(code).to.equal(1)
    expect(stdout).to.equal('')
    expect(stderr).to.equal(`tk: tk.yml already exists in ${dir} and was left as it is; edit it and run tk config validate, or replace it with the starter: tk init --force\n`)
    expect(readFileSync(join(dir, 'tk.yml'), 'utf8')).to.equal('hosts: [{name: mine}]\n')
  })

  it('replaces it with --force', async () => {
    writeFileSync(join(dir, 'tk.yml'), 'hosts: [{name: mine}]\n')
    const {code, stdout} = await runTk(['init', '--force', '--json'], {cwd: dir})
    expect(code).to.equal(0)
    expect(JSON.parse(stdout)).to.include({file: join(dir, 'tk.yml'), replaced: true})
    expect(readFileSync(join(dir, 'tk.yml'), 'utf8')).to.match(/^# yaml-language-server/)
  })

  it('notes a tk.yml above that the new one takes precedence over', async () => {
    writeFileSync(join(dir, 'tk.yml'), 'hosts: [{name: top}]\n')
    mkdirSync(join(dir, 'sub'))
    const {code, stdout} = await runTk(['init'], {cwd: join(dir, 'sub')})
    expect(code).to.equal(0)
    expect(stdout).to.contain(`Note: it takes precedence over ${join(dir, 'tk.yml')} for commands run here.`)
  })
})
