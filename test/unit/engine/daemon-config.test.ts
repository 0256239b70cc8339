import {expect} from 'chai'

import {
  changedPaths,
  checkDaemonKeys,
  checkFlagConflicts,
  daemonPatch,
  keysSetByFlags,
  lineDiff,
  mergeDaemonConfig,
  parseDaemonConfig,
  parseDaemonOpt,
  sameJson,
  type JsonObject,
} from '../../../src/engine/daemon-config.js'
import type {HostFacts} from '../../../src/facts/host-facts.js'
import {journalReason, planDaemonConfig} from '../../../src/provision/daemon-config-step.js'
import {DEFAULT_DESIRED, type DesiredEngine} from '../../../src/provision/desired-engine.js'
import {splitCommandLine} from '../../../src/facts/command-line.js'

const DEBIAN_UNIT = '/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS'
const reasons = (problems: Array<{toString(): string}>) => problems.map(String)

describe('daemon.json options', () => {
  it('reads --daemon-opt values by the key\'s type: text for strings, JSON otherwise, null to remove', () => {
    expect(parseDaemonOpt('log-opts.max-size=10m')).to.deep.equal({path: ['log-opts', 'max-size'], value: '10m'})
    expect(parseDaemonOpt('log-opts.max-file=3')).to.deep.equal({path: ['log-opts', 'max-file'], value: '3'})
    expect(parseDaemonOpt('live-restore=true')).to.deep.equal({path: ['live-restore'], value: true})
    expect(parseDaemonOpt('mtu=1400')).to.deep.equal({path: ['mtu'], value: 1400})
    expect(parseDaemonOpt('storage-driver="overlay2"')).to.deep.equal({path: ['storage-driver'], value: 'overlay2'})
    expect(parseDaemonOpt('default-address-pools=[{"base":"10.20.0.0/16","size":24}]').value).to.deep.equal([{base: '10.20.0.0/16', size: 24}])
    expect(parseDaemonOpt('live-restore=yes').value).to.equal('yes')
    expect(parseDaemonOpt('debug=null').value).to.equal(null)
    expect(parseDaemonOpt('dns=["1.1.1.1"]').value).to.deep.equal(['1.1.1.1'])
    expect(() => parseDaemonOpt('live-restore')).to.throw('expected key=value')
    expect(() => parseDaemonOpt('log-opts..max-size=1')).to.throw('empty key')
  })

  it('nests dotted keys, the options applied over a file in order', () => {
    const patch = daemonPatch({'log-opts': {'max-file': '5'}, debug: true}, ['log-opts.max-size=10m', 'log-opts.max-file=3', 'debug=null'])
    expect(patch).to.deep.equal({'log-opts': {'max-file': '3', 'max-size': '10m'}, debug: null})
  })

  it('merges over the host\'s file: other keys kept in their order, objects merged, arrays replaced, null removes', () => {
    const current = {'log-level': 'warn', dns: ['8.8.8.8'], 'log-opts': {'max-file': '5'}, debug: true}
    const merged = mergeDaemonConfig(current, {dns: ['1.1.1.1'], 'log-opts': {'max-size': '10m'}, debug: null, 'live-restore': true})
    expect(merged).to.deep.equal({'log-level': 'warn', dns: ['1.1.1.1'], 'log-opts': {'max-file': '5', 'max-size': '10m'}, 'live-restore': true})
    expect(Object.keys(merged)).to.deep.equal(['log-level', 'dns', 'log-opts', 'live-restore'])
    expect(current.debug, 'the input is not changed').to.equal(true)
  })

  it('compares parsed content, not bytes or key order', () => {
    expect(sameJson({a: 1, b: {c: [1, 2]}}, {b: {c: [1, 2]}, a: 1})).to.equal(true)
    expect(sameJson({a: [1, 2]}, {a: [2, 1]})).to.equal(false)
    expect(sameJson({a: 1}, {a: 1, b: null})).to.equal(false)
    expect(changedPaths({'log-level': 'info', debug: true}, {'log-level': 'info', 'log-opts': {'max-size': '10m'}})).to.deep.equal(['debug', 'log-opts.max-size'])
  })

  it('parses the host\'s file: absent or empty is {}, anything but an object is refused', () => {
    expect(parseDaemonConfig(undefined)).to.deep.equal({})
    expect(parseDaemonConfig(' \n')).to.deep.equal({})
    expect(() => parseDaemonConfig('{"debug": true,}')).to.throw(/not valid JSON/)
    expect(() => parseDaemonConfig('[1]')).to.throw('not a JSON object')
  })
})

