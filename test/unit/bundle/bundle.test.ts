/**
 * The bundle format without the network: bundles written here from stand-in
 * .debs (a few random bytes with made-up index records: the format never
 * looks inside a .deb) are read back sound; any change to a file, a file
 * added, a manifest re-signed by another key, or a bundle signed by a key
 * this workstation does not trust is found. And the release/arch check
 * against captured host facts.
 */
import {expect} from 'chai'
import {createHash, randomBytes} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import * as openpgp from 'openpgp'
import {c as createTar, x as extractTar} from 'tar'

import {parseMadison, parseSimulatedInstalls, parseStanzas} from '../../../src/bundle/build.js'
import {bundleMismatch, debFileName, parseManifest} from '../../../src/bundle/format.js'
import {openBundle, requireSound} from '../../../src/bundle/open.js'
import {planBundleInstall} from '../../../src/bundle/plan.js'
import {ownSigningKey, signDetached, type Signer} from '../../../src/bundle/signing.js'
import {writeBundle} from '../../../src/bundle/write.js'
import {InputError, UnsupportedHostError} from '../../../src/errors/index.js'
import {capturedHostFacts} from '../../fixtures/host-facts/index.js'

describe('offline bundles: format, signature, hashes', function () {
  this.timeout(60_000)
  let dir: string
  let signer: Signer
  let bundle: string
  let trusted: Set<string>

  const standInDeb = (name: string) => {
    const path = join(dir, `${name}.deb`)
    const data = randomBytes(2048)
    writeFileSync(path, data)
    const sha256 = createHash('sha256').update(data).digest('hex')
    const stanza = `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nFilename: pool/main/${name}.deb\nSize: 2048\nSHA256: ${sha256}\n`
    return {name, version: '1.0-1', arch: 'amd64', path, stanza, sha256}
  }
  /** The bundle unpacked, changed by `change`, packed again as it was. */
  const repack = async (name: string, change: (root: string) => void | Promise<void>) => {
    const root = mkdtempSync(join(dir, 'unpacked-'))
    await extractTar({file: bundle, cwd: root})
    await change(root)
    const file = join(dir, `${name}.tkb`)
    const manifest = JSON.parse(readFileSync(join(root, 'tk-bundle.json'), 'utf8'))
    const extra = readFileSync(join(root, 'extra-files.txt'), 'utf8').split('\n').filter(Boolean)
    await createTar({file, cwd: root, portable: true}, ['tk-bundle.json', 'tk-bundle.json.asc', 'key.asc', ...Object.keys(manifest.files).filter((path: string) => path !== 'key.asc'), ...extra])
    return file
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tk-bundle-unit-'))
    signer = await ownSigningKey(join(dir, 'config'))
    trusted = new Set([signer.fingerprint])
    bundle = join(dir, 'good.tkb')
    await writeBundle({
      output: bundle,
      signer,
      release: 'bookworm',
      arch: 'amd64',
      install: ['docker.io', 'containerd', 'runc', 'tini', 'apparmor'],
      engine: {package: 'docker.io', version: '20.10.24+dfsg1-1'},
      method: 'distro',
      debs: ['docker.io', 'containerd', 'runc'].map(standInDeb),
    })
  })

  after(() => rmSync(dir, {recursive: true, force: true}))

  const withNoExtra = (root: string) => writeFileSync(join(root, 'extra-files.txt'), '')

  it('reads back what it wrote: sound, signed by tk\'s key, every file hashed', async () => {
    const opened = await openBundle(bundle, trusted)
    expect(opened.problems).to.deep.equal([])
    expect(opened.signer).to.include({fingerprint: signer.fingerprint, verified: true, trusted: true})
    expect(opened.manifest).to.include({release: 'bookworm', arch: 'amd64', method: 'distro'})
    expect(Object.keys(opened.manifest!.files).sort()).to.deep.equal(['key.asc', 'repo/InRelease', 'repo/Packages', 'repo/Release', 'repo/containerd_1.0-1_amd64.deb', 'repo/docker.io_1.0-1_amd64.deb', 'repo/runc_1.0-1_amd64.deb'])
    expect(requireSound(opened).sha256).to.equal(createHash('sha256').update(readFileSync(bundle)).digest('hex'))
  })

  it('keeps tk\'s own key private (0600)', async () => {
    const {statSync} = await import('node:fs')
    expect(statSync(join(dir, 'config', 'bundle-key.asc')).mode & 0o777).to.equal(0o600)
  })

  it('finds a .deb changed after signing, and refuses it in one line', async () => {
    const file = await repack('changed-deb', (root) => {
      withNoExtra(root)
      const path = join(root, 'repo', 'runc_1.0-1_amd64.deb')
      const data = readFileSync(path)
      data[100] ^= 0xff
      writeFileSync(path, data)
    })
    const opened = await openBundle(file, trusted)
    expect(opened.problems).to.deep.equal(['repo/runc_1.0-1_amd64.deb does not match its signed sha256'])
    expect(() => requireSound(opened)).to.throw(InputError, /is refused: repo\/runc_1\.0-1_amd64\.deb does not match its signed sha256; nothing was sent to any host$/)
  })

  it('finds a changed index, a file added, and a manifest changed after signing', async () => {
    const index = await repack('changed-index', (root) => {
      withNoExtra(root)
      writeFileSync(join(root, 'repo', 'Packages'), `${readFileSync(join(root, 'repo', 'Packages'), 'utf8')}\nPackage: evil\n`)
    })
    expect((await openBundle(index, trusted)).problems).to.deep.equal(['repo/Packages does not match its signed sha256'])

    const added = await repack('added', (root) => {
      writeFileSync(join(root, 'repo', 'evil_1_amd64.deb'), 'x')
      writeFileSync(join(root, 'extra-files.txt'), 'repo/evil_1_amd64.deb\n')
    })
    expect((await openBundle(added, trusted)).problems).to.deep.equal(['repo/evil_1_amd64.deb is not in the signed manifest'])

    const manifest = await repack('changed-manifest', (root) => {
      withNoExtra(root)
      const path = join(root, 'tk-bundle.json')
      writeFileSync(path, readFileSync(path, 'utf8').replace('"release": "bookworm"', '"release": "trixie"'))
    })
    const opened = await openBundle(manifest, trusted)
    expect(opened.signer.verified).to.equal(false)
    expect(opened.problems[0]).to.match(/^the manifest's signature does not verify/)
  })

  it('refuses a bundle re-signed by another key (its own key.asc put in), and one whose signer is not trusted here', async () => {
    const {privateKey} = await openpgp.generateKey({type: 'ecc', curve: 'curve25519Legacy', userIDs: [{name: 'someone else'}], format: 'object'})
    const other: Signer = {key: privateKey, fingerprint: privateKey.getFingerprint().toUpperCase(), userIds: privateKey.getUserIDs()}
    const resigned = await repack('resigned', async (root) => {
      withNoExtra(root)
      const path = join(root, 'tk-bundle.json')
      const text = readFileSync(path, 'utf8').replace('"release": "bookworm"', '"release": "trixie"')
      writeFileSync(path, text)
      writeFileSync(join(root, 'tk-bundle.json.asc'), await signDetached(other, text))
      writeFileSync(join(root, 'key.asc'), privateKey.toPublic().armor())
    })
    const opened = await openBundle(resigned, trusted)
    expect(opened.signer).to.include({fingerprint: other.fingerprint, verified: true, trusted: false})
    // key.asc changed too: its signed hash no longer matches either.
    expect(opened.problems).to.include(`signed by ${other.fingerprint}, a key this workstation does not trust`)
    expect(() => requireSound(opened)).to.throw(InputError, /does not trust/)

    const untrusted = await openBundle(bundle, new Set())
    expect(untrusted.problems).to.deep.equal([`signed by ${signer.fingerprint}, a key this workstation does not trust`])
  })

  it('says a file that is no bundle is not one', async () => {
    const file = join(dir, 'not-a-bundle.tkb')
    writeFileSync(file, 'hello\n')
    const opened = await openBundle(file, trusted)
    expect(opened.problems.join(' ')).to.match(/not a tk bundle/)
  })
})

