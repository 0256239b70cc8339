import {expect} from 'chai'
import {cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, dirname, join} from 'node:path'

import {CONFIG_FIXTURES, FULL_ENV, INVALID_FIXTURES} from '../fixtures/config/index.js'
import {runTk} from '../run-tk.js'

/** Every file under dir with its size and mtime: "touches nothing" means this does not change. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, {recursive: true, encoding: 'utf8'})
    .sort()
    .map((name) => {
      const stat = statSync(join(dir, name))
      return `${name} ${stat.size} ${stat.mtimeMs}`
    })
}

describe('tk config validate (the built CLI)', function () {
  this.timeout(30_000)
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tk-config-validate-'))))
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('finds tk.yml up the tree and prints the resolved hosts, no secrets', async () => {
    cpSync(dirname(CONFIG_FIXTURES.full), dir, {recursive: true})
    const before = snapshot(dir)
    const {code, stdout, stderr} = await runTk(['config', 'validate'], {cwd: join(dir, 'scripts'), env: {...FULL_ENV, TK_CONFIG: ''}})
    expect(code, stderr).to.equal(0)
    expect(stderr).to.equal('')
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).to.equal('✔ ../tk.yml is valid: 4 hosts, 4 groups, 4 provisioners')
    expect(lines.slice(2)).to.deep.equal([
      'NAME  ADDRESS           USER   PORT  GROUPS  PROVIDER',
      'web1  203.0.113.10      admin  2222  web,eu  ssh',
      'web2  web2.example.org  alice  2222  web     ssh',
      'db1   prod-db           admin  22    db,eu   ssh',
      'lab1  -                 -      -     lab     sandbox (trixie)',
    ])
    expect(stdout).to.not.contain(FULL_ENV.TK_TEST_TOKEN)
    expect(snapshot(dir)).to.deep.equal(before)
  })

  it('gives hosts, groups and provisioners as JSON, no secrets', async () => {
    const {code, stdout} = await runTk(['config', 'validate', '--json', '--config', CONFIG_FIXTURES.full], {env: FULL_ENV})
    expect(code).to.equal(0)
    const result = JSON.parse(stdout)
    expect(result).to.include({file: CONFIG_FIXTURES.full, valid: true})
    expect(result.hosts[2]).to.deep.equal({name: 'db1', address: 'prod-db', user: 'admin', port: 22, identityFile: '~/.ssh/db_ed25519', groups: ['db', 'eu'], provider: 'ssh'})
    expect(result.hosts[3]).to.deep.equal({name: 'lab1', groups: ['lab'], provider: 'sandbox', release: 'trixie'})
    expect(result.groups).to.deep.equal({web: ['web1', 'web2'], eu: ['web1', 'db1'], db: ['db1'], lab: ['lab1']})
    expect(result.provisioners.map((provisioner: {name: string; type: string; run: string}) => `${provisioner.name}:${provisioner.type}:${provisioner.run}`)).to.deep.equal([
      'motd:shell:always',
      'setup:shell:once',
      'app-env:file:once',
      'web:docker:once',
    ])
    expect(stdout).to.not.contain(FULL_ENV.TK_TEST_TOKEN)
  })

  it('takes the file from TK_CONFIG', async () => {
    const {code, stdout} = await runTk(['config', 'validate'], {cwd: dir, env: {TK_CONFIG: CONFIG_FIXTURES.sandbox}})
    expect(code).to.equal(0)
    expect(stdout).to.match(/^next +- +- +- +db +sandbox \(trixie\)$/m)
  })

  it('without a tk.yml, exits 3 and says how to get one', async () => {
    const {code, stdout, stderr} = await runTk(['config', 'validate'], {cwd: dir, env: {TK_CONFIG: ''}})
    expect(code).to.equal(3)
    expect(stdout).to.equal('')
    expect(stderr).to.match(/^tk: no tk\.yml in .* or any directory above it; run tk init to write one, or name one with --config PATH\n$/)
  })

  it('a --config file that does not exist exits 3', async () => {
    const {code, stderr} = await runTk(['config', 'validate', '--config', 'nope.yml'], {cwd: dir})
    expect(code).to.equal(3)
    expect(stderr).to.equal('tk: config file nope.yml does not exist; check the path, or run tk init to write a starter tk.yml\n')
  })

  const malformed = [
    ...INVALID_FIXTURES,
    {
      file: '',
      what: 'an oversized file',
      message: /^oversized\.yml: the file is 2\.0 MiB, over the 1\.0 MiB a tk\.yml may have; refusing to parse it; /,
      make: (into: string) => {
        const file = join(into, 'oversized.yml')
        writeFileSync(file, `# ${'x'.repeat(2 * 1024 * 1024 - 3)}\n`)
        return file
      },
    },
  ]
  for (const fixture of malformed) {
    it(`refuses ${fixture.what} in one line with exit 4, touching nothing`, async () => {
      const file = 'make' in fixture ? fixture.make(dir) : join(dir, basename(fixture.file))
      if (!('make' in fixture)) cpSync(fixture.file, file)
      const before = snapshot(dir)
      const {code, stdout, stderr} = await runTk(['config', 'validate', '--config', basename(file)], {cwd: dir, env: {TK_TEST_MISSING_KEY: undefined}})
      expect(code, stderr).to.equal(4)
      expect(stdout).to.equal('')
      const lines = stderr.trimEnd().split('\n')
      expect(lines, stderr).to.have.length(1)
      expect(lines[0].replace(/^tk: /, '')).to.match(fixture.message)
      expect(stderr).to.not.match(/\bat .*\.js:\d+/)
      expect(snapshot(dir)).to.deep.equal(before)
    })
  }

  it('gives the error as JSON with --json', async () => {
    const {code, stdout} = await runTk(['config', 'validate', '--json', '--config', INVALID_FIXTURES[2].file])
    expect(code).to.equal(4)
    expect(JSON.parse(stdout).error).to.deep.include({exitCode: 4, hint: 'did you mean "address"?'})
  })
})
