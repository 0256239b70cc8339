/** The sandbox's known_hosts under writers in several processes at once (test runs and tk commands side by side). */
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const MODULE = fileURLToPath(new URL('../../../src/providers/sandbox/known-hosts.ts', import.meta.url))

function writer(file: string, firstPort: number, count: number): Promise<number> {
  const script = `
    const {recordHostKey} = await import(${JSON.stringify(MODULE)})
    for (let port = ${firstPort}; port < ${firstPort + count}; port++) await recordHostKey(${JSON.stringify(file)}, port, 'ssh-ed25519 AAAAkey' + port)
  `
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {stdio: 'inherit'})
    child.on('error', reject)
    child.on('close', (code) => resolve(code ?? 1))
  })
}

describe('sandbox known_hosts', () => {
  it('keeps every line when three processes record keys at once', async function () {
    this.timeout(60_000)
    const dir = mkdtempSync(join(tmpdir(), 'tk-known-hosts-'))
    try {
      const file = join(dir, 'known_hosts')
      const codes = await Promise.all([writer(file, 40_000, 30), writer(file, 41_000, 30), writer(file, 42_000, 30)])
      expect(codes).to.deep.equal([0, 0, 0])
      const lines = readFileSync(file, 'utf8').trim().split('\n')
      expect(lines).to.have.length(90)
      expect(new Set(lines).size).to.equal(90)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
