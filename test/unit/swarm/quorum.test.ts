/** Raft's arithmetic and the node specs tk wants: the cases a real cluster rarely shows (a manager already down). */
import {expect} from 'chai'

import {advertiseFromSshConnection, desiredSpec, MANAGED_LABELS} from '../../../src/swarm/converge.js'
import type {SwarmNode} from '../../../src/swarm/engine-api.js'
import {faultTolerance, hasQuorum, removalLosesQuorum} from '../../../src/swarm/quorum.js'

const node = (spec: Partial<SwarmNode['Spec']> = {}): SwarmNode => ({
  ID: 'n1',
  Version: {Index: 7},
  Spec: {Role: 'worker', Availability: 'active', Labels: {}, ...spec},
  Status: {State: 'ready'},
})

describe('swarm quorum', () => {
  it('a majority of managers reachable is quorum', () => {
    expect(hasQuorum({total: 3, reachable: 2})).to.equal(true)
    expect(hasQuorum({total: 3, reachable: 1})).to.equal(false)
    expect(hasQuorum({total: 2, reachable: 1})).to.equal(false)
    expect(faultTolerance(5)).to.equal(2)
  })

  it('demoting a reachable manager of three, all up, keeps quorum (3 -> 2)', () => {
    expect(removalLosesQuorum({total: 3, reachable: 3}, {reachable: true})).to.equal(undefined)
  })

  it('demoting a reachable manager while another is down loses quorum, and says so', () => {
    expect(removalLosesQuorum({total: 3, reachable: 2}, {reachable: true})).to.equal('1 of the 2 managers left would be reachable, not a majority: the swarm would lose quorum')
  })

  it('removing the unreachable one of three restores a sound pair', () => {
    expect(removalLosesQuorum({total: 3, reachable: 2}, {reachable: false})).to.equal(undefined)
  })

  it('the last manager never goes', () => {
    expect(removalLosesQuorum({total: 1, reachable: 1}, {reachable: true})).to.equal('it is the swarm\'s last manager')
  })
})

describe('swarm node spec', () => {
  it('nothing to change when role, availability and tk\'s labels are as wanted', () => {
    const current = node({Labels: {tier: 'web', [MANAGED_LABELS]: 'tier', theirs: 'x'}})
    expect(desiredSpec(current, {name: 'w1', role: 'worker', availability: 'active', labels: {tier: 'web'}})).to.equal(undefined)
  })

  it('a label tk set and tk.yml dropped is taken off; others\' labels stay', () => {
    const current = node({Labels: {tier: 'web', disk: 'ssd', [MANAGED_LABELS]: 'disk,tier', theirs: 'x'}})
    expect(desiredSpec(current, {name: 'w1', role: 'manager', availability: 'drain', labels: {tier: 'web'}})).to.deep.equal({
      Role: 'manager',
      Availability: 'drain',
      Labels: {tier: 'web', [MANAGED_LABELS]: 'tier', theirs: 'x'},
    })
  })

  it('the advertise address is where sshd saw tk arrive; loopback is refused with what to set', () => {
    expect(advertiseFromSshConnection('w1', '172.18.0.1 51234 172.18.0.5 22\n')).to.equal('172.18.0.5')
    expect(() => advertiseFromSshConnection('w1', '127.0.0.1 51234 127.0.0.1 22')).to.throw(/w1: no advertise address.*/)
  })
})