describe('offline bundles: the manifest and the host check', () => {
  const manifest = {
    format: 1,
    release: 'bookworm',
    arch: 'amd64',
    method: 'distro',
    created: '2026-01-01T00:00:00.000Z',
    minimal: 'x',
    install: ['docker.io'],
    engine: {package: 'docker.io', version: '20.10.24+dfsg1-1'},
    packages: [{name: 'docker.io', version: '20.10.24+dfsg1-1', arch: 'amd64', file: 'repo/docker.io_20.10.24+dfsg1-1_amd64.deb', sha256: 'a'.repeat(64), size: 1}],
    files: {'repo/docker.io_20.10.24+dfsg1-1_amd64.deb': 'a'.repeat(64)},
  }

  it('takes a well-formed manifest and refuses paths outside the layout, unknown releases and formats', () => {
    expect(parseManifest(JSON.stringify(manifest)).release).to.equal('bookworm')
    expect(() => parseManifest(JSON.stringify({...manifest, files: {'../etc/passwd': 'a'.repeat(64)}}))).to.throw(/outside the bundle's layout: \.\.\/etc\/passwd/)
    expect(() => parseManifest(JSON.stringify({...manifest, files: {'repo/../../x.deb': 'a'.repeat(64)}}))).to.throw(/outside the bundle's layout/)
    expect(() => parseManifest(JSON.stringify({...manifest, release: 'sid'}))).to.throw(/unknown release sid/)
    expect(() => parseManifest(JSON.stringify({...manifest, format: 2}))).to.throw(/format 2 is not one tk reads/)
    expect(() => parseManifest('{')).to.throw(/not JSON/)
  })

  it('fits a host of its release and architecture, and says why not otherwise', () => {
    const bookworm = capturedHostFacts('bookworm-bare')
    expect(bundleMismatch({release: 'bookworm', arch: 'amd64'}, bookworm)).to.equal(undefined)
    expect(bundleMismatch({release: 'trixie', arch: 'amd64'}, bookworm)).to.equal('the bundle is for trixie on amd64, and the host runs Debian GNU/Linux 12 (bookworm) on amd64')
    expect(bundleMismatch({release: 'bookworm', arch: 'arm64'}, bookworm)).to.equal('the bundle is for bookworm on arm64, and the host runs Debian GNU/Linux 12 (bookworm) on amd64')
    const arm = {...bookworm, arch: 'aarch64'}
    expect(bundleMismatch({release: 'bookworm', arch: 'arm64'}, arm)).to.equal(undefined)
  })

  it('refuses, in the plan, a bundle of another release as an unsupported host, before any step', () => {
    const trixie = capturedHostFacts('trixie-bare')
    const sound = {file: 'b.tkb', sha256: 'f'.repeat(64), size: 1, signer: {userIds: [], verified: true, trusted: true}, problems: [], manifest: parseManifest(JSON.stringify(manifest))}
    expect(() => planBundleInstall('web-1', trixie, sound, false)).to.throw(UnsupportedHostError, /^web-1: the bundle is for bookworm on amd64, and the host runs .*trixie.*: nothing was sent$/)
  })
  it('takes a method-docker manifest with its pin, refuses a malformed pin; plans its own install list, compose with it, pinned', () => {
    const docker = {
      ...manifest,
      method: 'docker',
      repository: {url: 'https://download.docker.com/linux', channel: 'stable', fingerprint: '9DC858229FC7DD38854AE2D88D81803C0EBFCD88'},
      install: ['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-compose-plugin', 'apparmor'],
      engine: {package: 'docker-ce', version: '5:28.1.1-1~debian.12~bookworm'},
      pin: ['docker-ce=5:28.1.1-1~debian.12~bookworm', 'containerd.io=1.7.27-1'],
    }
    expect(parseManifest(JSON.stringify(docker)).pin).to.deep.equal(docker.pin)
    expect(() => parseManifest(JSON.stringify({...docker, pin: ['docker-ce=1; rm -rf /']}))).to.throw(/bad pin list/)
    expect(() => parseManifest(JSON.stringify({...docker, method: 'snap'}))).to.throw(/unknown method snap/)
    const bookworm = capturedHostFacts('bookworm-bare')
    const sound = (value: object) => ({file: 'b.tkb', sha256: 'f'.repeat(64), size: 1, signer: {userIds: [], verified: true, trusted: true}, problems: [], manifest: parseManifest(JSON.stringify(value))})
    const planned = planBundleInstall('web-1', bookworm, sound(docker), true, 'docker')
    expect(planned.packages).to.deep.equal(docker.install)
    expect(planned.detail).to.contain("Docker's repository").and.contain('docker-ce 5:28.1.1-1~debian.12~bookworm, pinned')
    expect(() => planBundleInstall('web-1', bookworm, sound({...docker, install: ['docker-ce', 'docker-ce-cli', 'containerd.io']}), true)).to.throw(/the bundle holds no docker-compose-plugin, and compose is asked for: nothing was sent/)
    expect(() => planBundleInstall('web-1', bookworm, sound(manifest), false, 'docker')).to.throw(/method docker is asked for, and the bundle b\.tkb holds Debian's docker\.io: nothing was sent/)
  })

  it('reads apt-cache madison\'s padded columns (a short version is padded: containerd.io |   1.6.20-1 |)', () => {
    const output = [' docker-ce | 5:20.10.24-1~debian.12~bookworm | http://127.0.0.1:1/linux/debian bookworm/stable amd64 Packages', 'containerd.io |   1.6.20-1 | http://127.0.0.1:1/linux/debian bookworm/stable amd64 Packages'].join('\n')
    expect(parseMadison(output)).to.deep.equal([
      {name: 'docker-ce', version: '5:20.10.24-1~debian.12~bookworm', source: 'http://127.0.0.1:1/linux/debian'},
      {name: 'containerd.io', version: '1.6.20-1', source: 'http://127.0.0.1:1/linux/debian'},
    ])
  })

  it('reads apt-get -s\'s Inst lines (new and upgraded packages) and control stanzas, and names .debs as apt\'s cache does', () => {
    const output = [
      'NOTE: This is only a simulation!',
      'Inst gcc-12-base (12.2.0-14+deb12u1 Debian:12.15/oldstable [amd64])',
      'Inst libc6 [2.36-9] (2.36-9+deb12u14 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64]) []',
      'Inst netbase (6.4 Debian:12.15/oldstable [all])',
      'Conf netbase (6.4 Debian:12.15/oldstable [all])',
    ].join('\n')
    expect(parseSimulatedInstalls(output)).to.deep.equal([
      {name: 'gcc-12-base', version: '12.2.0-14+deb12u1', arch: 'amd64'},
      {name: 'libc6', version: '2.36-9+deb12u14', arch: 'amd64'},
      {name: 'netbase', version: '6.4', arch: 'all'},
    ])
    const stanzas = parseStanzas('Package: a\nVersion: 1\nDescription: x\n more\n\n\nPackage: b\nVersion: 2:1.0\n')
    expect(stanzas.map((stanza) => [stanza.fields.get('Package'), stanza.fields.get('Version')])).to.deep.equal([['a', '1'], ['b', '2:1.0']])
    expect(debFileName('dmsetup', '2:1.02.185-2', 'amd64')).to.equal('dmsetup_2%3a1.02.185-2_amd64.deb')
  })
})
