import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {release} from 'node:os'

import {parseLastUp, parseStatusFacts, upstreamVersion, withEngineAnswer} from '../../../src/status/facts.js'
import {hostScript} from '../../../src/transport/host-scripts.js'


/** The script's output for a host, section by section; sections left out are printed empty, as the script does. */
function output(sections: Partial<Record<'os' | 'kernel' | 'user' | 'docker-group' | 'engine' | 'packages' | 'state', string>>, options: {end?: boolean} = {}): string {
  const names = ['os', 'kernel', 'user', 'docker-group', 'engine', 'packages', 'state'] as const
  const body = names.map((name) => `@@tk:${name}\n${sections[name] ? `${sections[name]}\n` : ''}`).join('')
  return options.end === false ? body : `${body}@@tk:end\n`
}

const BOOKWORM = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"'
const LAST_UP = {at: '2026-11-23T10:00:00.000Z', by: 'alice@laptop', tkVersion: '0.1.0', ok: true, changed: 2, durationMs: 4200}

describe('tk status: the status script\'s output', () => {
  it('a bare host: no engine, no docker group, never brought up', () => {
    const facts = parseStatusFacts(output({os: BOOKWORM, kernel: '6.1.0-28-amd64', user: 'admin'}))
    expect(facts).to.deep.equal({
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-28-amd64',
      user: 'admin',
      engine: {daemon: 'not-installed'},
    })
  })

  it('a running engine that answered a user of the docker group: the server\'s version, not the package\'s', () => {
    const facts = parseStatusFacts(
      output({
        os: BOOKWORM,
        kernel: '6.1.0-28-amd64',
        user: 'admin',
        'docker-group': 'docker:x:999:admin,deploy',
        engine: 'installed=yes\npid=812\nserver=20.10.24+dfsg1',
        state: JSON.stringify({version: 1, lastUp: LAST_UP, provisioners: {}}, null, 2),
      }),
    )
    expect(facts.engine).to.deep.equal({daemon: 'running', version: '20.10.24+dfsg1', versionFrom: 'server', access: true})
    expect(facts.dockerGroup).to.deep.equal(['admin', 'deploy'])
    expect(facts.lastUp).to.deep.equal(LAST_UP)
  })

  it('a running engine the login user may use: its socket, to be asked over SSH; the answer folded in', () => {
    const facts = parseStatusFacts(output({user: 'admin', 'docker-group': 'docker:x:999:admin', engine: 'installed=yes\npid=812\nsocket=/var/run/docker.sock'}))
    expect(facts.engine).to.deep.equal({daemon: 'running', access: true, socket: '/var/run/docker.sock'})
    expect(withEngineAnswer(facts, {version: '27.3.1'}).engine).to.deep.equal({daemon: 'running', access: true, socket: '/var/run/docker.sock', version: '27.3.1', versionFrom: 'server'})
    expect(withEngineAnswer(facts, {error: 'no answer within 3 s'}).engine).to.deep.include({daemon: 'not-answering', error: 'no answer within 3 s'})
    expect(withEngineAnswer(facts, {version: '27.3.1'}).dockerGroup).to.deep.equal(['admin'])
  })

  it('a user outside the docker group: running from the pid file, the version from the package, no access', () => {
    const facts = parseStatusFacts(
      output({
        'docker-group': 'docker:x:999:admin',
        user: 'op',
        engine: 'installed=yes\npid=812\naccess=denied',
        packages: 'docker.io 20.10.24+dfsg1-1+deb12u1+b6',
      }),
    )
    expect(facts.engine).to.deep.equal({daemon: 'running', version: '20.10.24+dfsg1', versionFrom: 'package', package: 'docker.io', access: false})
  })

  it('running by systemd when there is no pid file', () => {
    const facts = parseStatusFacts(output({engine: 'installed=yes\nunit=active\naccess=denied', packages: 'docker-ce 5:27.3.1-1~debian.12~bookworm'}))
    expect(facts.engine).to.include({daemon: 'running', version: '27.3.1', versionFrom: 'package', package: 'docker-ce', unit: 'active', access: false})
  })

  it('a daemon whose API does not answer the docker CLI (TK_STATUS_DOCKER_CLI=1): not answering, with the CLI\'s reason or the timeout', () => {
    const refused = parseStatusFacts(
      output({engine: 'installed=yes\npid=812\nexit=1\nerror=Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', packages: 'docker.io 20.10.24+dfsg1-1'}),
    )
    expect(refused.engine.daemon).to.equal('not-answering')
    expect(refused.engine.error).to.match(/^Cannot connect/)
    expect(refused.engine).to.include({version: '20.10.24+dfsg1', versionFrom: 'package'})

    const hung = parseStatusFacts(output({engine: 'installed=yes\npid=812\nexit=124\nerror='}))
    expect(hung.engine).to.include({daemon: 'not-answering', error: 'no answer within 3 s'})
  })

  it('an installed engine that does not run: stopped, with systemd\'s word for it', () => {
    const failed = parseStatusFacts(output({engine: 'installed=yes\nunit=failed', packages: 'docker.io 20.10.24+dfsg1-1'}))
    expect(failed.engine).to.deep.equal({daemon: 'stopped', version: '20.10.24+dfsg1', versionFrom: 'package', package: 'docker.io', unit: 'failed'})
    // No systemd, no pid file: stopped all the same.
    expect(parseStatusFacts(output({engine: 'installed=yes'})).engine).to.deep.equal({daemon: 'stopped'})
  })

  it('names the OS by NAME and VERSION_ID when there is no PRETTY_NAME, and "unknown" without os-release', () => {
    expect(parseStatusFacts(output({os: 'NAME=Alpine\nVERSION_ID=3.20.1'})).os).to.equal('Alpine 3.20.1')
    expect(parseStatusFacts(output({})).os).to.equal('unknown')
    expect(parseStatusFacts(output({})).kernel).to.equal('unknown')
  })

  it('an empty docker group is an empty list; a missing one is absent', () => {
    expect(parseStatusFacts(output({'docker-group': 'docker:x:999:'})).dockerGroup).to.deep.equal([])
    expect(parseStatusFacts(output({})).dockerGroup).to.equal(undefined)
  })

  it('refuses output without the end marker: the script stopped half-way', () => {
    expect(() => parseStatusFacts(output({os: BOOKWORM}, {end: false}))).to.throw(/no end marker/)
  })

  it('a state file that is unreadable, foreign or without a finished tk up counts as never', () => {
    expect(parseLastUp('')).to.equal(undefined)
    expect(parseLastUp('{not json')).to.equal(undefined)
    expect(parseLastUp(JSON.stringify({version: 2, lastUp: LAST_UP}))).to.equal(undefined)
    expect(parseLastUp(JSON.stringify({version: 1, provisioners: {}}))).to.equal(undefined)
    expect(parseLastUp(JSON.stringify({version: 1, lastUp: {...LAST_UP, at: 'yesterday'}}))).to.equal(undefined)
    expect(parseLastUp(JSON.stringify({version: 1, lastUp: {...LAST_UP, ok: false}}))).to.deep.include({ok: false, by: 'alice@laptop'})
  })

  it('shows a package\'s upstream version, as dockerd reports itself', () => {
    expect(upstreamVersion('5:27.3.1-1~debian.12~bookworm')).to.equal('27.3.1')
    expect(upstreamVersion('20.10.24+dfsg1-1+deb12u1+b6')).to.equal('20.10.24+dfsg1')
    expect(upstreamVersion('26.1.5+dfsg1-9')).to.equal('26.1.5+dfsg1')
    expect(upstreamVersion('not a version')).to.equal('not a version')
  })
})

