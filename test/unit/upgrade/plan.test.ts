/** Given a host's upgrade facts, tk upgrade plans these moves: versions by dpkg's order, ranges by semver on the upstream part. */
import {expect} from 'chai'

import {parseEngineRange, pickVersionInRange, installedMajorRange, NoVersionInRange} from '../../../src/engine/version-range.js'
import {parseUpgradeFacts, type UpgradeFacts} from '../../../src/facts/upgrade-facts.js'
import {planUpgrade} from '../../../src/upgrade/plan.js'

const BOOKWORM_ENGINE = '20.10.24+dfsg1-1+deb12u1+b6'

function bookworm(overrides: Partial<UpgradeFacts> = {}): UpgradeFacts {
  return {
    init: 'systemd',
    apt: true,
    installed: {'docker.io': BOOKWORM_ENGINE, containerd: '1.6.20~ds1-1+deb12u2', runc: '1.1.5+ds1-1+deb12u1', tini: '0.19.0-1+b3'},
    offered: {
      'docker.io': [BOOKWORM_ENGINE],
      containerd: ['1.6.20~ds1-1+deb12u3', '1.6.20~ds1-1+deb12u2'],
      runc: ['1.1.5+ds1-1+deb12u1'],
      tini: ['0.19.0-1+b3'],
    },
    candidate: {'docker.io': BOOKWORM_ENGINE, containerd: '1.6.20~ds1-1+deb12u3', runc: '1.1.5+ds1-1+deb12u1', tini: '0.19.0-1+b3'},
    engineActive: true,
    stale: [],
    ...overrides,
  }
}

describe('upgrade plan', () => {
  it('keeps the installed major by default and moves containerd to its candidate by the Debian revision', () => {
    const plan = planUpgrade('web-1', bookworm(), {})
    expect(plan).to.include({range: '^20', rangeSource: 'installed major', downgrades: false})
    expect(plan.pins).to.deep.equal(['containerd=1.6.20~ds1-1+deb12u3'])
    expect(plan.restartFirst).to.deep.equal(['containerd'])
    expect(plan.packages.map((item) => [item.name, item.change])).to.deep.equal([
      ['docker.io', 'none'],
      ['containerd', 'upgrade'],
      ['runc', 'none'],
      ['tini', 'none'],
    ])
  })

  it('picks the newest engine in range by dpkg order, with docker-cli of the same build', () => {
    const facts = bookworm({
      installed: {'docker.io': '26.1.5+dfsg1-9', 'docker-cli': '26.1.5+dfsg1-9'},
      offered: {
        'docker.io': ['26.1.5+dfsg1-9', '26.1.5+dfsg1-9+deb13u1+b1', '26.1.5+dfsg1-9+deb13u1', '27.5.1+dfsg4-1', '28.0.0~rc1-1'],
        'docker-cli': ['26.1.5+dfsg1-9', '26.1.5+dfsg1-9+deb13u1', '26.1.5+dfsg1-9+deb13u1+b1', '27.5.1+dfsg4-1'],
      },
      candidate: {},
    })
    const plan = planUpgrade('t', facts, {})
    expect(plan.range).to.equal('^26')
    expect(plan.pins).to.deep.equal(['docker.io=26.1.5+dfsg1-9+deb13u1+b1', 'docker-cli=26.1.5+dfsg1-9+deb13u1+b1'])
    expect(planUpgrade('t', facts, {range: '>=26 <28'}).pins).to.deep.equal(['docker.io=27.5.1+dfsg4-1', 'docker-cli=27.5.1+dfsg4-1'])
  })

  it('says which versions exist when none is in range', () => {
    expect(() => planUpgrade('web-1', bookworm(), {range: '>=26'})).to.throw(NoVersionInRange, `web-1: no docker.io version within >=26: the host's sources offer ${BOOKWORM_ENGINE}`)
  })

  it('refuses a downgrade unless allowed, and keeps a newer installed engine that is in range', () => {
    const pinnedBack = bookworm({installed: {...bookworm().installed, containerd: '1.6.20~ds1-1+deb12u3'}, candidate: {...bookworm().candidate, containerd: '1.6.20~ds1-1+deb12u2'}})
    expect(() => planUpgrade('web-1', pinnedBack, {})).to.throw(/would downgrade containerd 1\.6\.20~ds1-1\+deb12u3 -> 1\.6\.20~ds1-1\+deb12u2/)
    expect(planUpgrade('web-1', pinnedBack, {allowDowngrade: true})).to.include({downgrades: true})

    const local = bookworm({installed: {'docker.io': '20.10.24+dfsg1-1+deb12u1+b7'}})
    expect(planUpgrade('t', local, {}).pins).to.deep.equal([])

    const outside = bookworm({installed: {'docker.io': '26.1.5+dfsg1-9'}})
    expect(() => planUpgrade('t', outside, {range: '^20'})).to.throw(/would downgrade docker\.io 26\.1\.5\+dfsg1-9 -> 20\.10\.24/)
    expect(planUpgrade('t', outside, {range: '^20', allowDowngrade: true}).pins).to.deep.equal([`docker.io=${BOOKWORM_ENGINE}`])
  })

  it('needs docker.io installed and apt', () => {
    expect(() => planUpgrade('t', bookworm({installed: {}}), {})).to.throw(/neither docker\.io nor docker-ce is installed/)
    expect(() => planUpgrade('t', bookworm({apt: false}), {})).to.throw(/no apt-get/)
  })
})

