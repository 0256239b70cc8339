import {expect} from 'chai'

import {combineDaemonPatches} from '../../../src/engine/daemon-config.js'
import {DEFAULT_DESIRED, type DesiredOverrides, overlayDesired} from '../../../src/provision/desired-engine.js'
import {desiredEngine} from '../../../src/provision/engine-from-config.js'

const noOverrides: DesiredOverrides = {dockerUsers: [], addLoginUser: true, skipCheck: false, force: false, restart: true}

describe('tk provision on a host of tk.yml: the command line over the host\'s engine settings', () => {
  const fromFile = desiredEngine(
    'web-1',
    {method: 'distro', version: '^20', users: ['deploy'], compose: true, daemon: {'log-driver': 'json-file', 'log-opts': {'max-size': '10m', 'max-file': '3'}}},
    {skipCheck: false},
  )

  it('is tk.yml\'s engine when the command line says nothing about it', () => {
    const desired = overlayDesired(fromFile, noOverrides)
    expect(desired).to.include({method: 'distro', compose: true, addLoginUser: true})
    expect(desired.dockerUsers).to.deep.equal(['deploy'])
    expect(desired.engineVersion).to.equal(fromFile.engineVersion)
    expect(desired.daemonConfig).to.deep.equal({patch: {'log-driver': 'json-file', 'log-opts': {'max-size': '10m', 'max-file': '3'}}, sources: ['tk.yml']})
  })

  it('takes what the command line gives: users added, daemon options merged key by key over tk.yml\'s, the rest replaced', () => {
    const desired = overlayDesired(fromFile, {
      ...noOverrides,
      compose: false,
      dockerUsers: ['ci', 'deploy'],
      engineVersion: '>=20.10 <21',
      daemonConfig: {patch: {'log-opts': {'max-size': '50m', 'max-file': null}, 'live-restore': true}, sources: ['--daemon-opt log-opts.max-size=50m']},
      smokeImage: 'hello-world',
    })
    expect(desired).to.include({compose: false, engineVersion: '>=20.10 <21', smokeImage: 'hello-world'})
    expect(desired.dockerUsers).to.deep.equal(['deploy', 'ci'])
    expect(desired.daemonConfig!.patch).to.deep.equal({'log-driver': 'json-file', 'log-opts': {'max-size': '50m', 'max-file': null}, 'live-restore': true})
    expect(desired.daemonConfig!.sources).to.deep.equal(['tk.yml', '--daemon-opt log-opts.max-size=50m'])
  })

  it('is the command line alone for a host not in tk.yml, as before', () => {
    const desired = overlayDesired(DEFAULT_DESIRED, {...noOverrides, dockerUsers: ['ci'], addLoginUser: false})
    expect(desired).to.deep.equal({...DEFAULT_DESIRED, dockerUsers: ['ci'], addLoginUser: false})
  })

  it('names --script when tk.yml\'s method is script and no script was given', () => {
    expect(() => desiredEngine('fedora-1', {method: 'script', users: [], compose: false, daemon: {}}, {skipCheck: false, scriptFlag: '--script'})).to.throw(
      /fedora-1: engine method is script, and no install script was given/,
    )
    try {
      desiredEngine('fedora-1', {method: 'script', users: [], compose: false, daemon: {}}, {skipCheck: false, scriptFlag: '--script'})
    } catch (error) {
      expect((error as {hint: string}).hint).to.match(/^pass --script FILE\|URL/)
    }
  })
})

describe('daemon.json patches one over another', () => {
  it('merges objects key by key, the later winning, and keeps its nulls so they still remove keys', () => {
    const first = {'log-opts': {'max-size': '10m', 'max-file': '3'}, 'storage-driver': 'overlay2', 'default-address-pools': [{base: '10.0.0.0/8', size: 24}]}
    const second = {'log-opts': {'max-file': null}, 'default-address-pools': [{base: '10.20.0.0/16', size: 24}], debug: true}
    expect(combineDaemonPatches(first, second)).to.deep.equal({
      'log-opts': {'max-size': '10m', 'max-file': null},
      'storage-driver': 'overlay2',
      'default-address-pools': [{base: '10.20.0.0/16', size: 24}],
      debug: true,
    })
    expect(first['log-opts']).to.deep.equal({'max-size': '10m', 'max-file': '3'})
  })
})
