/**
 * tk bundle and --bundle as a user meets their mistakes, with the built CLI:
 * one line and the documented exit code, before anything is fetched, made
 * or sent.
 */
import {expect} from 'chai'
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'

describe('tk bundle and --bundle (the built CLI)', function () {
  this.timeout(60_000)
  let dir: string
  let env: NodeJS.ProcessEnv

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tk-bundle-cli-'))
    env = {XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache')}
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  const oneLine = (stderr: string) => expect(stderr.trim().split('\n'), stderr).to.have.length(1)

  it('takes Docker\'s repository only with --method docker, and a key only with its fingerprint, exit 2; a key of another fingerprint: exit 3, nothing fetched', async () => {
    const base = ['bundle', '--release', 'bookworm', '--arch', 'amd64', '-o', join(dir, 'b.tkb')]
    const stray = await runTk([...base, '--repository', 'tuna'], {env})
    expect(stray.code).to.equal(2)
    oneLine(stray.stderr)
    expect(stray.stderr).to.contain('--repository, --repository-key, --repository-fingerprint and --channel go with --method docker')
    const key = new URL('../fixtures/keys/rsa.asc', import.meta.url).pathname
    const bare = await runTk([...base, '--method', 'docker', '--repository', 'http://127.0.0.1:9/linux', '--repository-key', key], {env})
    expect(bare.code).to.equal(2)
    expect(bare.stderr).to.contain('--repository-key needs --repository-fingerprint')
    const wrong = await runTk([...base, '--method', 'docker', '--repository', 'http://127.0.0.1:9/linux', '--repository-key', key, '--repository-fingerprint', '0123456789ABCDEF0123456789ABCDEF01234567'], {env})
    expect(wrong.code).to.equal(3)
    oneLine(wrong.stderr)
    expect(wrong.stderr).to.match(/^tk: the repository key .* has fingerprint .*, not 0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567: refused/)
    expect(existsSync(join(dir, 'cache', 'tk', 'bundle')), 'no apt root made').to.equal(false)
  })

  it('refuses a release or architecture it does not make bundles for, exit 2', async () => {
    const release = await runTk(['bundle', '--release', 'sid', '--arch', 'amd64', '-o', join(dir, 'b.tkb')], {env})
    expect(release.code).to.equal(2)
    expect(release.stderr).to.contain('--release sid: tk makes bundles for bullseye, bookworm, trixie')
    const arch = await runTk(['bundle', '--release', 'bookworm', '--arch', 'riscv64', '-o', join(dir, 'b.tkb')], {env})
    expect(arch.code).to.equal(2)
    expect(arch.stderr).to.contain('--arch riscv64: tk makes bundles for amd64, arm64')
  })

  it('says in one line what the workstation lacks when apt is not there, exit 10, and makes no key', async () => {
    const {code, stderr} = await runTk(['bundle', '--release', 'bookworm', '--arch', 'amd64', '-o', join(dir, 'b.tkb')], {env: {...env, PATH: join(dir, 'empty-path')}})
    expect(code).to.equal(10)
    oneLine(stderr)
    expect(stderr).to.contain("tk bundle needs apt and Debian's archive keyring on this machine: apt-get, apt-cache")
    expect(stderr).to.contain('sudo apt-get install apt debian-archive-keyring')
    expect(existsSync(join(dir, 'config', 'tk', 'bundle-key.asc'))).to.equal(false)
  })

  it('inspects a file that is no bundle: shows the problem, exit 3; --json has it too', async () => {
    const file = join(dir, 'not.tkb')
    writeFileSync(file, 'hello\n')
    const human = await runTk(['bundle', 'inspect', file], {env})
    expect(human.code).to.equal(3)
    expect(human.stdout).to.match(/problem: not a tk bundle/)
    const json = await runTk(['bundle', 'inspect', file, '--json'], {env})
    expect(json.code).to.equal(3)
    expect(JSON.parse(json.stdout).problems[0]).to.match(/not a tk bundle/)
  })

  it('refuses --bundle with a missing file or a file that is no bundle before connecting to any host, exit 3', async () => {
    const missing = await runTk(['provision', 'admin@127.0.0.1:1', '--bundle', join(dir, 'missing.tkb')], {env})
    expect(missing.code).to.equal(3)
    oneLine(missing.stderr)
    expect(missing.stderr).to.contain('cannot read the bundle')
    const file = join(dir, 'not.tkb')
    const bad = await runTk(['provision', 'admin@127.0.0.1:1', '--bundle', file], {env})
    expect(bad.code).to.equal(3)
    expect(bad.stderr).to.match(/^tk: the bundle .* is refused: not a tk bundle .*nothing was sent to any host/)
  })
})
