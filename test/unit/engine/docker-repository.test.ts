/**
 * Docker's apt repository as tk reads it: its version scheme (epochs, `~`
 * suffixes, 24.0 against the 24.04 of an Ubuntu suffix), choosing a version
 * in a range, the repository's URLs per distribution and mirror name, and
 * the fingerprint of a signing key (fixture keys made with gpg, whose own
 * fingerprints are in test/fixtures/keys/*.fingerprint).
 */
import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {
  debSource,
  DOCKER_MIRRORS,
  DOCKER_REPOSITORY_URL,
  dockerPackageSet,
  dockerUpstreamSemver,
  dockerVersionInRange,
  dockerVersionsInRange,
  formatFingerprint,
  normalizeFingerprint,
  repositoryBaseUrl,
  repositoryDistro,
  repositoryLocation,
} from '../../../src/engine/docker-repository.js'
import {generateKey} from 'openpgp'

import {OpenPgpKeyError, readOpenPgpPublicKey} from '../../../src/engine/openpgp-key.js'

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url))

describe("Docker's repository: versions", () => {
  it('reads the upstream part of epoch-ed, ~-suffixed versions as semver', () => {
    expect(dockerUpstreamSemver('5:28.1.1-1~debian.12~bookworm')?.version).to.equal('28.1.1')
    expect(dockerUpstreamSemver('5:24.0.7-1~ubuntu.24.04~noble')?.version).to.equal('24.0.7')
    expect(dockerUpstreamSemver('5:28.0.0~rc.1-1~debian.12~bookworm')?.version).to.equal('28.0.0-rc.1')
    expect(dockerUpstreamSemver('1.7.27-1')?.version).to.equal('1.7.27')
    expect(dockerUpstreamSemver('not a version')).to.equal(undefined)
  })

  it('never takes 24.0 for the 24.04 of an Ubuntu suffix', () => {
    const offered = ['5:24.0.7-1~ubuntu.24.04~noble', '5:26.1.3-1~ubuntu.24.04~noble', '5:28.1.1-1~ubuntu.24.04~noble']
    expect(dockerVersionsInRange(offered, '24.0')).to.deep.equal(['5:24.0.7-1~ubuntu.24.04~noble'])
    expect(dockerVersionInRange('5:28.1.1-1~ubuntu.24.04~noble', '24.0')).to.equal(false)
    expect(dockerVersionInRange('5:28.1.1-1~ubuntu.24.04~noble', '24.04')).to.equal(false)
  })

  it('picks the newest in range in Debian order, pre-releases only on the test channel', () => {
    const offered = ['5:27.5.1-1~debian.12~bookworm', '5:28.0.0~rc.1-1~debian.12~bookworm', '5:28.0.0-1~debian.12~bookworm', '5:28.1.1-1~debian.12~bookworm', '5:28.1.0-1~debian.12~bookworm']
    expect(dockerVersionsInRange(offered, '>=27 <28.1')).to.deep.equal(['5:28.0.0-1~debian.12~bookworm', '5:27.5.1-1~debian.12~bookworm'])
    expect(dockerVersionsInRange(offered, undefined)[0]).to.equal('5:28.1.1-1~debian.12~bookworm')
    expect(dockerVersionsInRange(offered, '^28')).to.not.include('5:28.0.0~rc.1-1~debian.12~bookworm')
    expect(dockerVersionsInRange(offered, '>=28.0.0-rc.1 <28.0.0', 'test')).to.deep.equal(['5:28.0.0~rc.1-1~debian.12~bookworm'])
    expect(dockerVersionsInRange(offered, '^28.0.0-0', 'test')[0]).to.equal('5:28.1.1-1~debian.12~bookworm')
    // Debian's order puts the release after its release candidate.
    expect(dockerVersionsInRange(offered, undefined, 'test').indexOf('5:28.0.0~rc.1-1~debian.12~bookworm')).to.equal(3)
  })

  it('installs the packages Docker installs for each engine version', () => {
    expect(dockerPackageSet('5:19.03.15-3~debian.10~buster')).to.deep.equal(['docker-ce', 'docker-ce-cli', 'containerd.io'])
    expect(dockerPackageSet('5:20.10.24-1~debian.11~bullseye')).to.deep.equal(['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-ce-rootless-extras', 'docker-compose-plugin'])
    expect(dockerPackageSet('5:28.1.1-1~debian.12~bookworm')).to.include.members(['docker-buildx-plugin', 'docker-compose-plugin', 'docker-ce-rootless-extras'])
  })
})

