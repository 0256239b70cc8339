/**
 * daemon.json values that came from ${ENV} in tk.yml are secrets: tk.yml
 * records where they are, and the daemon-config step's diff, messages and
 * file mode follow from that. The host's old value at the same key is hidden
 * too: it comes from a file only root may read.
 */
import {expect} from 'chai'

import {parseConfig} from '../../../src/config/index.js'
import {daemonPatch, hideUrlPasswords, holdsSecret, shownDaemonConfigs} from '../../../src/engine/daemon-config.js'
import type {HostFacts} from '../../../src/facts/host-facts.js'
import {splitCommandLine} from '../../../src/facts/command-line.js'
import {planDaemonConfig} from '../../../src/provision/daemon-config-step.js'
import {DEFAULT_DESIRED, overlayDesired, type DesiredEngine} from '../../../src/provision/desired-engine.js'
import {desiredEngine} from '../../../src/provision/engine-from-config.js'

const ENV = {PROXY_PASSWORD: 'hunter2-new', MIRROR_TOKEN: 'tok-123456'}
const TK_YML = `
engine:
  daemon:
    proxies:
      http-proxy: "http://tk:\${PROXY_PASSWORD}@proxy.internal:3128"
      no-proxy: localhost
    log-level: info
hosts:
  - name: web-1
  - name: web-2
    engine:
      daemon:
        registry-mirrors: ["https://mirror.internal", "https://\${MIRROR_TOKEN}@mirror2.internal"]
  - name: web-3
    engine:
      daemon:
        proxies: {http-proxy: "http://plain.internal:3128"}
`

function hostFacts(configText?: string): HostFacts {
  return {
    init: 'systemd',
    engine: {
      server: {version: '26.1.5+dfsg1', storageDriver: 'overlay2', rootDir: '/var/lib/docker', images: 0, containers: 0, running: 0, liveRestore: false},
      daemon: {dockerdVersion: '26.1.5+dfsg1', canValidate: false, argv: splitCommandLine('/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock'), configText},
    },
  } as unknown as HostFacts
}

async function desiredFor(host: string): Promise<DesiredEngine> {
  const config = await parseConfig(TK_YML, {file: '/fleet/tk.yml', displayName: 'tk.yml', env: ENV})
  return desiredEngine(host, config.hosts.find((entry) => entry.name === host)!.engine, {skipCheck: false})
}

describe('daemon.json secrets from tk.yml', () => {
  it('records the daemon.json paths whose values came from ${ENV}, per host, as the file and host settings merge', async () => {
    const config = await parseConfig(TK_YML, {file: '/fleet/tk.yml', displayName: 'tk.yml', env: ENV})
    const paths = Object.fromEntries(config.hosts.map((host) => [host.name, host.engine.daemonSecretPaths]))
    expect(paths).to.deep.equal({
      'web-1': [['proxies', 'http-proxy']],
      // An array holding a secret is secret as a whole.
      'web-2': [['proxies', 'http-proxy'], ['registry-mirrors']],
      // web-3's own proxies replace the file's: nothing of it came from the environment.
      'web-3': undefined,
    })
  })

  it('hides the new value and the host\'s old one in the diff, and marks a change', async () => {
    const desired = await desiredFor('web-1')
    const old = '{"proxies": {"http-proxy": "http://tk:hunter1-old@proxy.internal:3128"}, "log-level": "debug"}'
    const plan = planDaemonConfig('web-1', hostFacts(old), desired, false)
    expect(plan?.action).to.equal('change')
    if (plan?.action !== 'change') return
    const text = plan.diff.join('\n')
    expect(text).to.not.match(/hunter/)
    expect(plan.diff).to.include('-     "http-proxy": "***"')
    expect(plan.diff).to.include('+     "http-proxy": "*** (changed)",')
    expect(plan.detail).to.equal('set proxies.http-proxy, proxies.no-proxy, log-level; restart the engine')
    // The file itself holds the real value, and is root's alone.
    expect(plan.daemonConfig.content).to.contain('http://tk:hunter2-new@proxy.internal:3128')
    expect(plan.daemonConfig.secret).to.equal(true)
  })

  it('shows an unchanged secret as *** in context, without marking it', async () => {
    const desired = overlayDesired(await desiredFor('web-1'), {dockerUsers: [], addLoginUser: true, skipCheck: false, force: false, restart: true, daemonConfig: {patch: daemonPatch(undefined, ['mtu=1400']), sources: []}})
    const old = '{"proxies": {"http-proxy": "http://tk:hunter2-new@proxy.internal:3128", "no-proxy": "localhost"}, "log-level": "info"}'
    const plan = planDaemonConfig('web-1', hostFacts(old), desired, false)
    if (plan?.action !== 'change') throw new Error('expected a change')
    expect(plan.diff.join('\n')).to.not.contain('hunter2')
    expect(plan.diff).to.include('      "http-proxy": "***",')
  })

  it('never quotes a secret in a refusal, old or new', async () => {
    const desired = await desiredFor('web-2')
    // A list given as one string: the refusal quotes the value.
    desired.daemonConfig!.patch['registry-mirrors'] = 'https://tok-123456@mirror2.internal'
    expect(() => planDaemonConfig('web-2', hostFacts('{"registry-mirrors": ["https://old-token@mirror.internal"]}'), desired, false)).to.throw(
      'web-2: daemon.json refused, nothing written, engine not restarted: registry-mirrors: expected an array of strings, got a string "***"',
    )
  })

  it('keeps a file without secrets as it was, and holds one with a URL password private even when it did not come from tk.yml', () => {
    const desired: DesiredEngine = {...DEFAULT_DESIRED, daemonConfig: {patch: daemonPatch(undefined, ['mtu=1400']), sources: []}}
    const plain = planDaemonConfig('web-1', hostFacts('{"debug": true}'), desired, false)
    expect(plain?.action === 'change' && plain.daemonConfig.secret).to.equal(false)
    const withProxy = planDaemonConfig('web-1', hostFacts('{"proxies": {"https-proxy": "http://u:s3cret@proxy:3128"}}'), desired, false)
    if (withProxy?.action !== 'change') throw new Error('expected a change')
    expect(withProxy.daemonConfig.secret).to.equal(true)
    expect(withProxy.diff).to.include('      "https-proxy": "http://u:***@proxy:3128"')
  })
})

describe('daemon.json secret helpers', () => {
  it('hides URL passwords, not users or hosts', () => {
    expect(hideUrlPasswords('http://user:pa:ss@proxy:3128 and https://token@host and socks5://a:b@c')).to.equal('http://user:***@proxy:3128 and https://token@host and socks5://a:***@c')
    expect(holdsSecret({proxies: {'http-proxy': 'http://proxy:3128'}}, [])).to.equal(false)
    expect(holdsSecret({a: 1}, [['b']])).to.equal(false)
    expect(holdsSecret({b: 'x'}, [['b']])).to.equal(true)
  })

  it('shows a new secret key as *** on the added line', () => {
    expect(shownDaemonConfigs({}, {token: 'abc', other: 1}, [['token']])).to.deep.equal({before: {}, after: {token: '***', other: 1}})
  })
})
