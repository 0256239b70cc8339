/**
 * The swarm port check's and token rotation's edge cases, with stand-ins for
 * hosts (the real cases run in test/integration/swarm.test.ts): a probe that
 * reports a blocked port, hosts without a firewall, a manager that cannot be
 * reached, an engine whose tokens do not change.
 */
import {expect} from 'chai'

import {HostStateError, ConnectionError} from '../../../src/errors/index.js'
import type {SwarmEngine} from '../../../src/swarm/engine-api.js'
import {hostOfAddr, parsePortProbe, type PortProbe, swarmPortsRefusal} from '../../../src/swarm/ports.js'
import {rotateJoinTokens} from '../../../src/swarm/rotate.js'

/** A stand-in host's probe: its firewalls, and the ports it cannot reach. */
const probe = (firewalls: string[], blocked: number[] = []): PortProbe & {asked: number} => {
  const stand = {
    asked: 0,
    firewalls: async () => firewalls,
    unreachable: async (pairs: ReadonlyArray<{address: string; port: number}>) => {
      stand.asked++
      return pairs.filter((pair) => blocked.includes(pair.port)).map((pair) => ({...pair, why: 'timed out'}))
    },
  }
  return stand
}

describe('swarm ports', () => {
  it('reads the probe script\'s lines', () => {
    expect(parsePortProbe('10.0.0.2 2377 timeout\n10.0.0.2 7946 refused\n\n')).to.deep.equal([
      {address: '10.0.0.2', port: 2377, why: 'timed out'},
      {address: '10.0.0.2', port: 7946, why: 'refused'},
    ])
    expect(hostOfAddr('172.18.0.3:2377')).to.equal('172.18.0.3')
    expect(hostOfAddr('[fd00::3]:2377')).to.equal('fd00::3')
  })

  it('with no firewall on either host nothing is probed', async () => {
    const joiner = probe([], [2377])
    expect(await swarmPortsRefusal({name: 'w1', ports: joiner}, {name: 'm1', ports: probe([])}, ['10.0.0.2:2377'])).to.equal(undefined)
    expect(joiner.asked).to.equal(0)
  })

  it('a firewall on the manager and a blocked port: one line naming the host, the port and the firewall', async () => {
    const refusal = await swarmPortsRefusal({name: 'w1', ports: probe([], [2377])}, {name: 'm1', ports: probe(['ufw'])}, ['10.0.0.2:2377'])
    expect(refusal?.message).to.equal("w1 cannot reach the swarm's managers at 10.0.0.2 port 2377/tcp (timed out); firewall active: ufw on m1; tk does not join it")
    expect(refusal?.message).not.to.contain('\n')
  })

  it('a firewall that lets the ports through: no refusal', async () => {
    expect(await swarmPortsRefusal({name: 'w1', ports: probe(['nftables'])}, {name: 'm1'}, ['10.0.0.2:2377'])).to.equal(undefined)
  })
})

/** A stand-in engine: swarm state and tokens in memory; `rotates` false for one whose tokens stay as they were. */
const engine = (name: string, state: {active: boolean; manager: boolean; rotates?: boolean}) => {
  const tokens = {worker: `SWMTKN-1-${name}-w0`, manager: `SWMTKN-1-${name}-m0`}
  let round = 0
  return {
    name,
    info: async () => ({LocalNodeState: state.active ? 'active' : 'inactive', ControlAvailable: state.manager}),
    inspect: async () => ({id: `swarm-of-${name}-0123456789`, version: 3, spec: {}, autolock: false}),
    joinToken: async (role: 'worker' | 'manager') => tokens[role],
    updateSwarm: async (_current: unknown, change: {rotateTokens: {worker: boolean; manager: boolean}}) => {
      if (state.rotates === false) return
      round++
      if (change.rotateTokens.worker) tokens.worker = `SWMTKN-1-${name}-w${round}`
      if (change.rotateTokens.manager) tokens.manager = `SWMTKN-1-${name}-m${round}`
    },
  } as unknown as SwarmEngine
}

describe('swarm rotate-tokens', () => {
  it('asks the next manager when the first cannot be reached or is not one, and says which', async () => {
    const result = await rotateJoinTokens(
      [
        {name: 'm1', engine: async () => Promise.reject(new ConnectionError('m1: connection refused'))},
        {name: 'm2', engine: async () => engine('m2', {active: false, manager: false})},
        {name: 'm3', engine: async () => engine('m3', {active: true, manager: true})},
      ],
      ['worker'],
      {dryRun: false},
    )
    expect(result).to.deep.include({manager: 'm3', rotated: ['worker']})
    expect(result.skipped).to.deep.equal([
      {target: 'm1', message: 'm1: connection refused'},
      {target: 'm2', message: 'its swarm state is inactive'},
    ])
    expect(JSON.stringify(result)).not.to.contain('SWMTKN')
  })

  it('an engine whose tokens did not change is an error, not a success', async () => {
    const failed = await rotateJoinTokens([{name: 'm1', engine: async () => engine('m1', {active: true, manager: true, rotates: false})}], ['worker', 'manager'], {dryRun: false}).catch((error: unknown) => error)
    expect(failed).to.be.instanceOf(HostStateError)
    expect((failed as Error).message).to.equal('m1: the engine accepted the rotation but the worker and manager join tokens are unchanged')
  })

  it('no manager at all: one line naming each and why', async () => {
    const failed = await rotateJoinTokens([{name: 'w1', engine: async () => engine('w1', {active: true, manager: false})}], ['worker'], {dryRun: true}).catch((error: unknown) => error)
    expect((failed as Error).message).to.equal("no manager of tk.yml's swarm could rotate the join tokens (w1: a worker, not a manager)")
  })
})
