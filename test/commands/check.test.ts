import {expect} from 'chai'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {KERNEL_CONFIGS} from '../fixtures/kernel-configs/index.js'
import {runTk} from '../run-tk.js'

describe('tk check (the built CLI)', function () {
  this.timeout(30_000)
  let dir: string
  before(() => (dir = mkdtempSync(join(tmpdir(), 'tk-check-'))))
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('passes this machine, warning that IPVS is missing', async () => {
    const {code, stdout} = await runTk(['check'])
    expect(code, stdout).to.equal(0)
    expect(stdout).to.match(/^Generally Necessary:$/m)
    expect(stdout).to.match(/warn CONFIG_NETFILTER_XT_MATCH_IPVS: missing/)
    expect(stdout).to.match(/✔ local: ready for a container engine/)
    expect(stdout).to.not.contain('\u001B[')
  })

  it('gives the whole report as JSON on stdout', async () => {
    const {code, stdout} = await runTk(['check', '--json'])
    expect(code).to.equal(0)
    const report = JSON.parse(stdout)
    expect(report).to.include({verdict: 'pass', mode: 'host', target: 'local'})
    expect(report.kernel.arch).to.equal('x86_64')
    expect(report.cgroup.version).to.equal(1)
    expect(report.storageDrivers.usable).to.include('overlay2')
    const ipvs = report.checks.find((check: {id: string}) => check.id === 'CONFIG_NETFILTER_XT_MATCH_IPVS')
    expect(ipvs).to.include({group: 'necessary', state: 'missing', status: 'warn', required: false})
  })

  it('exits 1 with a failing verdict for a 32-bit kernel config', async () => {
    const {code, stdout} = await runTk(['check', '--kernel-config', KERNEL_CONFIGS.bookworm686])
    expect(code).to.equal(1)
    expect(stdout).to.match(/FAIL CONFIG_64BIT: missing/)
    expect(stdout).to.match(/not ready for a container engine/)
  })

  it('reads a gzip config given with --kernel-config', async () => {
    const path = join(dir, 'config.gz')
    writeFileSync(path, gzipSync(readFileSync(KERNEL_CONFIGS.trixie)))
    const {code, stdout} = await runTk(['check', '-k', path, '--json'])
    expect(code).to.equal(0)
    expect(JSON.parse(stdout).kernel.version).to.equal('6.12.117')
  })

  const badInputs: Array<[string, () => string, RegExp]> = [
    ['a missing file', () => join(dir, 'nope'), /does not exist/],
    ['a directory', () => dir, /is a directory/],
    ['an empty file', () => write('empty', ''), /is empty/],
    ['binary garbage', () => write('garbage', Buffer.from([0, 1, 2, 255, 0, 7])), /binary data/],
    ['a truncated .gz', () => write('cut.gz', gzipSync(readFileSync(KERNEL_CONFIGS.bookworm)).subarray(0, 5000)), /damaged gzip/],
    ['a config with no header', () => write('noheader', 'CONFIG_64BIT=y\nCONFIG_NAMESPACES=y\n'), /no "# Linux\/<arch> <version> Kernel Configuration" header/],
  ]
  function write(name: string, content: string | Buffer): string {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }

  for (const [what, make, message] of badInputs) {
    it(`refuses ${what} in one line with exit 3`, async () => {
      const {code, stdout, stderr} = await runTk(['check', '--kernel-config', make()])
      expect(code).to.equal(3)
      expect(stdout).to.equal('')
      const lines = stderr.trim().split('\n')
      expect(lines, stderr).to.have.length(1)
      expect(lines[0]).to.match(/^tk: /)
      expect(lines[0]).to.match(message)
      expect(stderr).to.not.match(/\bat .*\.js:\d+/)
    })
  }

  it('documents the exit codes and examples in its help', async () => {
    const {code, stdout} = await runTk(['check', '--help'])
    expect(code).to.equal(0)
    expect(stdout).to.contain('input missing or unreadable')
    expect(stdout).to.contain('--kernel-config')
    expect(stdout).to.contain('EXAMPLES')
  })
})
