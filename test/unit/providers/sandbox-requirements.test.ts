/**
 * The first tk up on a fresh Debian machine installs what the sandbox lacks.
 * apt-get here is a stand-in script that records its arguments (this
 * machine already has the packages, and the suite must not remove them).
 */
import {expect} from 'chai'
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {installSandboxRequirements, missingPackages} from '../../../src/providers/sandbox/requirements.js'

describe('the sandbox\'s Debian packages', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tk-apt-'))))
  afterEach(() => rmSync(dir, {recursive: true, force: true}))
  const standInAptGet = (exitCode = 0) => {
    const script = join(dir, 'apt-get')
    writeFileSync(script, `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> ${join(dir, 'calls')}\n[ ${exitCode} = 0 ] || echo "E: Unable to locate package debootstrap" >&2\nexit ${exitCode}\n`)
    chmodSync(script, 0o755)
    return script
  }
  const without = (...programs: string[]) => async (program: string) => (programs.includes(program) ? undefined : `/usr/bin/${program}`)

  it('names the packages of the missing programs, once each', async () => {
    expect(await missingPackages({images: true}, without('dockerd', 'debootstrap'))).to.deep.equal(['docker.io', 'debootstrap'])
    expect(await missingPackages({}, without('debootstrap'))).to.deep.equal([])
  })

  it('installs the missing ones with apt-get as root, saying so first', async function () {
    if (process.getuid?.() !== 0) this.skip()
    const said: string[] = []
    const installed = await installSandboxRequirements((message) => said.push(message), {find: without('dockerd', 'debootstrap'), aptGet: standInAptGet()})
    expect(installed).to.deep.equal(['docker.io', 'debootstrap'])
    expect(said).to.deep.equal(['installing docker.io debootstrap for sandbox machines (apt-get install, as root)'])
    expect(readFileSync(join(dir, 'calls'), 'utf8')).to.equal('noninteractive update -qq\nnoninteractive install -y -qq --no-install-recommends docker.io debootstrap\n')
  })

  it('does nothing when nothing is missing', async () => {
    const said: string[] = []
    expect(await installSandboxRequirements((message) => said.push(message), {find: without(), aptGet: standInAptGet()})).to.deep.equal([])
    expect(said).to.deep.equal([])
  })

  it('fails in one line with apt\'s own last words when apt-get fails', async function () {
    if (process.getuid?.() !== 0) this.skip()
    const failure = await installSandboxRequirements(() => {}, {find: without('debootstrap'), aptGet: standInAptGet(100)}).then(
      () => undefined,
      (error: Error) => error,
    )
    expect(failure?.message).to.equal('apt-get update failed (exit 100): E: Unable to locate package debootstrap')
  })
})