describe('daemon.json validation', () => {
  it('refuses unknown keys, naming the nearest one', () => {
    expect(reasons(checkDaemonKeys({'log-opt': {}, 'no-such-option': 1}, ['log-opt', 'no-such-option']))).to.deep.equal([
      'log-opt: not a daemon.json option (did you mean log-opts?)',
      'no-such-option: not a daemon.json option',
    ])
  })

  it('checks value types, inside maps and address pools too', () => {
    const config: JsonObject = {
      'live-restore': 'yes',
      mtu: 1400.5,
      dns: ['1.1.1.1', 2],
      'log-opts': {'max-size': '10m', 'max-file': 3},
      features: {buildkit: 'true'},
      'default-address-pools': [{base: '10.20.0.0/16', size: 24}, {base: '10.30.0.0/16'}],
      proxies: {'http-proxy': 'http://proxy:3128', 'ftp-proxy': 'x'},
      'storage-driver': 'overlay2',
    }
    expect(reasons(checkDaemonKeys(config, Object.keys(config), '26.1.5+dfsg1'))).to.deep.equal([
      'live-restore: expected true or false, got a string "yes"',
      'mtu: expected an integer, got a number 1400.5',
      'dns: expected an array of strings, got an array ["1.1.1.1",2]',
      'log-opts.max-file: expected a string (quote numbers: "3"), got a number 3',
      'features.buildkit: expected true or false, got a string "true"',
      'default-address-pools[1]: expected {"base": "CIDR", "size": N}, got {"base":"10.30.0.0/16"}',
      'proxies.ftp-proxy: unknown key; proxies takes http-proxy, https-proxy, no-proxy',
    ])
  })

  it('knows keys newer than the engine, and keys the engine no longer reads', () => {
    const config = {proxies: {'http-proxy': 'http://proxy:3128'}, graph: '/srv/docker'}
    expect(reasons(checkDaemonKeys(config, ['proxies'], '20.10.24+dfsg1'))).to.deep.equal(['proxies: needs engine 23.0 or later; this host runs 20.10.24+dfsg1'])
    expect(reasons(checkDaemonKeys(config, ['graph'], '26.1.5+dfsg1'))).to.deep.equal(['graph: removed in engine 23.0; this host runs 26.1.5+dfsg1 (use data-root)'])
    expect(checkDaemonKeys(config, ['proxies', 'graph'])).to.deep.equal([], 'no version known: no version check')
  })

  it('reads the keys set by the unit\'s command line, $DOCKER_OPTS expanded', () => {
    const argv = splitCommandLine(DEBIAN_UNIT, {DOCKER_OPTS: '--dns 8.8.8.8 --debug -l warn'})
    expect(argv).to.deep.equal(['/usr/sbin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock', '--dns', '8.8.8.8', '--debug', '-l', 'warn'])
    expect([...keysSetByFlags(argv)]).to.deep.equal([
      ['hosts', '-H fd://'],
      ['containerd', '--containerd /run/containerd/containerd.sock'],
      ['dns', '--dns 8.8.8.8'],
      ['debug', '--debug'],
      ['log-level', '-l warn'],
    ])
    expect(splitCommandLine('dockerd "--label=a b" ${DOCKER_OPTS}', {})).to.deep.equal(['dockerd', '--label=a b'])
  })

  it('refuses a file key that a flag on the unit also sets: hosts against -H fd://', () => {
    const argv = splitCommandLine(DEBIAN_UNIT)
    expect(reasons(checkFlagConflicts({hosts: ['unix:///var/run/docker.sock'], debug: true}, argv))).to.deep.equal([
      "hosts: also set on the engine's command line (-H fd://); dockerd refuses to start when an option is given both ways",
    ])
    expect(checkFlagConflicts({debug: true}, argv)).to.deep.equal([])
  })
})