describe("Docker's repository: where it is", () => {
  it("is Docker's by default, a mirror by name, or any http(s) URL", () => {
    expect(repositoryBaseUrl(undefined)).to.equal('https://download.docker.com/linux')
    expect(DOCKER_REPOSITORY_URL).to.equal('https://download.docker.com/linux')
    const names: Record<string, string> = {
      aliyun: 'https://mirrors.aliyun.com/docker-ce/linux',
      'azure-china': 'https://mirror.azure.cn/docker-ce/linux',
      tuna: 'https://mirrors.tuna.tsinghua.edu.cn/docker-ce/linux',
      ustc: 'https://mirrors.ustc.edu.cn/docker-ce/linux',
      huaweicloud: 'https://mirrors.huaweicloud.com/docker-ce/linux',
      tencent: 'https://mirrors.cloud.tencent.com/docker-ce/linux',
    }
    expect(DOCKER_MIRRORS).to.deep.equal(names)
    for (const [name, url] of Object.entries(names)) expect(repositoryBaseUrl(name)).to.equal(url)
    expect(repositoryBaseUrl('http://10.0.0.5:8080/docker/linux/')).to.equal('http://10.0.0.5:8080/docker/linux')
  })

  it('refuses what is neither a URL nor a mirror name, and URLs with credentials', () => {
    expect(() => repositoryBaseUrl('mirrors-of-nowhere')).to.throw(/neither a URL nor a mirror tk knows/)
    expect(() => repositoryBaseUrl('ftp://example.com/linux')).to.throw(/only http and https/)
    expect(() => repositoryBaseUrl('https://user:pw@example.com/linux')).to.throw(/user name or password/)
  })

  it('has a tree for debian, ubuntu and raspbian, at BASE/DISTRO/dists/CODENAME/CHANNEL/binary-ARCH', () => {
    expect(repositoryDistro('debian')).to.equal('debian')
    expect(repositoryDistro('ubuntu')).to.equal('ubuntu')
    expect(repositoryDistro('raspbian')).to.equal('raspbian')
    expect(repositoryDistro('fedora')).to.equal(undefined)
    const debian = repositoryLocation(DOCKER_REPOSITORY_URL, 'debian', 'bookworm', 'stable', 'amd64')
    expect(debian.uri).to.equal('https://download.docker.com/linux/debian')
    expect(debian.releaseUrl).to.equal('https://download.docker.com/linux/debian/dists/bookworm/Release')
    expect(debian.packagesUrl).to.equal('https://download.docker.com/linux/debian/dists/bookworm/stable/binary-amd64/Packages')
    const ubuntu = repositoryLocation(repositoryBaseUrl('tuna'), 'ubuntu', 'noble', 'test', 'arm64')
    expect(ubuntu.packagesUrl).to.equal('https://mirrors.tuna.tsinghua.edu.cn/docker-ce/linux/ubuntu/dists/noble/test/binary-arm64/Packages')
    expect(repositoryLocation(DOCKER_REPOSITORY_URL, 'raspbian', 'bookworm', 'stable', 'armhf').uri).to.equal('https://download.docker.com/linux/raspbian')
  })

  it('writes a deb822 source with Signed-By', () => {
    const text = debSource(repositoryLocation(DOCKER_REPOSITORY_URL, 'debian', 'bookworm', 'stable', 'amd64'), '/etc/apt/keyrings/docker.gpg')
    expect(text).to.match(/^Types: deb$/m)
    expect(text).to.match(/^URIs: https:\/\/download\.docker\.com\/linux\/debian$/m)
    expect(text).to.match(/^Suites: bookworm$/m)
    expect(text).to.match(/^Components: stable$/m)
    expect(text).to.match(/^Signed-By: \/etc\/apt\/keyrings\/docker\.gpg$/m)
  })
})

describe("Docker's repository: the signing key's fingerprint", () => {
  it("reads fingerprints as gpg prints them, and Docker's", () => {
    expect(normalizeFingerprint('9DC8 5822 9FC7 DD38 854A  E2D8 8D81 803C 0EBF CD88')).to.equal('9DC858229FC7DD38854AE2D88D81803C0EBFCD88')
    expect(normalizeFingerprint('0x9dc858229fc7dd38854ae2d88d81803c0ebfcd88')).to.equal('9DC858229FC7DD38854AE2D88D81803C0EBFCD88')
    expect(normalizeFingerprint('0EBFCD88')).to.equal(undefined)
    expect(formatFingerprint('9DC858229FC7DD38854AE2D88D81803C0EBFCD88')).to.equal('9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88')
  })

  it("computes a key's fingerprint as gpg does, armored (with headers) or binary", async () => {
    expect((await readOpenPgpPublicKey(fixture('rsa.asc'))).fingerprint).to.equal(fixture('rsa.fingerprint').toString().trim())
    expect((await readOpenPgpPublicKey(fixture('ed25519.gpg'))).fingerprint).to.equal(fixture('ed25519.fingerprint').toString().trim())
    // The binary form is what goes to the host: the same key.
    const key = await readOpenPgpPublicKey(fixture('rsa.asc'))
    expect((await readOpenPgpPublicKey(key.binary)).fingerprint).to.equal(key.fingerprint)
  })

  it('refuses several keys, a secret key, and what is not a key', async () => {
    const refusal = (data: Buffer) => readOpenPgpPublicKey(data).then(() => undefined, (error: Error) => error)
    expect(await refusal(fixture('two-keys.asc'))).to.be.instanceOf(OpenPgpKeyError).and.match(/holds 2 keys/)
    // A secret key made for the test (a stand-in for a user who exported the wrong half).
    const {privateKey} = await generateKey({type: 'ecc', curve: 'curve25519Legacy', userIDs: [{name: 'tk test'}], format: 'armored'})
    expect(await refusal(Buffer.from(privateKey))).to.be.instanceOf(OpenPgpKeyError).and.match(/secret key/)
    expect(await refusal(Buffer.from('<html>Not Found</html>'))).to.be.instanceOf(OpenPgpKeyError)
    expect(await refusal(Buffer.from(''))).to.be.instanceOf(OpenPgpKeyError)
  })
})
