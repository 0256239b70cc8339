/**
 * Debian version ordering, checked against dpkg itself: every pair below is
 * compared by `dpkg --compare-versions` on this machine and by tk, and the
 * two must agree. Real versions come from Debian's archive (the engine
 * packages and kernels of bullseye, bookworm and trixie, plus a sample of the
 * package indexes in /tmp/kcfg when present); synthetic ones probe epochs,
 * `~`, letters against other characters, leading zeros and long digit runs.
 */
import {expect} from 'chai'
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'

import {compareDebianVersions, parseDebianVersion, sortDebianVersionsDescending} from '../../../src/engine/debian-version.js'

/** Engine, container runtime and kernel versions of bullseye, bookworm and trixie. */
const REAL = [
  '0.19.0-1', '0.19.0-1+b3', '0.19.0-3+b8', '1.0.0~rc93+ds1-5+deb11u5', '1.1.15+ds1-2+b4', '1.1.5+ds1-1+deb12u1', '1.25.0-1', '1.29.2-3',
  '1.4.13~ds1-1~deb11u4', '1.6.20~ds1-1+deb12u3', '1.6.20~ds1-1+deb12u2', '1.7.24~ds1-6+deb13u1', '2.26.1-4', '20.10.24+dfsg1-1+deb12u1+b6',
  '20.10.24+dfsg1-1+deb12u1+b1', '20.10.24+dfsg1-1+deb12u1', '20.10.24+dfsg1-1', '20.10.5+dfsg1-1+deb11u2', '26.1.5+dfsg1-9+deb13u1+b1',
  '26.1.5+dfsg1-9', '5.10.218-1', '5.10.223-1', '6.1.170-3', '6.1.176-1', '6.12.107-1', '6.12.117-1', '1.4.13~ds1-1~deb11u2',
  '5:26.1.4-1~debian.12~bookworm', '5:27.0.3-1~debian.12~bookworm', '5:24.0.7-1~debian.12~bookworm', '1.6.33-1', '1.7.22-1',
]

const SYNTHETIC = [
  '1.0', '1.0-0', '1.0-1', '1.0-1~', '1.0~', '1.0~~', '1.0~~a', '1.0~a', '1.0~rc1', '1.0~rc1-1', '1.0a', '1.0+', '1.0.', '1.0.0',
  '1.00', '01.0', '1.0-1a', '1.0-1.1', '1.0-1+b1', '1.0-1+b10', '1.0-1+b9', '1:0.9', '1:1.0', '0:1.0', '2:0', '1.0+dfsg', '1.0+dfsg-1',
  '1.0a~b', '1.0aa', '1.0A', '1.0.a', '1.0-a', '10.0', '9.9999', '1.99999999999999999999', '1.100000000000000000000', '1.0-0~',
  '1.2.3-4-5', '1.2.3-4-5~', '2.0~beta', '2.0~beta.1', '2.0~beta1', '3.0+really2.9-1', '1.0z', '1.0+z', '7', '7-0', '7-00',
]

/** A small fixed-seed generator, so the pairs are the same on every run. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

/** Versions sampled from the package indexes of /tmp/kcfg, when this machine has them. */
function indexSample(): string[] {
  const dir = '/tmp/kcfg'
  if (!existsSync(dir)) return []
  const versions = new Set<string>()
  for (const file of readdirSync(dir).filter((name) => name.endsWith('-amd64.xz'))) {
    const text = execFileSync('xz', ['-dc', `${dir}/${file}`], {maxBuffer: 512 * 1024 * 1024}).toString()
    const lines = text.split('\n').filter((line) => line.startsWith('Version: '))
    for (let index = 0; index < lines.length; index += 2003) versions.add(lines[index].slice(9))
  }
  return [...versions]
}

function pairs(): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const next = random(7)
  // Neighbours in tk's order (where a wrong order shows first), both ways round, and random pairs.
  for (const [versions, count] of [[SYNTHETIC, 150], [[...new Set([...REAL, ...indexSample()])], 180]] as const) {
    const sorted = [...versions].sort((a, b) => compareDebianVersions(a, b))
    for (let index = 1; index < sorted.length; index++) out.push(index % 2 ? [sorted[index - 1], sorted[index]] : [sorted[index], sorted[index - 1]])
    for (let index = 0; index < count; index++) out.push([versions[Math.floor(next() * versions.length)], versions[Math.floor(next() * versions.length)]])
  }
  return out
}

/** dpkg's verdict on each pair: -1, 0 or 1, in one shell (dpkg itself is the slow part). */
function dpkgVerdicts(list: Array<[string, string]>): number[] {
  const script = 'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done'
  const result = spawnSync('sh', ['-c', script], {input: list.map(([a, b]) => `${a} ${b}`).join('\n') + '\n', maxBuffer: 16 * 1024 * 1024})
  if (result.status !== 0) throw new Error(`dpkg failed: ${result.stderr}`)
  return result.stdout.toString().trim().split('\n').map(Number)
}

const hasDpkg = spawnSync('dpkg', ['--version']).status === 0

describe('Debian versions', () => {
  it('orders the cases the engine packages depend on', () => {
    expect(compareDebianVersions('1.6.20~ds1-1+deb12u2', '1.6.20~ds1-1+deb12u3')).to.equal(-1)
    expect(compareDebianVersions('20.10.24+dfsg1-1+deb12u1+b6', '20.10.24+dfsg1-1+deb12u1')).to.equal(1)
    expect(compareDebianVersions('1.0~rc1', '1.0')).to.equal(-1)
    expect(compareDebianVersions('1:0.1', '9.9')).to.equal(1)
    expect(compareDebianVersions('1.0a', '1.0+')).to.equal(-1)
    expect(compareDebianVersions('1.10', '1.9')).to.equal(1)
    expect(compareDebianVersions('1.01', '1.1')).to.equal(0)
    expect(compareDebianVersions('0:1.0', '1.0')).to.equal(0)
  })

  it('parses epoch, upstream and revision, splitting at the last hyphen', () => {
    expect(parseDebianVersion('5:26.1.4-1~debian.12~bookworm')).to.include({epoch: 5, upstream: '26.1.4', revision: '1~debian.12~bookworm'})
    expect(parseDebianVersion('1.2.3-4-5')).to.include({epoch: 0, upstream: '1.2.3-4', revision: '5'})
    expect(parseDebianVersion('7')).to.include({upstream: '7', revision: ''})
    for (const bad of ['', 'a1.0', '1.0 1', 'x:1.0', '1.0-', '-1', '1.0-1_2']) expect(() => parseDebianVersion(bad), bad).to.throw()
  })

  it('sorts newest first and drops versions dpkg calls equal', () => {
    expect(sortDebianVersionsDescending(['1.0', '1.0~rc1', '1.00', '1:0.5', '1.0-1'])).to.deep.equal(['1:0.5', '1.0-1', '1.0', '1.0~rc1'])
  })

  it('agrees with dpkg --compare-versions on every pair', function () {
    if (!hasDpkg) this.skip()
    this.timeout(180_000)
    const list = pairs()
    expect(list.length).to.be.greaterThan(400)
    const verdicts = dpkgVerdicts(list)
    expect(verdicts).to.have.length(list.length)
    const disagreements = list
      .map(([a, b], index) => ({a, b, dpkg: verdicts[index], tk: compareDebianVersions(a, b)}))
      .filter((row) => row.dpkg !== row.tk)
    expect(disagreements).to.deep.equal([])
  })
})
