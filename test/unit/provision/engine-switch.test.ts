/**
 * Which way a host's engine switches and what is refused (src/provision/engine-switch.ts),
 * from captured bookworm facts varied by hand: the cases a real host in the
 * integration test (test/integration/engine-switch.test.ts) does not show —
 * docker-ce never switched back by tk's default method, and the containerd
 * image store named as lost from view (the stand-in's dockerd is 20.10).
 */
import {expect} from 'chai'

import {DEFAULT_DESIRED, type DesiredEngine} from '../../../src/provision/desired-engine.js'
import {distroTarget, parseSwitchFacts, planEngineSwitch, switchDirection, switchRefusals} from '../../../src/provision/engine-switch.js'
import {planProvision} from '../../../src/provision/plan.js'
import {desiredEngine} from '../../../src/provision/engine-from-config.js'
import {repositoryLocation} from '../../../src/engine/docker-repository.js'
import {variedHostFacts} from '../../fixtures/host-facts/index.js'

const dockerIo = variedHostFacts({from: 'bookworm-engine'})
const dockerCe = (patch: Record<string, unknown> = {}) =>
  variedHostFacts({
    from: 'bookworm-engine',
    patch: {engine: {packages: {'docker.io': null, containerd: null, runc: null, 'docker-ce': '5:29.1.0-1~debian.12~bookworm', 'docker-ce-cli': '5:29.1.0-1~debian.12~bookworm', 'containerd.io': '1.7.28-1'}, ...patch}},
  } as Parameters<typeof variedHostFacts>[0])
const desired = (given: Partial<DesiredEngine>): DesiredEngine => ({...DEFAULT_DESIRED, ...given})

describe('engine switch docker.io <-> docker-ce', () => {
  it('switches docker.io to docker-ce for method docker, and docker-ce back only when method distro is named', () => {
    expect(dockerIo.engine.packages['docker.io']).to.be.a('string')
    expect(switchDirection(dockerIo, desired({method: 'docker'}))).to.equal('to-docker')
    expect(switchDirection(dockerIo, desired({method: 'distro'}))).to.equal(undefined)
    expect(switchDirection(dockerCe(), desired({method: 'distro'}))).to.equal(undefined)
    expect(switchDirection(dockerCe(), desired({method: 'distro', methodNamed: true}))).to.equal('to-distro')
    expect(switchDirection(dockerCe(), desired({method: 'docker'}))).to.equal(undefined)
  })

  it('tk up goes the same way: engine.method written in tk.yml switches, tk up --force and --allow-downgrade carry over', () => {
    const written = desiredEngine('web-1', {method: 'distro', methodNamed: true, daemon: {}, users: [], compose: false}, {skipCheck: false, force: true, allowDowngrade: true})
    expect(written).to.include({methodNamed: true, force: true, allowDowngrade: true})
    expect(switchDirection(dockerCe(), written)).to.equal('to-distro')
    const defaulted = desiredEngine('web-1', {method: 'distro', daemon: {}, users: [], compose: false}, {skipCheck: false})
    expect(switchDirection(dockerCe(), defaulted)).to.equal(undefined)
  })

  it('purges the old engine in dependency order and names the running containers', () => {
    const change = planEngineSwitch('web-1', dockerIo, 'to-docker', parseSwitchFacts('@@tk:running\nweb\ndb\n@@tk:offered\n@@tk:end\n'), '5:24.0.7-1~debian.12~bookworm')
    expect(change.purge).to.deep.equal(['docker.io', 'containerd', 'runc'])
    expect(change.running).to.deep.equal(['web', 'db'])
    expect(change.lostFromView).to.equal(undefined)
    const [refusal, ...more] = switchRefusals('web-1', change, desired({method: 'docker'}))
    expect(more).to.have.length(0)
    expect(refusal.message).to.equal('web-1: switching docker.io to docker-ce restarts the engine and stops the running containers web, db: refused, nothing was changed')
    expect(switchRefusals('web-1', change, desired({method: 'docker', force: true}))).to.have.length(0)
  })

  it('refuses Docker 29 -> docker.io 20.10 as a downgrade, naming the containerd image store as lost from view', () => {
    const offered = ['20.10.24+dfsg1-1+deb12u1+b6', '20.10.5+dfsg1-1+deb11u2']
    const version = distroTarget(offered, undefined)
    expect(version).to.equal('20.10.24+dfsg1-1+deb12u1+b6')
    const change = planEngineSwitch('web-1', dockerCe(), 'to-distro', {running: [], distroOffered: offered}, version)
    expect(change.purge).to.deep.equal(['docker-ce', 'docker-ce-cli', 'containerd.io'])
    const [refusal] = switchRefusals('web-1', change, desired({method: 'distro', methodNamed: true}))
    expect(refusal.message).to.match(/^web-1: switching docker-ce to docker\.io 20\.10\.24\S+ is a downgrade from 5:29\.1\.0\S+; lost from view: the containerd image store's images and containers .*docker\.io 20\.10\.24 does not read it/)
    expect(refusal.hint).to.include('--allow-downgrade')
    expect(switchRefusals('web-1', change, desired({method: 'distro', methodNamed: true, allowDowngrade: true}))).to.have.length(0)
  })

  it('plans the switch instead of adopting docker.io when method docker is asked for', () => {
    const ce = '5:24.0.7-1~debian.12~bookworm'
    const repository = {
      choice: {url: 'http://repo.test/linux', channel: 'stable' as const, key: {source: 'key.asc', fingerprint: 'AB'.repeat(20), binary: Buffer.alloc(0)}},
      probe: {location: repositoryLocation('http://repo.test/linux', 'debian', 'bookworm', 'stable', 'amd64'), offered: {'docker-ce': [ce], 'docker-ce-cli': [ce], 'containerd.io': ['1.6.19-1']}},
    }
    const plan = planProvision('web-1', dockerIo, desired({method: 'docker', skipCheck: true}), repository, {direction: 'to-docker', read: {running: [], distroOffered: []}})
    const install = plan.steps.find((step) => step.id === 'install')!
    expect(install.action).to.equal('change')
    expect(install.detail).to.match(/^switch docker\.io \S+ -> docker-ce 5:24\.0\.7\S*; purge docker\.io, containerd, runc \(the purge hook that would delete \/var\/lib\/docker neutralised\); the engine restarts: no container runs; images, containers, volumes/)
    expect(plan.steps.find((step) => step.id === 'service')?.action).to.equal('change')
  })

  it('refuses a switch to method distro when the host offers no docker.io', () => {
    expect(() => planEngineSwitch('web-1', dockerCe(), 'to-distro', {running: [], distroOffered: []}, undefined)).to.throw(/offer no docker\.io to switch to \(nothing was changed\)/)
  })
})