describe('daemon.json diff', () => {
  it('shows removed lines before added ones, unchanged lines with two spaces', () => {
    expect(lineDiff('{\n  "debug": true\n}\n', '{\n  "debug": true,\n  "mtu": 1400\n}\n')).to.deep.equal(['  {', '-   "debug": true', '+   "debug": true,', '+   "mtu": 1400', '  }'])
    expect(lineDiff('', '{}\n')).to.deep.equal(['+ {}'])
  })
})

/** A provisioned bookworm host as far as the daemon-config step looks. */
function facts(overrides: {configText?: string; images?: number; containers?: number; running?: number; liveRestore?: boolean} = {}): HostFacts {
  return {
    init: 'systemd',
    engine: {
      server: {
        version: '20.10.24+dfsg1',
        storageDriver: 'overlay2',
        rootDir: '/var/lib/docker',
        images: overrides.images ?? 0,
        containers: overrides.containers ?? 0,
        running: overrides.running ?? 0,
        liveRestore: overrides.liveRestore ?? false,
      },
      daemon: {dockerdVersion: '20.10.24+dfsg1', canValidate: false, argv: splitCommandLine(DEBIAN_UNIT), configText: overrides.configText},
    },
  } as unknown as HostFacts
}
const desired = (opts: string[], extra: Partial<DesiredEngine> = {}): DesiredEngine => ({
  ...DEFAULT_DESIRED,
  daemonConfig: {patch: daemonPatch(undefined, opts), sources: opts},
  ...extra,
})

