/**
 * The install script of --method script: https or a local file, plain http
 * only when the user takes the risk, and --script-sha256 checked before any
 * host is touched. The web server is a stand-in on 127.0.0.1 (plain http: a
 * test cannot hold a trusted certificate, so https itself is not served here).
 */
import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {loadInstallScript} from '../../../src/provision/index.js'

const SCRIPT = '#!/bin/sh\necho installing\n'
const SHA = createHash('sha256').update(SCRIPT).digest('hex')

async function failure(promise: Promise<unknown>): Promise<Error & {exitCode?: number}> {
  try {
    await promise
  } catch (error) {
    return error as Error & {exitCode?: number}
  }
  throw new Error('expected a refusal')
}

describe('the install script', () => {
  let server: Server
  let base: string
  let requests = 0
  let dir: string

  before(async () => {
    server = createServer((_request, response) => {
      requests++
      response.end(SCRIPT)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    dir = mkdtempSync(join(tmpdir(), 'tk-install-script-'))
  })

  after(async () => {
    await new Promise((resolve) => server.close(resolve))
    rmSync(dir, {recursive: true, force: true})
  })

  it('refuses a plain http URL without asking it, in one line with the way out', async () => {
    const before = requests
    const error = await failure(loadInstallScript(`${base}/install.sh`, {flag: '--script'}))
    expect(error.message).to.equal(`--script ${base}/install.sh: plain http can be changed on the way, and the script runs as root on every host`)
    expect(error.exitCode).to.equal(2)
    expect(requests, 'nothing fetched').to.equal(before)
  })

  it('takes it with --allow-insecure-script, and then checks the sha256', async () => {
    expect(await loadInstallScript(`${base}/install.sh`, {flag: '--script', allowInsecure: true, sha256: SHA.toUpperCase()})).to.deep.equal({source: `${base}/install.sh`, content: SCRIPT, sha256: SHA})
    const error = await failure(loadInstallScript(`${base}/install.sh`, {flag: '--script', allowInsecure: true, sha256: '0'.repeat(64)}))
    expect(error.message).to.equal(`the install script ${base}/install.sh has sha256 ${SHA}, not the ${'0'.repeat(64)} --script-sha256 names: nothing was run`)
    expect(error.exitCode).to.equal(3)
  })

  it('checks a local file\'s sha256 too, and refuses a malformed one before reading anything', async () => {
    const file = join(dir, 'install.sh')
    writeFileSync(file, SCRIPT)
    expect((await loadInstallScript(file, {flag: '--install-script', sha256: SHA})).sha256).to.equal(SHA)
    expect((await failure(loadInstallScript(file, {flag: '--install-script', sha256: SHA.replace(/^./, 'f')}))).message).to.match(/--install-script-sha256 names: nothing was run$/)
    expect((await failure(loadInstallScript(file, {flag: '--install-script', sha256: 'abc'}))).message).to.equal('--install-script-sha256 abc: expected 64 hex digits (sha256sum\'s output)')
  })
})