describe('host-scripts/status-facts.sh on this machine', () => {
  it('runs under sh -eu as any user would, and its output parses', async () => {
    const run = spawnSync('sh', ['-eu'], {input: await hostScript('status-facts.sh'), encoding: 'utf8', env: {PATH: '/usr/bin:/bin', USER: 'tester'}})
    expect(run.status, run.stderr).to.equal(0)
    expect(run.stderr).to.equal('')
    const facts = parseStatusFacts(run.stdout)
    expect(facts.kernel).to.equal(release())
    expect(facts.user).to.equal('tester')
    expect(facts.os).to.not.equal('unknown')
  })
})

describe('tk status and tk check: how the engine came (host-scripts/lib/engine-source.sh)', () => {
  it("method docker with tk's docker.sources, distro for docker.io, nothing for anything else", async () => {
    const {parseEngineSource} = await import('../../../src/facts/engine-source.js')
    expect(parseEngineSource(['method=docker', 'URIs: https://download.docker.com/linux/debian', 'Suites: bookworm', 'Components: stable'])).to.deep.equal({
      method: 'docker',
      repository: 'https://download.docker.com/linux/debian bookworm stable',
    })
    expect(parseEngineSource(['method=distro'])).to.deep.equal({method: 'distro'})
    expect(parseEngineSource([])).to.deep.equal({})
    const facts = parseStatusFacts(`${output({os: BOOKWORM, engine: 'installed=yes\nunit=active'})}`.replace('@@tk:end', '@@tk:engine-source\nmethod=docker\nURIs: https://mirrors.tuna.tsinghua.edu.cn/docker-ce/linux/debian\nSuites: bookworm\nComponents: stable\n@@tk:end'))
    expect(facts.engine).to.include({method: 'docker', repository: 'https://mirrors.tuna.tsinghua.edu.cn/docker-ce/linux/debian bookworm stable'})
  })
})