describe('planning the daemon-config step', () => {
  it('plans nothing without options, and "ok" when the file holds them already (whatever its formatting)', () => {
    expect(planDaemonConfig('web-1', facts(), DEFAULT_DESIRED, false)).to.equal(undefined)
    const plan = planDaemonConfig('web-1', facts({configText: '{"live-restore":true,"log-opts":{"max-size":"10m"}}'}), desired(['log-opts.max-size=10m', 'live-restore=true']), false)
    expect(plan).to.deep.include({action: 'ok', detail: '/etc/docker/daemon.json holds the options already'})
  })

  it('plans the new file, its diff and a restart', () => {
    const plan = planDaemonConfig('web-1', facts({configText: '{"debug": true}'}), desired(['mtu=1400']), false)!
    expect(plan).to.deep.include({
      action: 'change',
      detail: 'set mtu; restart the engine',
      daemonConfig: {content: '{\n  "debug": true,\n  "mtu": 1400\n}\n', restart: true, canValidate: false, secret: false, hidden: []},
    })
    expect(plan).to.have.property('diff').that.includes('+   "mtu": 1400')
  })

  it('refuses invalid options with exit code 4 (CONFIG), naming each problem', () => {
    expect(() => planDaemonConfig('web-1', facts(), desired(['bogus=1', 'live-restore=yes', 'hosts=["tcp://0.0.0.0:2375"]']), false))
      .to.throw(/^web-1: daemon.json refused, nothing written, engine not restarted: bogus: not a daemon.json option; live-restore: expected true or false, got a string "yes"; hosts: also set on the engine's command line \(-H fd:\/\/\)/)
      .with.property('exitCode', 4)
    expect(() => planDaemonConfig('web-1', facts({configText: '{oops'}), desired(['mtu=1400']), false)).to.throw(/cannot be merged with: it is not valid JSON/)
  })

  it('refuses a storage-driver or data-root change where images or containers exist, unless forced', () => {
    expect(() => planDaemonConfig('web-1', facts({images: 2}), desired(['storage-driver=vfs']), false)).to.throw(
      /changing storage-driver \(overlay2 -> vfs\) hides the 2 image\(s\) and 0 container\(s\)/,
    )
    expect(() => planDaemonConfig('web-1', facts({containers: 1}), desired(['data-root=/srv/docker']), false)).to.throw(/changing data-root/)
    expect(planDaemonConfig('web-1', facts({images: 2}), desired(['storage-driver=vfs'], {force: true}), false)?.action).to.equal('change')
    expect(planDaemonConfig('web-1', facts({images: 2}), desired(['storage-driver=overlay2']), false)?.action, 'the driver in use already').to.equal('change')
    expect(planDaemonConfig('web-1', facts(), desired(['storage-driver=vfs']), false)?.action, 'nothing to hide').to.equal('change')
  })

  it('refuses a file neither the login user nor sudo -n could read, instead of taking it for empty', () => {
    const unreadable = facts()
    unreadable.engine.daemon = {...unreadable.engine.daemon, configText: undefined, configUnreadable: true}
    expect(() => planDaemonConfig('web-1', unreadable, desired(['mtu=1400']), false))
      .to.throw(/^web-1: \/etc\/docker\/daemon.json exists but neither the login user nor sudo -n can read it/)
      .with.property('exitCode', 4)
  })

  it('refuses a storage-driver or data-root change on an engine the login user cannot ask yet, unless forced', () => {
    const unasked = facts()
    unasked.engine = {...unasked.engine, server: undefined, packages: {'docker.io': '20.10.24+dfsg1-1+deb12u1'}, binaries: {dockerd: '/usr/sbin/dockerd'}}
    expect(() => planDaemonConfig('web-1', unasked, desired(['data-root=/srv/docker']), false)).to.throw(/changing data-root \(default -> \/srv\/docker\) would hide any images and containers/)
    expect(planDaemonConfig('web-1', unasked, desired(['data-root=/srv/docker'], {force: true}), false)?.action).to.equal('change')
    expect(planDaemonConfig('web-1', unasked, desired(['mtu=1400']), false)?.action, 'other options').to.equal('change')
    expect(planDaemonConfig('web-1', {...unasked, engine: {...unasked.engine, packages: {}, binaries: {}}}, desired(['data-root=/srv/docker']), true)?.action, 'installing now').to.equal('change')
  })

  it('says when a restart stops running containers, and plans no restart with --no-restart', () => {
    const stops = planDaemonConfig('web-1', facts({running: 3}), desired(['mtu=1400']), false)!
    expect(stops.detail).to.equal('set mtu; restart the engine (stops 3 running container(s))')
    expect(stops.notices).to.deep.equal(['web-1: restarting the engine stops its 3 running container(s): live-restore is off.'])
    expect(planDaemonConfig('web-1', facts({running: 3, liveRestore: true}), desired(['mtu=1400']), false)!.notices).to.deep.equal([])
    const noRestart = planDaemonConfig('web-1', facts({running: 3}), desired(['mtu=1400'], {restart: false}), false)!
    expect(noRestart.detail).to.equal('set mtu; no restart')
    expect(noRestart).to.have.nested.property('daemonConfig.restart', false)
  })

  it('picks dockerd\'s own reason out of the journal', () => {
    const journal = [
      'Nov 23 17:30:45 web-1 dockerd[1730]: time="..." level=info msg="[core] Channel Connectivity change to SHUTDOWN" module=grpc',
      'Nov 23 17:30:45 web-1 dockerd[1730]: failed to start daemon: error initializing graphdriver: prerequisites for driver not satisfied (wrong filesystem?)',
      "Nov 23 17:30:45 web-1 systemd[1]: docker.service: Failed with result 'exit-code'.",
    ]
    expect(journalReason(journal)).to.equal('dockerd: failed to start daemon: error initializing graphdriver: prerequisites for driver not satisfied (wrong filesystem?)')
  })
})
