/** tk.yml's swarm: section: who is a manager or worker, labels and availability per node, and what is refused. */
import {expect} from 'chai'

import {parseConfig, type TkConfig} from '../../../src/config/index.js'

const HOSTS = `hosts:
  - {name: m1, groups: [core]}
  - {name: m2, groups: [core]}
  - {name: m3, groups: [core]}
  - {name: w1, groups: [web]}
  - {name: w2, groups: [web]}
`

const parse = (text: string): Promise<TkConfig> => parseConfig(`${HOSTS}${text}`, {file: '/fleet/tk.yml', displayName: 'tk.yml', env: {}})

async function refusal(text: string): Promise<string> {
  try {
    await parse(text)
  } catch (error) {
    expect((error as Error).name).to.equal('ConfigError')
    expect((error as Error).message).to.not.contain('\n')
    return (error as Error).message
  }
  throw new Error('expected a ConfigError')
}

describe('tk.yml: swarm', () => {
  it('managers and workers from names and @groups; labels from groups, then the host\'s own; availability', async () => {
    const config = await parse(`swarm:
  managers: ['@core']
  workers: ['@web']
  advertise: {w1: 10.0.0.21}
  labels:
    w1: {tier: edge}
    '@web': {tier: web, zone: a}
  availability: {m1: drain}
  defaultAddrPool: [10.20.0.0/16]
  subnetSize: 26
  autolock: true
`)
    expect(config.swarm).to.deep.equal({
      nodes: [
        {name: 'm1', role: 'manager', labels: {}, availability: 'drain'},
        {name: 'm2', role: 'manager', labels: {}, availability: 'active'},
        {name: 'm3', role: 'manager', labels: {}, availability: 'active'},
        {name: 'w1', role: 'worker', advertise: '10.0.0.21', labels: {tier: 'edge', zone: 'a'}, availability: 'active'},
        {name: 'w2', role: 'worker', labels: {tier: 'web', zone: 'a'}, availability: 'active'},
      ],
      defaultAddrPool: ['10.20.0.0/16'],
      subnetSize: 26,
      autolock: true,
    })
  })

  it('no swarm: section, no swarm', async () => {
    expect((await parse('')).swarm).to.equal(undefined)
  })

  it('an even number of managers is refused', async () => {
    expect(await refusal('swarm:\n  managers: [m1, m2]\n')).to.match(/2 managers \(m1, m2\): the number of managers must be odd/)
  })

  it('a host both manager and worker is refused', async () => {
    expect(await refusal('swarm:\n  managers: [m1]\n  workers: [m1, w1]\n')).to.contain('m1 is both a manager and a worker')
  })

  it('an unknown host or group is refused with its place in the file', async () => {
    expect(await refusal('swarm:\n  managers: [m1]\n  workers: ["@db"]\n')).to.match(/swarm\.workers\[0\]: no host or group "@db"/)
  })

  it('labels for a host outside the swarm are refused', async () => {
    expect(await refusal('swarm:\n  managers: [m1]\n  labels: {w2: {a: b}}\n')).to.contain('w2 is not a manager or worker of the swarm')
  })

  it('live-restore: true on a swarm host is refused, saying why', async () => {
    expect(await refusal('engine:\n  daemon: {live-restore: true}\nswarm:\n  managers: [m1]\n')).to.contain('live-restore: true, which Docker does not allow in swarm mode')
  })
})