describe('engine version ranges', () => {
  it('matches the upstream part with semver and picks the newest by dpkg order (for tk provision --engine-version)', () => {
    const offered = ['20.10.24+dfsg1-1+deb12u1', '20.10.24+dfsg1-1+deb12u1+b6', '1:20.10.5+dfsg1-1', '26.1.5+dfsg1-9']
    expect(pickVersionInRange('t', 'docker.io', '^20', offered)).to.equal('1:20.10.5+dfsg1-1')
    expect(pickVersionInRange('t', 'docker.io', '20.10.24', offered)).to.equal('20.10.24+dfsg1-1+deb12u1+b6')
    expect(pickVersionInRange('t', 'docker.io', '>=26', offered)).to.equal('26.1.5+dfsg1-9')
    expect(() => pickVersionInRange('t', 'docker.io', '>=27', [])).to.throw(/offer no docker\.io at all/)
    expect(installedMajorRange('5:27.0.3-1~debian.12~bookworm')).to.equal('^27')
  })

  it('rejects what is not a range as a usage error', () => {
    expect(parseEngineRange(' ^20 ')).to.equal('^20')
    expect(() => parseEngineRange('twenty')).to.throw(/is not a version range/).with.property('exitCode', 2)
  })
})

describe('upgrade facts', () => {
  it('reads the facts script sections', () => {
    const facts = parseUpgradeFacts(
      ['@@tk:init', 'systemd', '@@tk:installed', 'docker.io 20.10.24+dfsg1-1+deb12u1+b6', '@@tk:offered', 'containerd 1.6.20~ds1-1+deb12u3', 'containerd 1.6.20~ds1-1+deb12u2', '@@tk:candidate', 'containerd 1.6.20~ds1-1+deb12u3', '@@tk:service', 'active', '@@tk:end', ''].join('\n'),
    )
    expect(facts).to.deep.equal({
      init: 'systemd',
      apt: true,
      installed: {'docker.io': '20.10.24+dfsg1-1+deb12u1+b6'},
      offered: {containerd: ['1.6.20~ds1-1+deb12u3', '1.6.20~ds1-1+deb12u2']},
      candidate: {containerd: '1.6.20~ds1-1+deb12u3'},
      engineActive: true,
      stale: [],
    })
    expect(() => parseUpgradeFacts('@@tk:init\nsystemd\n')).to.throw(/ended early/)
  })
})

describe("upgrade plan: Docker's engine (method docker)", () => {
  const v = (upstream: string) => `5:${upstream}-1~ubuntu.24.04~noble`
  const noble = (): UpgradeFacts => ({
    init: 'systemd',
    apt: true,
    installed: {'docker-ce': v('24.0.7'), 'docker-ce-cli': v('24.0.7'), 'docker-ce-rootless-extras': v('24.0.7'), 'containerd.io': '1.6.33-1'},
    offered: {
      'docker-ce': [v('24.0.7'), v('24.0.9'), v('26.1.3'), v('28.1.1')],
      'docker-ce-cli': [v('24.0.7'), v('24.0.9'), v('26.1.3'), v('28.1.1')],
      'docker-ce-rootless-extras': [v('24.0.7'), v('24.0.9'), v('26.1.3'), v('28.1.1')],
      'containerd.io': ['1.6.33-1', '1.7.27-1'],
    },
    // tk's pin makes the installed versions apt's candidates.
    candidate: {'docker-ce': v('24.0.7'), 'docker-ce-cli': v('24.0.7'), 'docker-ce-rootless-extras': v('24.0.7'), 'containerd.io': '1.6.33-1'},
    engineActive: true,
    stale: [],
  })

  it('moves docker-ce, its CLI and rootless extras together within 24.0 (never to 28.x for the 24.04 suffix), containerd.io to the newest, and re-pins', () => {
    const plan = planUpgrade('web-1', noble(), {range: '24.0'})
    expect(plan.pins).to.deep.equal([`docker-ce=${v('24.0.9')}`, `docker-ce-cli=${v('24.0.9')}`, `docker-ce-rootless-extras=${v('24.0.9')}`, 'containerd.io=1.7.27-1'])
    expect(plan.restartFirst).to.deep.equal(['containerd'])
    expect(plan.enginePin?.after).to.deep.equal(plan.pins)
    expect(plan.enginePin?.before).to.deep.equal([`docker-ce=${v('24.0.7')}`, `docker-ce-cli=${v('24.0.7')}`, `docker-ce-rootless-extras=${v('24.0.7')}`, 'containerd.io=1.6.33-1'])
  })

  it('keeps the installed major by default', () => {
    const plan = planUpgrade('web-1', noble(), {})
    expect(plan.range).to.equal('^24')
    expect(plan.packages[0]).to.include({name: 'docker-ce', to: v('24.0.9')})
  })
})
