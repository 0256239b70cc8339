/**
 * Whether the other nodes can take a drained node's tasks, and whether a
 * manager's restart keeps quorum: the cases a three-node test cluster does
 * not show (constraints only one node meets, max replicas per node,
 * reservations, a manager already down). The node lists are made up here.
 */
import {expect} from 'chai'

import {absorptionProblems, type PlacedNode, type PlacedService, type PlacedTask, restartLosesQuorum} from '../../../src/swarm/drain.js'

const GiB = 1024 ** 3

const node = (id: string, extra: {hostname?: string; labels?: Record<string, string>; role?: 'manager' | 'worker'; state?: 'ready' | 'down'; availability?: 'active' | 'drain'; reach?: 'reachable' | 'unreachable'; cpus?: number; memoryGiB?: number} = {}): PlacedNode => ({
  ID: id,
  Version: {Index: 1},
  Spec: {Role: extra.role ?? 'worker', Availability: extra.availability ?? 'active', Labels: extra.labels ?? {}},
  Description: {Hostname: extra.hostname ?? id, Resources: {NanoCPUs: (extra.cpus ?? 2) * 1e9, MemoryBytes: (extra.memoryGiB ?? 4) * GiB}},
  Status: {State: extra.state ?? 'ready'},
  ...(extra.role === 'manager' ? {ManagerStatus: {Reachability: extra.reach ?? 'reachable', Addr: `${id}:2377`}} : {}),
})

const service = (id: string, extra: {replicas?: number; global?: boolean; constraints?: string[]; maxReplicas?: number; memoryGiB?: number} = {}): PlacedService => ({
  ID: id,
  Spec: {
    Name: id,
    Mode: extra.global ? {Global: {}} : {Replicated: {Replicas: extra.replicas ?? 1}},
    TaskTemplate: {
      Placement: {...(extra.constraints ? {Constraints: extra.constraints} : {}), ...(extra.maxReplicas ? {MaxReplicas: extra.maxReplicas} : {})},
      ...(extra.memoryGiB ? {Resources: {Reservations: {MemoryBytes: extra.memoryGiB * GiB}}} : {}),
    },
  },
})

let counter = 0
const task = (serviceId: string, nodeId: string): PlacedTask => ({ID: `t${counter++}`, ServiceID: serviceId, NodeID: nodeId, DesiredState: 'running', Status: {State: 'running'}})

describe('swarm drain: can the other nodes take the tasks', () => {
  const nodes = [node('a', {labels: {zone: 'x'}}), node('b', {labels: {zone: 'y'}}), node('c', {labels: {zone: 'y'}})]

  it('a replicated service the others may run: nothing in the way', () => {
    expect(absorptionProblems('a', nodes, [service('web', {replicas: 2})], [task('web', 'a'), task('web', 'b')])).to.deep.equal([])
  })

  it('a constraint only the drained node meets (a label, its hostname) is named', () => {
    const services = [service('db', {constraints: ['node.labels.zone==x']}), service('pin', {constraints: ['node.hostname == a']})]
    expect(absorptionProblems('a', nodes, services, [task('db', 'a'), task('pin', 'a')])).to.deep.equal([
      'service db: no other ready, active node meets its placement constraints (node.labels.zone==x)',
      'service pin: no other ready, active node meets its placement constraints (node.hostname == a)',
    ])
  })

  it('!= constraints, and nodes that are down or drained, count against the others', () => {
    const others = [node('a'), node('b', {state: 'down'}), node('c', {availability: 'drain'}), node('d', {role: 'manager'})]
    expect(absorptionProblems('a', others, [service('w', {constraints: ['node.role!=manager']})], [task('w', 'a')])).to.have.length(1)
    expect(absorptionProblems('a', others, [service('m', {constraints: ['node.role==manager']})], [task('m', 'a')])).to.deep.equal([])
  })

  it('more replicas than the others may hold at max replicas per node', () => {
    const tasks = [task('web', 'a'), task('web', 'b'), task('web', 'c')]
    expect(absorptionProblems('a', nodes, [service('web', {replicas: 3, maxReplicas: 1})], tasks)).to.deep.equal(['service web: 3 replicas, at most 1 per node, and only 2 other node(s) may run them'])
    expect(absorptionProblems('a', nodes, [service('web', {replicas: 3, maxReplicas: 2})], tasks)).to.deep.equal([])
  })

  it('reservations that do not fit in what the others have free', () => {
    const small = [node('a', {memoryGiB: 8}), node('b', {memoryGiB: 4})]
    // b already holds a 3 GiB task: 1 GiB left, and the moving task reserves 2 GiB.
    const services = [service('big', {replicas: 2, memoryGiB: 2}), service('other', {memoryGiB: 3})]
    expect(absorptionProblems('a', small, services, [task('big', 'a'), task('other', 'b')])).to.deep.equal(["service big: the other nodes lack the CPU or memory its reservations ask for 1 of its task(s)"])
    expect(absorptionProblems('a', small, [service('big', {replicas: 1, memoryGiB: 2})], [task('big', 'a')])).to.deep.equal([])
  })

  it('global services are not moved: the other nodes run their own', () => {
    expect(absorptionProblems('a', nodes, [service('agent', {global: true, constraints: ['node.hostname==a']})], [task('agent', 'a')])).to.deep.equal([])
  })

  it('a service with no task on the drained node is not its concern', () => {
    expect(absorptionProblems('a', nodes, [service('db', {constraints: ['node.labels.zone==x']})], [task('db', 'b')])).to.deep.equal([])
  })
})

describe('swarm drain: a manager restart and quorum', () => {
  it('one manager of three restarting, all up: quorum held', () => {
    const nodes = [node('a', {role: 'manager'}), node('b', {role: 'manager'}), node('c', {role: 'manager'})]
    expect(restartLosesQuorum('a', nodes)).to.equal(undefined)
  })

  it('one manager of three already down: restarting another would lose quorum, and the message names the one down', () => {
    const nodes = [node('a', {role: 'manager'}), node('b', {role: 'manager'}), node('c', {role: 'manager', reach: 'unreachable', hostname: 'host-c'})]
    expect(restartLosesQuorum('a', nodes)).to.equal('restarting its engine would leave 1 of the 3 managers reachable, not a majority: the swarm would lose quorum (unreachable now: host-c)')
  })

  it('the manager that is down itself can restart: it takes nothing more away', () => {
    const nodes = [node('a', {role: 'manager'}), node('b', {role: 'manager'}), node('c', {role: 'manager', reach: 'unreachable'})]
    expect(restartLosesQuorum('c', nodes)).to.equal(undefined)
  })

  it('a single manager has no quorum to keep (its control plane pauses), and a worker none at all', () => {
    expect(restartLosesQuorum('a', [node('a', {role: 'manager'}), node('b')])).to.equal(undefined)
    expect(restartLosesQuorum('b', [node('a', {role: 'manager'}), node('b')])).to.equal(undefined)
  })

  it('two managers: either restarting loses quorum', () => {
    expect(restartLosesQuorum('a', [node('a', {role: 'manager'}), node('b', {role: 'manager'})])).to.match(/^restarting its engine would leave 1 of the 2 managers reachable/)
  })
})
