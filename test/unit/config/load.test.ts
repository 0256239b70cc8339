import {expect} from 'chai'
import {mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {ExitCode} from '../../../src/errors/exit-codes.js'
import {ConfigError, loadConfig, loadConfigFile, MAX_CONFIG_BYTES, parseConfig, redact, type TkConfig} from '../../../src/config/index.js'
import {InputError} from '../../../src/errors/index.js'
import {DAEMON_KEYS} from '../../../src/engine/daemon-config.js'
import {CONFIG_FIXTURES, FULL_ENV, INVALID_FIXTURES} from '../../fixtures/config/index.js'

async function parse(text: string, env: NodeJS.ProcessEnv = {}): Promise<TkConfig> {
  return parseConfig(text, {file: '/fleet/tk.yml', displayName: 'tk.yml', env})
}

// Under mocha + tsx the lazily imported half of src/config may be a second module instance, so classes are
// compared by name (the built CLI is plain ESM and has one instance).
function expectConfigError(error: unknown): asserts error is ConfigError {
  expect(error).to.be.instanceOf(Error)
  expect((error as Error).name, String(error)).to.equal('ConfigError')
  expect((error as ConfigError).exitCode).to.equal(ExitCode.CONFIG)
}

async function failure(text: string, env: NodeJS.ProcessEnv = {}): Promise<ConfigError> {
  try {
    await parse(text, env)
  } catch (error) {
    expectConfigError(error)
    expect(error.message).to.not.contain('\n')
    return error
  }
  throw new Error('expected a ConfigError')
}

describe('tk.yml: valid files', () => {
  it('a host with only a name connects to that name, with ssh defaults left to ~/.ssh/config', async () => {
    const config = (await loadConfigFile(CONFIG_FIXTURES.minimal, {env: {}}))
    expect(config.hosts).to.deep.equal([
      {
        name: 'web1',
        address: 'web1',
        groups: [],
        provider: 'ssh',
        ssh: {},
        engine: {method: 'distro', daemon: {}, users: [], compose: true},
        provisioners: [],
      },
    ])
    expect(config.provider).to.equal('ssh')
    expect(config.groups.size).to.equal(0)
  })

  it('the full example: defaults, per-host overrides, env references and provisioners of every kind', async () => {
    const config = await loadConfigFile(CONFIG_FIXTURES.full, {env: FULL_ENV, checkFiles: true})
    const [web1, web2, db1, lab1] = config.hosts
    expect(web1).to.include({name: 'web1', address: '203.0.113.10', user: 'admin', port: 2222, identityFile: '~/.ssh/fleet_ed25519', provider: 'ssh'})
    expect(web1.ssh).to.deep.equal({hostKeyPolicy: 'strict', connectTimeout: 5})
    expect(web2).to.include({user: 'alice', port: 2222})
    expect(web2.ssh).to.deep.equal({hostKeyPolicy: 'accept-new', connectTimeout: 5})
    expect(db1).to.include({address: 'prod-db', port: 22, identityFile: '~/.ssh/db_ed25519'})
    expect(db1.engine).to.deep.equal({
      method: 'distro',
      // Written in the file: a docker-ce host would switch to docker.io (src/provision/engine-switch.ts).
      methodNamed: true,
      version: '27.3.1',
      daemon: {'log-driver': 'json-file', 'log-opts': {'max-size': '10m'}, 'data-root': '/srv/docker'},
      users: ['deploy'],
      compose: false,
    })
    expect(web1.engine.version).to.equal('^27')
    // Sandbox hosts take nothing from defaults' connection settings.
    expect(lab1).to.deep.include({name: 'lab1', address: 'lab1', provider: 'sandbox', release: 'trixie', groups: ['lab']})
    expect(lab1).to.not.have.any.keys('user', 'port', 'identityFile')
    expect(Object.fromEntries(config.groups)).to.deep.equal({web: ['web1', 'web2'], eu: ['web1', 'db1'], db: ['db1'], lab: ['lab1']})
    expect(config.ssh).to.deep.equal({hostKeyPolicy: 'strict', connectTimeout: 5, concurrency: 8})

    const [motd, setup, appEnv, web] = config.provisioners
    expect(motd).to.deep.equal({name: 'motd', type: 'shell', run: 'always', hosts: ['web1', 'web2', 'db1', 'lab1'], inline: 'echo "host $(hostname)" > /etc/motd', env: {}, privileged: true})
    expect(setup).to.deep.include({run: 'once', script: join(config.dir, 'scripts/setup.sh'), privileged: false, env: {REGION: 'eu', TOKEN: 's3cret-token-value'}})
    expect(appEnv).to.deep.include({type: 'file', source: join(config.dir, 'files/app.env'), destination: '/etc/app/app.env', mode: '0600', owner: 'root:app', hosts: ['web1', 'web2']})
    expect(web).to.deep.include({type: 'docker', image: 'nginx:1.27', load: join(config.dir, 'images/nginx.tar'), hosts: ['web1', 'web2', 'db1']})
    if (web.type !== 'docker') throw new Error('not docker')
    expect(web.container).to.deep.equal({
      name: 'web',
      command: ['nginx', '-g', 'daemon off;'],
      ports: ['80:80', '127.0.0.1:8443:443/tcp'],
      env: {API_TOKEN: 's3cret-token-value', WORKERS: '4'},
      volumes: ['/srv/www:/usr/share/nginx/html:ro'],
      restart: 'unless-stopped',
      state: 'running',
    })
    expect(db1.provisioners).to.deep.equal(['motd', 'setup', 'web'])
    expect(lab1.provisioners).to.deep.equal(['motd', 'setup'])
  })

  it('three sandbox machines on three releases, the file-wide provider and default release applied', async () => {
    const config = await loadConfigFile(CONFIG_FIXTURES.sandbox, {env: {}})
    expect(config.hosts.map((host) => [host.name, host.provider, host.release])).to.deep.equal([
      ['old', 'sandbox', 'bullseye'],
      ['stable', 'sandbox', 'bookworm'],
      ['next', 'sandbox', 'trixie'],
    ])
    expect(Object.fromEntries(config.groups)).to.deep.equal({web: ['old', 'stable'], db: ['stable', 'next']})
  })

  it('YAML anchors and merge keys, with x- keys to hold them', async () => {
    const config = await loadConfigFile(CONFIG_FIXTURES.anchors, {env: {}})
    expect(config.hosts.map(({name, address, user, port, groups}) => ({name, address, user, port, groups}))).to.deep.equal([
      {name: 'web1', address: '198.51.100.1', user: 'deploy', port: 2200, groups: ['web']},
      {name: 'web2', address: '198.51.100.2', user: 'deploy', port: 22, groups: ['web']},
    ])
  })

  it('treats a key whose contents are all commented out as absent', async () => {
    const config = await parse('defaults:\n  # user: admin\nssh:\nengine:\nprovisioners:\nhosts:\n  - name: a\n    groups:\n')
    expect(config.hosts[0]).to.include({name: 'a'})
    expect(config.hosts[0].groups).to.deep.equal([])
  })

  it('the starter template validates, and describes its two example hosts', async () => {
    const template = readFileSync(new URL('../../../templates/tk.yml', import.meta.url), 'utf8')
    const config = await parse(template)
    expect(config.hosts.map((host) => host.name)).to.deep.equal(['web1', 'db1'])
  })
})

describe('tk.yml: ${ENV} references', () => {
  it('fills in variables and fallbacks, keeps $${ literal and leaves bare $NAME alone', async () => {
    const config = await parse('hosts:\n  - name: a\n    address: ${ADDR}\n    user: ${WHO:-ops}\n    identityFile: $${HOME}/$KEY\n', {ADDR: '192.0.2.7'})
    expect(config.hosts[0]).to.include({address: '192.0.2.7', user: 'ops', identityFile: '${HOME}/$KEY'})
  })

  it('does not expand a shell inline script: its variables are the remote shell\'s', async () => {
    const config = await parse('provisioners:\n  - {name: p, type: shell, inline: "echo ${HOME}"}\n', {HOME: '/root'})
    expect(config.provisioners[0]).to.include({inline: 'echo ${HOME}'})
  })

  it('names the variable and where it is used when it is missing, or empty', async () => {
    const error = await failure('engine:\n  daemon:\n    registry-mirrors: ["${MIRROR}"]\n')
    expect(error.message).to.equal('tk.yml:3:24: engine.daemon["registry-mirrors"][0]: environment variable MIRROR is not set')
    expect(error.hint).to.match(/export MIRROR/)
    expect((await failure('hosts:\n  - {name: a, user: "${WHO}"}\n', {WHO: ''})).message).to.match(/environment variable WHO is empty$/)
  })

  it('refuses a malformed reference', async () => {
    expect((await failure('hosts:\n  - {name: a, address: "${A B}"}\n')).message).to.match(/hosts\[0\]\.address: "\$\{A B\}" is not an environment variable reference$/)
    expect((await failure('hosts:\n  - {name: a, address: "${A"}\n')).message).to.match(/"\$\{" without a closing "\}"$/)
  })

  it('never shows a value from the environment in an error, and keeps secrets for redaction', async () => {
    const error = await failure('hosts:\n  - name: a\n    user: ${WHO}\n', {WHO: 'not a user!'})
    expect(error.message).to.equal('tk.yml:3:11: hosts[0].user: expected a user name (letters, digits, \'.\', \'-\', \'_\'), got the value of ${WHO} (not shown)')
    const config = await parse('provisioners:\n  - {name: p, type: shell, inline: "true", env: {TOKEN: "${TOKEN}"}}\nhosts:\n  - {name: a, address: "${ADDR}"}\n', {TOKEN: 'hunter22', ADDR: '192.0.2.1'})
    expect(config.secrets).to.deep.equal(['hunter22'])
    expect(redact(config, 'token=hunter22 at 192.0.2.1')).to.equal('token=*** at 192.0.2.1')
  })
})

describe('tk.yml: a sandbox host\'s published ports', () => {
  it('publishes on 127.0.0.1 unless another loopback address is given, tcp unless /udp; web-1 and web-2 may both serve 8080', async () => {
    const config = await parse('provider: sandbox\nhosts:\n  - {name: web-1, ports: ["8080:8080", "127.0.0.2:8080:8080", "5353:53/udp"]}\n  - {name: web-2, ports: ["8081:8080", "8080:8080/udp"]}\n  - {name: db-1}\n')
    expect(config.hosts[0].ports).to.deep.equal([
      {hostIp: '127.0.0.1', hostPort: 8080, containerPort: 8080, protocol: 'tcp'},
      {hostIp: '127.0.0.2', hostPort: 8080, containerPort: 8080, protocol: 'tcp'},
      {hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp'},
    ])
    expect(config.hosts[1].ports).to.deep.equal([
      {hostIp: '127.0.0.1', hostPort: 8081, containerPort: 8080, protocol: 'tcp'},
      {hostIp: '127.0.0.1', hostPort: 8080, containerPort: 8080, protocol: 'udp'},
    ])
    expect(config.hosts[2]).to.not.have.property('ports')
  })
})

describe('tk.yml: malformed files give one precise line, exit 4', () => {
  for (const {file, what, message} of INVALID_FIXTURES) {
    it(what, async () => {
      const error = await loadConfigFile(file, {cwd: dirname(file), env: {}}).then(
        () => undefined,
        (error_: unknown) => error_,
      )
      expectConfigError(error)
      const {message: text, hint} = error
      const line = hint ? `${text}; ${hint}` : text
      expect(line).to.not.contain('\n')
      expect(line).to.match(message)
    })
  }

  it('refuses the alias bomb quickly, without expanding it', async () => {
    const started = performance.now()
    await loadConfigFile(INVALID_FIXTURES.find((fixture) => fixture.what.includes('bomb'))!.file, {env: {}}).catch(() => undefined)
    expect(performance.now() - started).to.be.below(500)
  })

  const cases: Array<[string, string, string]> = [
    ['a misspelt key in a provisioner', 'provisioners:\n  - name: x\n    type: shell\n    inlin: echo\n', 'tk.yml:4:5: provisioners[0]: unknown key "inlin"'],
    ['both inline and script', 'provisioners:\n  - {name: x, type: shell, inline: a, script: b}\n', 'tk.yml:2:5: provisioners[0]: expected only one of the keys inline, script, not several'],
    ['an unknown provisioner type', 'provisioners:\n  - {name: x, type: bash}\n', 'tk.yml:2:21: provisioners[0].type: expected one of shell, file, docker, got "bash"'],
    ['a mode given as a number', 'provisioners:\n  - {name: x, type: file, source: a, destination: /a, mode: 644}\n', 'tk.yml:2:61: provisioners[0].mode: expected an octal mode in quotes, like "0644", got 644'],
    ['a relative destination', 'provisioners:\n  - {name: x, type: file, source: a, destination: etc/a}\n', 'tk.yml:2:51: provisioners[0].destination: expected an absolute path on the host (starting with /), got "etc/a"'],
    ['a port out of range', 'hosts:\n  - {name: a, port: 70000}\n', 'tk.yml:2:21: hosts[0].port: expected an integer from 1 to 65535, got 70000'],
    ['a list where a mapping belongs', '- a\n', 'tk.yml:1:1: (top level): expected a mapping (key: value), got a list'],
    ['a host without a name', 'hosts:\n  - address: 192.0.2.1\n', 'tk.yml:2:5: hosts[0]: missing required key "name"'],
    ['a group named like a host', 'hosts:\n  - {name: a, groups: [b]}\n  - {name: b}\n', 'tk.yml:2:24: hosts[0].groups[0]: group "b" has the same name as a host'],
    ['the reserved group all', 'hosts:\n  - {name: a, groups: [all]}\n', 'tk.yml:2:24: hosts[0].groups[0]: "all" is reserved: @all selects every host'],
    ['a release on an ssh host', 'hosts:\n  - {name: a, release: trixie}\n', 'tk.yml:2:24: hosts[0].release: release applies only to sandbox hosts, and this host\'s provider is ssh'],
    ['an address on a sandbox host', 'provider: sandbox\nhosts:\n  - {name: a, address: x}\n', 'tk.yml:3:24: hosts[0].address: a sandbox host has no address: tk creates the machine and knows how to reach it'],
    ['a port on a sandbox host', 'provider: sandbox\nhosts:\n  - {name: a, port: 2222}\n', 'tk.yml:3:21: hosts[0].port: a sandbox host has no port: tk reaches the machine on the port its engine publishes'],
    ['a user on a sandbox host', 'hosts:\n  - {name: a, provider: sandbox, user: root}\n', 'tk.yml:2:40: hosts[0].user: a sandbox host has no user: tk reaches the machine on the port its engine publishes, as admin'],
    ['ports on an ssh host', 'hosts:\n  - {name: a, ports: ["8080:80"]}\n', 'tk.yml:2:22: hosts[0].ports: ports applies only to sandbox hosts, and this host\'s provider is ssh'],
    ['a published port that is no port spec', 'provider: sandbox\nhosts:\n  - {name: a, ports: ["8080"]}\n', 'tk.yml:3:23: hosts[0].ports[0]: expected a port published on this machine\'s loopback: "8081:8080" or "127.0.0.1:8081:8080" (optionally /udp), got "8080"'],
    ['a port published beyond the loopback', 'provider: sandbox\nhosts:\n  - {name: a, ports: ["0.0.0.0:8080:80"]}\n', 'tk.yml:3:23: hosts[0].ports[0]: expected a port published on this machine\'s loopback'],
    ['a published port out of range', 'provider: sandbox\nhosts:\n  - {name: a, ports: ["80800:80"]}\n', 'tk.yml:3:23: hosts[0].ports[0]: "80800:80": 80800 is not a port (1-65535)'],
    ['a loopback address that is none', 'provider: sandbox\nhosts:\n  - {name: a, ports: ["127.0.0.300:80:80"]}\n', 'tk.yml:3:23: hosts[0].ports[0]: "127.0.0.300:80:80": 127.0.0.300 is not an IPv4 address'],
    ['two hosts publishing the same port', 'provider: sandbox\nhosts:\n  - {name: web-1, ports: ["8080:8080"]}\n  - {name: web-2, ports: ["127.0.0.1:8080:80"]}\n', 'tk.yml:4:27: hosts[1].ports[0]: "127.0.0.1:8080:80": 127.0.0.1:8080 is already published by host web-1 (127.0.0.1:8080:8080/tcp)'],
    ['one host publishing a port twice', 'provider: sandbox\nhosts:\n  - {name: a, ports: ["8080:80", "127.0.0.1:8080:81"]}\n', 'tk.yml:3:34: hosts[0].ports[1]: "127.0.0.1:8080:81": 127.0.0.1:8080 is already published by another port of this host'],
    ['an identityFile on a sandbox host', 'provider: sandbox\nhosts:\n  - {name: a, identityFile: ~/.ssh/id}\n', 'tk.yml:3:29: hosts[0].identityFile: a sandbox host has no identityFile:'],
    ['a container port docker would refuse', 'provisioners:\n  - {name: w, type: docker, image: nginx, container: {name: web, ports: ["8080:80800"]}}\n', 'tk.yml:2:74: provisioners[0].container.ports[0]: invalid containerPort: 80800'],
    ['a relative bind mount docker would take for a volume name', 'provisioners:\n  - {name: w, type: docker, image: nginx, container: {name: web, volumes: ["./www:/www"]}}\n', 'tk.yml:2:76: provisioners[0].container.volumes[0]: ./www is not a volume name'],
    ['a restart policy docker does not know', 'provisioners:\n  - {name: w, type: docker, image: nginx, container: {name: web, restart: sometimes}}\n', 'tk.yml:2:75: provisioners[0].container.restart: expected one of no, always, unless-stopped, on-failure, got "sometimes"'],
    ['a misspelt daemon option, with what it probably is', 'engine:\n  daemon: {log-drivr: local}\n', 'tk.yml:2:12: engine.daemon: unknown key "log-drivr"'],
    ['a daemon option dockerd does not have, on a host', 'hosts:\n  - name: a\n    engine: {daemon: {no-such-option: 1}}\n', 'tk.yml:3:23: hosts[0].engine.daemon: unknown key "no-such-option"'],
    ['a bad version range', 'engine: {version: "twenty"}\n', 'tk.yml:1:19: engine.version: "twenty" is not a version range'],
    ['duplicate provisioner names', 'provisioners:\n  - {name: x, type: shell, inline: a}\n  - {name: x, type: shell, inline: b}\n', 'tk.yml:3:12: provisioners[1].name: duplicate provisioner name "x" (also provisioners[0])'],
    ['a group listed twice', 'hosts:\n  - {name: a, groups: [web, web]}\n', 'tk.yml:2:29: hosts[0].groups: "web" is listed twice (items 0 and 1)'],
    ['a bad env name', 'provisioners:\n  - {name: x, type: shell, inline: a, env: {A-B: 1}}\n', 'tk.yml:2:45: provisioners[0].env: key "A-B" is not an environment variable name (letters, digits, \'_\')'],
    ['a file version from the future', 'version: 2\n', 'tk.yml:1:10: version: expected 1, got 2'],
    ['a key indented between a list item\'s dash and its keys', 'hosts:\n  - name: a\n   address: x\n', 'tk.yml:3:4: "address: x" is indented between a list item\'s "-" and its keys'],
    ['a key that lines up with no key above', 'hosts:\n  - name: a\n  web: x\n', 'tk.yml:3:3: "web: x" starts at column 3, which lines up with no key above it'],
    ['two keys on one line', 'hosts:\n  - name: a\n    engine: method: distro\n', 'tk.yml:3:13: "engine: method: distro" has two keys on one line'],
    ['a line indented deeper than the key above', 'hosts:\n  - name: a\n\n      address: x\n', 'tk.yml:4:7: "address: x" is indented deeper than "name" on line 2'],
    ['a list item where a key belongs', 'hosts:\n  - name: a\n    groups:\n      - web\n    - db: x\n', 'tk.yml:5:5: the list item "- db: x" is where a key was expected'],
    ['a key without its colon', 'hosts:\n  - name a\n    address: x\n', 'tk.yml:2:3: "- name a" is read as a key running over several lines: a colon is probably missing'],
    ['two documents', 'hosts: []\n---\nhosts: []\n', 'tk.yml:2:1: more than one YAML document'],
    ['an empty file', '# nothing yet\n', 'tk.yml: the file is empty'],
  ]
  for (const [what, text, expected] of cases) {
    it(what, async () => {
      const error = await failure(text)
      expect(error.message).to.match(new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    })
  }

  it('says what a misspelt daemon option probably is, and where to look when nothing is close', async () => {
    expect((await failure('engine:\n  daemon: {log-drivr: local}\n')).hint).to.equal('did you mean "log-driver"?')
    expect((await failure('engine:\n  daemon: {zzzzzzzzzz: 1}\n')).hint).to.equal('see docs/daemon-config.md for the keys tk knows')
  })

  it("knows exactly the daemon options of tk's key table", () => {
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/tk.schema.json', import.meta.url), 'utf8')) as {definitions: Record<string, {properties?: Record<string, {properties?: object}>}>}
    const daemon = Object.values(schema.definitions).find((definition) => definition.properties?.daemon)?.properties?.daemon
    expect(Object.keys(daemon?.properties ?? {}).sort()).to.deep.equal(Object.keys(DAEMON_KEYS).sort())
  })

  it('counts the further problems it does not show', async () => {
    expect((await failure('hosts:\n  - {name: a, port: 0}\n  - {name: b, port: 0}\n')).message).to.match(/hosts\[0\]\.port: .* \(and 1 more problem\)$/)
  })
})

describe('tk.yml: finding and reading the file', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tk-config-'))))
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('walks up from the working directory to the nearest tk.yml', async () => {
    writeFileSync(join(dir, 'tk.yml'), 'hosts: [{name: top}]\n')
    mkdirSync(join(dir, 'a/b'), {recursive: true})
    const config = await loadConfig({cwd: join(dir, 'a/b'), env: {}})
    expect(config?.file).to.equal(join(dir, 'tk.yml'))
    expect(config?.displayName).to.equal('../../tk.yml')
    expect(config?.hosts[0].name).to.equal('top')
  })

  it('returns nothing without a tk.yml, unless one is required', async () => {
    expect(await loadConfig({cwd: dir, env: {}})).to.equal(undefined)
    const error = await loadConfig({cwd: dir, env: {}, required: true}).catch((error_: unknown) => error_)
    expect(error).to.be.instanceOf(InputError)
    expect((error as InputError).message).to.match(/^no tk\.yml in .* or any directory above it$/)
  })

  it('takes --config over TK_CONFIG over the walk, and a directory means its tk.yml', async () => {
    writeFileSync(join(dir, 'tk.yml'), 'hosts: [{name: walked}]\n')
    writeFileSync(join(dir, 'other.yml'), 'hosts: [{name: from-env}]\n')
    mkdirSync(join(dir, 'fleet'))
    writeFileSync(join(dir, 'fleet/tk.yml'), 'hosts: [{name: from-flag}]\n')
    expect((await loadConfig({cwd: dir, env: {TK_CONFIG: 'other.yml'}}))?.hosts[0].name).to.equal('from-env')
    expect((await loadConfig({cwd: dir, env: {TK_CONFIG: 'other.yml'}, path: 'fleet'}))?.hosts[0].name).to.equal('from-flag')
  })

  it('a named file that does not exist is an input error (exit 3)', async () => {
    const error = await loadConfig({cwd: dir, env: {TK_CONFIG: 'nope.yml'}}).catch((error_: unknown) => error_)
    expect(error).to.be.instanceOf(InputError)
    expect((error as InputError).message).to.equal('config file nope.yml (from TK_CONFIG) does not exist')
  })

  it('refuses a file over 1 MiB before parsing it', async () => {
    const file = join(dir, 'tk.yml')
    writeFileSync(file, `hosts:\n${'  - name: h\n'.repeat(Math.ceil(MAX_CONFIG_BYTES / 11) + 10)}`)
    const error = await loadConfigFile(file, {cwd: dir, env: {}}).catch((error_: unknown) => error_)
    expectConfigError(error)
    expect(error.message).to.equal('tk.yml: the file is 1.1 MiB, over the 1.0 MiB a tk.yml may have; refusing to parse it')
  })

  it('refuses binary data', async () => {
    writeFileSync(join(dir, 'tk.yml'), Buffer.from([0x68, 0, 1, 2]))
    const error = await loadConfigFile(join(dir, 'tk.yml'), {cwd: dir}).catch((error_: unknown) => error_)
    expect((error as ConfigError).message).to.equal('tk.yml: the file holds binary data, not YAML')
  })

  it('with checkFiles, a provisioner\'s missing script is named', async () => {
    writeFileSync(join(dir, 'tk.yml'), 'provisioners:\n  - {name: s, type: shell, script: setup.sh}\n')
    const error = await loadConfigFile(join(dir, 'tk.yml'), {cwd: dir, checkFiles: true}).catch((error_: unknown) => error_)
    expect((error as ConfigError).message).to.equal('tk.yml:2:36: provisioners[0].script: setup.sh does not exist (relative to tk.yml)')
    expect(await loadConfigFile(join(dir, 'tk.yml'), {cwd: dir})).to.have.property('provisioners')
  })

  it('takes engine.bundle relative to tk.yml, a host\'s over the file\'s, and with checkFiles names a missing one', async () => {
    writeFileSync(join(dir, 'all.tkb'), '')
    writeFileSync(join(dir, 'tk.yml'), 'engine: {bundle: all.tkb}\nhosts:\n  - {name: a}\n  - {name: b, engine: {bundle: /srv/b.tkb}}\n')
    const config = await loadConfigFile(join(dir, 'tk.yml'), {cwd: dir})
    expect(config.hosts.map((host) => host.engine.bundle)).to.deep.equal([join(dir, 'all.tkb'), '/srv/b.tkb'])
    const error = await loadConfigFile(join(dir, 'tk.yml'), {cwd: dir, checkFiles: true}).catch((error_: unknown) => error_)
    expect((error as ConfigError).message).to.equal('tk.yml:4:32: hosts[1].engine.bundle: /srv/b.tkb does not exist (relative to tk.yml)')
  })
})

describe('tk.yml for commands that only reach hosts: secrets they do not use may be unset', () => {
  const text = [
    'hosts:',
    '  - {name: a, address: "${ADDR:-10.0.0.1}", engine: {daemon: {labels: ["k=${HOST_LABEL}"]}}}',
    'engine:',
    '  daemon: {proxies: {http-proxy: "http://u:${PROXY_PW}@proxy:3128"}}',
    'provisioners:',
    '  - {name: x, type: shell, inline: echo, env: {TOKEN: "${SECRET_TOKEN}"}}',
    '  - {name: w, type: docker, image: nginx, container: {name: web, env: {DB_PW: "${DB_PW}"}}}',
    '',
  ].join('\n')
  const deferred = (source: string, env: NodeJS.ProcessEnv = {}) => parseConfig(source, {file: '/fleet/tk.yml', displayName: 'tk.yml', env, deferSecrets: true})

  it("leaves unset variables in provisioners' env and daemon options as written, and names them", async () => {
    const config = await deferred(text)
    expect(config.deferredEnv).to.deep.equal(['DB_PW', 'HOST_LABEL', 'PROXY_PW', 'SECRET_TOKEN'])
    expect(config.hosts[0].address).to.equal('10.0.0.1')
    const shell = config.provisioners.find((provisioner) => provisioner.name === 'x') as {env?: Record<string, string>}
    expect(shell.env).to.deep.equal({TOKEN: '${SECRET_TOKEN}'})
  })

  it('still refuses an unset variable where a host is reached from', async () => {
    const error = await deferred(text.replace('${ADDR:-10.0.0.1}', '${ADDR}')).then(() => undefined, (caught: Error) => caught)
    expect(error?.message).to.match(/hosts\[0\]\.address: environment variable ADDR is not set/)
  })

  it('refuses them all when the config is to be applied (the default)', async () => {
    expect((await failure(text)).message).to.match(/environment variable (PROXY_PW|HOST_LABEL|SECRET_TOKEN) is not set/)
  })
})

describe('tk.yml: engine.repository (method docker)', () => {
  it("merges the host's repository keys over the file's, a key file relative to tk.yml", async () => {
    const config = await parse(
      [
        'engine:',
        '  method: docker',
        '  repository: {url: tuna, channel: test}',
        'hosts:',
        '  - name: web-1',
        '    engine:',
        '      repository: {key: keys/mirror.asc, fingerprint: "0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567"}',
        '  - name: web-2',
      ].join('\n'),
    )
    expect(config.hosts[0].engine).to.include({method: 'docker'})
    expect(config.hosts[0].engine.repository).to.deep.equal({url: 'tuna', channel: 'test', key: '/fleet/keys/mirror.asc', fingerprint: '0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567'})
    expect(config.hosts[1].engine.repository).to.deep.equal({url: 'tuna', channel: 'test'})
  })

  it('refuses a key without its fingerprint', async () => {
    let error: unknown
    try {
      await parse(['engine:', '  method: docker', '  repository: {key: https://apt.example.com/key.asc}', 'hosts:', '  - name: web-1'].join('\n'))
    } catch (caught) {
      error = caught
    }
    expect((error as Error).message).to.match(/engine\.repository\.key: a repository key needs its fingerprint beside it/)
  })
})
