/**
 * Sandbox machines of tk.yml hosts: one per (tk.yml, host), named so that a
 * person can tell which host it is, and never shared across projects or hosts.
 */
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {FLEET_LABEL, machineName, machinesOnDisk} from '../../../src/providers/sandbox/fleet.js'
import {planDestroy, parseEngineRemoval} from '../../../src/destroy/index.js'
import {UserError} from '../../../src/errors/index.js'
import type {Target} from '../../../src/targets/index.js'

// The rules of SandboxMachines (machine names) and of a DNS label / hostname.
const MACHINE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/

describe('sandbox machine names for tk.yml hosts', () => {
  it('are the host name and a short hash of the tk.yml path', () => {
    expect(machineName('/home/ana/shop/tk.yml', 'web1')).to.match(/^web1-[0-9a-f]{8}$/)
  })

  it('are the same every time for the same project and host', () => {
    expect(machineName('/home/ana/shop/tk.yml', 'web1')).to.equal(machineName('/home/ana/shop/tk.yml', 'web1'))
  })

  it('differ between two checkouts of the same tk.yml', () => {
    expect(machineName('/home/ana/shop/tk.yml', 'web1')).to.not.equal(machineName('/home/ana/shop-copy/tk.yml', 'web1'))
  })

  it('share the project hash between the hosts of one tk.yml', () => {
    const suffix = (name: string) => name.split('-').pop()
    expect(suffix(machineName('/p/tk.yml', 'web1'))).to.equal(suffix(machineName('/p/tk.yml', 'db1')))
  })

  it('turn any tk.yml host name into a valid machine name', () => {
    for (const host of ['Web_1', 'db.internal', 'A', '9lives', `x${'y'.repeat(62)}`, 'a__b..c', 'web-']) {
      const name = machineName('/p/tk.yml', host)
      expect(name, host).to.match(MACHINE_NAME)
      expect(name.length, host).to.be.at.most(49)
    }
    expect(machineName('/p/tk.yml', 'db.internal')).to.match(/^db-internal-[0-9a-f]{8}$/)
  })

  it('keep hosts apart whose names read the same once lower-cased', () => {
    const names = ['web-1', 'Web-1', 'web_1', 'WEB.1'].map((host) => machineName('/p/tk.yml', host))
    expect(new Set(names).size).to.equal(4)
  })

  it('keep long host names apart that share their first 40 characters', () => {
    const prefix = 'a'.repeat(45)
    expect(machineName('/p/tk.yml', `${prefix}1`)).to.not.equal(machineName('/p/tk.yml', `${prefix}2`))
  })
})

describe('tk destroy plan', () => {
  const target = (name: string, provider: 'ssh' | 'sandbox'): Target => ({name, raw: false, address: name, groups: [], provider, sshOptions: {}})

  it('removes sandbox machines', () => {
    expect(planDestroy([target('web1', 'sandbox')], false)).to.deep.equal(['web1: remove its sandbox machine and volumes'])
  })

  it('refuses ssh hosts, naming them, as a usage error', () => {
    try {
      planDestroy([target('web1', 'sandbox'), target('prod-1', 'ssh')], false)
      expect.fail('planDestroy accepted an ssh host')
    } catch (error) {
      expect(error).to.be.instanceOf(UserError)
      expect((error as UserError).message).to.match(/^prod-1 is an ssh host/)
      expect((error as UserError).exitCode).to.equal(2)
    }
  })

  it('takes ssh hosts with --uninstall-engine', () => {
    expect(planDestroy([target('prod-1', 'ssh')], true)).to.deep.equal([
      'prod-1: stop the Docker engine and remove its packages (apt-get remove, not purge); its images, containers and volumes (/var/lib/docker, /var/lib/containerd) and its config (/etc/docker) stay',
    ])
  })

  it('reads what uninstall-engine.sh removed, disarmed and kept', () => {
    expect(parseEngineRemoval('removed docker.io\nremoved containerd\ndisarmed /var/lib/docker/nuke-graph-directory.sh\nkept /var/lib/docker\nkept /var/lib/tk\n')).to.deep.equal({
      removed: ['docker.io', 'containerd'],
      disarmed: ['/var/lib/docker/nuke-graph-directory.sh'],
      kept: ['/var/lib/docker', '/var/lib/tk'],
    })
    expect(parseEngineRemoval('none\n')).to.deep.equal({removed: [], disarmed: [], kept: []})
  })
})

describe('sandbox machines on a stopped engine\'s disk', () => {
  // A stand-in for dockerd's data-root: containers/ID/config.v2.json as dockerd writes them (only the labels matter here).
  let dataRoot: string
  beforeEach(() => (dataRoot = mkdtempSync(join(tmpdir(), 'tk-data-root-'))))
  afterEach(() => rmSync(dataRoot, {recursive: true, force: true}))
  const container = (id: string, labels: Record<string, string>) => {
    mkdirSync(join(dataRoot, 'containers', id), {recursive: true})
    writeFileSync(join(dataRoot, 'containers', id, 'config.v2.json'), JSON.stringify({ID: id, Config: {Image: 'tk-sandbox/debian:bookworm', Labels: labels}}))
  }

  it('names the machines that are kept, so status does not call a destroyed one "down with the engine"', async () => {
    container('a1', {[FLEET_LABEL.project]: '/srv/fleet/tk.yml', [FLEET_LABEL.host]: 'web-1'})
    container('b2', {other: 'label'})
    expect([...(await machinesOnDisk(dataRoot))!]).to.deep.equal(['/srv/fleet/tk.yml\u0000web-1'])
  })

  it('knows there are none when the engine never kept a container, and claims nothing when it cannot read them', async () => {
    expect((await machinesOnDisk(dataRoot))!.size).to.equal(0)
    mkdirSync(join(dataRoot, 'containers', 'c3'), {recursive: true})
    writeFileSync(join(dataRoot, 'containers', 'c3', 'config.v2.json'), '{not json')
    expect(await machinesOnDisk(dataRoot)).to.equal(undefined)
  })
})
