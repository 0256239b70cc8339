import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir, userInfo} from 'node:os'
import {join} from 'node:path'

import {expect} from 'chai'

import {ExitCode} from '../../../src/errors/exit-codes.js'
import {UserError} from '../../../src/errors/index.js'
import {parseTarget, resolveTarget, formatTarget, expandTokens} from '../../../src/transport/target.js'
import {globMatch, tokenizeConfigLine} from '../../../src/transport/ssh-config.js'

function parseError(text: string): UserError {
  try {
    parseTarget(text)
  } catch (error) {
    return error as UserError
  }
  throw new Error(`expected "${text}" to be refused`)
}

describe('transport targets', () => {
  describe('parseTarget', () => {
    const cases: Array<[string, object]> = [
      ['web1', {host: 'web1'}],
      ['deploy@web1', {host: 'web1', user: 'deploy'}],
      ['deploy@web1.example.com:2222', {host: 'web1.example.com', user: 'deploy', port: 2222}],
      ['10.0.0.5:22', {host: '10.0.0.5', port: 22}],
      ['[2001:db8::1]:2200', {host: '2001:db8::1', port: 2200}],
      ['root@[2001:db8::1]:2200', {host: '2001:db8::1', user: 'root', port: 2200}],
      ['[::1]', {host: '::1'}],
      ['::1', {host: '::1'}],
      ['fe80::1%eth0', {host: 'fe80::1%eth0'}],
      ['me@corp@host', {host: 'host', user: 'me@corp'}],
      ['my_alias', {host: 'my_alias'}],
    ]
    for (const [text, expected] of cases) {
      it(`parses ${text}`, () => expect(parseTarget(text)).to.deep.equal(expected))
    }

    const bad: Array<[string, RegExp]> = [
      ['', /empty/],
      ['web 1', /whitespace/],
      ['@web', /user before "@" is empty/],
      ['web:', /port "" is not a number/],
      ['web:ssh', /port "ssh" is not a number/],
      ['web:70000', /outside 1-65535/],
      ['web:0', /outside 1-65535/],
      ['[::1', /missing "]"/],
      ['[::1]2200', /unexpected "2200"/],
      ['2001:db8::zz', /not an IPv6 address/],
      ['web/1', /not a valid host name/],
      ['-oProxyCommand=x', /not a valid host name/],
      ['us;er@web', /user "us;er"/],
    ]
    for (const [text, message] of bad) {
      it(`refuses ${JSON.stringify(text)} with one line and exit INPUT`, () => {
        const error = parseError(text)
        expect(error).to.be.instanceOf(UserError)
        expect(error.exitCode).to.equal(ExitCode.INPUT)
        expect(error.message).to.match(message)
        expect(error.message).to.not.include('\n')
      })
    }
  })

  it('formats targets for messages', () => {
    expect(formatTarget({user: 'a', hostname: 'h', port: 22})).to.equal('a@h')
    expect(formatTarget({user: 'a', hostname: '::1', port: 2200})).to.equal('a@[::1]:2200')
  })

  it('tokenizes config lines with = and quotes', () => {
    expect(tokenizeConfigLine('IdentityFile "/a b/c"')).to.deep.equal(['IdentityFile', '/a b/c'])
    expect(tokenizeConfigLine('Port=2222')).to.deep.equal(['Port', '2222'])
    expect(tokenizeConfigLine('Host a b # comment')).to.deep.equal(['Host', 'a', 'b'])
  })

  it('globs like ssh: ? is exactly one character', () => {
    expect(globMatch('w?b', 'web')).to.equal(true)
    expect(globMatch('w?b', 'wb')).to.equal(false)
    expect(globMatch('*.internal', 'a.internal')).to.equal(true)
    expect(globMatch('a.b', 'axb')).to.equal(false)
  })

  it('expands % tokens and ~', () => {
    expect(expandTokens('~/.ssh/%r@%h:%p%%', {r: 'u', h: 'h', p: '22'}, '/home/x')).to.equal('/home/x/.ssh/u@h:22%')
  })

  describe('ssh config resolution, with `ssh -G` as the oracle', () => {
    let dir: string
    let config: string
    const home = homedir()

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'tk-sshcfg-'))
      config = join(dir, 'config')
      writeFileSync(
        join(dir, 'included.conf'),
        ['Host inc', '  HostName included.example.com', '  User incuser', '  Port 2022', ''].join('\n'),
      )
      writeFileSync(
        config,
        [
          '# fixture: first match wins, patterns, negation, Include, Match',
          `Include ${join(dir, 'inc*.conf')}`,
          'Host web',
          '  HostName %h.example.com',
          '  User deploy',
          '  Port 2222',
          '  IdentityFile ~/.ssh/web_key',
          '  IdentityFile /keys/second',
          'Host db? *.internal !bad.internal',
          '  User dbadmin',
          '  IdentitiesOnly yes',
          '  ProxyJump bastion,jump2:2200',
          'Host bastion',
          '  HostName 192.0.2.10',
          '  User jumper',
          'Host direct',
          '  ProxyJump none',
          'Host WEB2',
          '  User caseuser',
          'Host w?b2',
          '  User globuser',
          'Match host real.example.com',
          '  Port 2345',
          'Host m',
          '  HostName real.example.com',
          'Match originalhost orig*',
          '  User matcheduser',
          'Host kh1',
          '  HostName KH1.Example.com',
          '  User pin',
          '  Port 2022',
          '  UserKnownHostsFile ~/pinned/%h_%p %k-%r-%u-%n-%L-%i-%C ${HOME}/more',
          '  StrictHostKeyChecking yes',
          'Host kh2',
          '  GlobalKnownHostsFile /etc/fleet/known_hosts ~/literal',
          '  StrictHostKeyChecking no',
          '  UserKnownHostsFile none',
          'Host kh3',
          '  HostKeyAlias kh-alias',
          '  UserKnownHostsFile ~/.ssh/%k',
          '  StrictHostKeyChecking accept-new',
          'Host kh4',
          '  StrictHostKeyChecking=off',
          'Host kh5',
          '  StrictHostKeyChecking ask',
          'Host kh*',
          '  UserKnownHostsFile ~/never-this-one',
          '  StrictHostKeyChecking yes',
          'Host quoted',
          '  IdentityFile "/path with space/key"',
          'Host *',
          '  User fallback',
          '  Port 2200',
          '',
        ].join('\n'),
      )
    })
    after(() => rmSync(dir, {recursive: true, force: true}))

    function oracle(alias: string, extra: string[] = []): Record<string, string[]> {
      const out = execFileSync('ssh', ['-G', '-F', config, ...extra, alias], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})
      const values: Record<string, string[]> = {}
      for (const line of out.split('\n')) {
        const space = line.indexOf(' ')
        if (space === -1) continue
        ;(values[line.slice(0, space)] ??= []).push(line.slice(space + 1))
      }
      return values
    }

    /** ssh -G's list of files, space-separated (it prints a name with spaces unquoted, so the fixture has none). */
    const splitFileList = (text: string) => text.split(' ')

    const aliases = ['web', 'dba', 'x.internal', 'bad.internal', 'bastion', 'direct', 'WEB2', 'web2', 'wxb2', 'm', 'original', 'inc', 'quoted', 'plain.example.org', '192.0.2.99', 'kh1', 'kh2', 'kh3', 'kh4', 'kh5', 'khx']
    for (const alias of aliases) {
      it(`resolves ${alias} as ssh -G does`, () => {
        const expected = oracle(alias)
        const ours = resolveTarget(alias, {sshConfigPath: config})
        expect(ours.hostname, 'hostname').to.equal(expected.hostname[0])
        expect(ours.user, 'user').to.equal(expected.user[0])
        expect(ours.port, 'port').to.equal(Number(expected.port[0]))
        expect(ours.identitiesOnly, 'identitiesonly').to.equal(expected.identitiesonly[0] === 'yes')
        if (ours.identityFilesExplicit) {
          const theirs = expected.identityfile.map((file) => file.replace(/^~(?=\/)/, home))
          expect(ours.identityFiles, 'identityfile').to.deep.equal(theirs)
        }
        // Host keys: the files as ssh expands them (the global ones literally), and StrictHostKeyChecking as tk applies it.
        const userFiles = expected.userknownhostsfile[0] === 'none' ? [] : splitFileList(expected.userknownhostsfile[0])
        expect(ours.hostKeys.userFiles, 'userknownhostsfile').to.deep.equal(userFiles)
        expect(ours.hostKeys.globalFiles, 'globalknownhostsfile').to.deep.equal(splitFileList(expected.globalknownhostsfile[0]))
        const strict = expected.stricthostkeychecking[0]
        const policy = {true: 'strict', false: 'accept-new', 'accept-new': 'accept-new', ask: ours.hostKeys.policy === undefined ? undefined : 'strict'}[strict]
        expect(ours.hostKeys.policy, `stricthostkeychecking ${strict}`).to.equal(policy)
        const jumps = expected.proxyjump?.[0]
        if (jumps === undefined) expect(ours.proxyJump, 'proxyjump').to.deep.equal([])
        else {
          expect(ours.proxyJump.map((hop) => hop.alias)).to.deep.equal(jumps.split(',').map((hop) => parseTarget(hop).host))
          // Each hop resolves as ssh resolves that hop on its own (ports given in the list win).
          for (const [index, hop] of jumps.split(',').entries()) {
            const spec = parseTarget(hop)
            const hopOracle = oracle(spec.host, spec.port ? ['-p', String(spec.port)] : [])
            expect(ours.proxyJump[index].hostname).to.equal(hopOracle.hostname[0])
            expect(ours.proxyJump[index].port).to.equal(Number(hopOracle.port[0]))
            expect(ours.proxyJump[index].user).to.equal(hopOracle.user[0])
          }
        }
      })
    }

    it('lets an explicit user and port in the target win over the config (as ssh -l/-p do)', () => {
      const expected = oracle('web', ['-l', 'me', '-p', '99'])
      const ours = resolveTarget('me@web:99', {sshConfigPath: config})
      expect([ours.user, ours.port, ours.hostname]).to.deep.equal([expected.user[0], Number(expected.port[0]), expected.hostname[0]])
    })

    it('falls back to ssh defaults with no config file', () => {
      const ours = resolveTarget('h.example.org', {sshConfigPath: join(dir, 'missing')})
      expect(ours.user).to.equal(userInfo().username)
      expect(ours.port).to.equal(22)
      expect(ours.identityFiles).to.deep.equal(['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(home, '.ssh', name)))
    })

    it('looks a HostKeyAlias up as the bare alias (port 22\'s form), the hostname with its own port', () => {
      const aliasConfig = join(dir, 'alias')
      writeFileSync(aliasConfig, ['Host prod', '  HostName 127.0.0.1', '  Port 2222', '  HostKeyAlias web-prod', ''].join('\n'))
      expect(resolveTarget('prod', {sshConfigPath: aliasConfig})).to.deep.include({hostKeyName: 'web-prod', hostKeyPort: 22, port: 2222})
      expect(resolveTarget('h.example.org:2222', {sshConfigPath: aliasConfig})).to.deep.include({hostKeyName: 'h.example.org', hostKeyPort: 2222})
    })

    it('takes the config path from TK_SSH_CONFIG', () => {
      expect(resolveTarget('web', {env: {TK_SSH_CONFIG: config}}).hostname).to.equal('web.example.com')
    })

    it('puts identity files given by the caller first and expands tokens in IdentityFile', () => {
      const tokenConfig = join(dir, 'tokens')
      writeFileSync(tokenConfig, 'Host t\n  HostName T.Example.com\n  User bob\n  Port 2201\n  IdentityFile ~/k/%r@%h-%p-%n-%u-%d\n')
      const ours = resolveTarget('t', {sshConfigPath: tokenConfig, identityFiles: ['/cli/key'], homeDir: '/home/z', localUser: 'zed'})
      expect(ours.hostname).to.equal('t.example.com')
      expect(ours.identityFiles).to.deep.equal(['/cli/key', '/home/z/k/bob@t.example.com-2201-t-zed-/home/z'])
    })

    it('never applies a Match it cannot evaluate, negated or not (Match !exec, Match localnetwork)', () => {
      const matchConfig = join(dir, 'match-exec')
      writeFileSync(matchConfig, ['Match !exec "false"', '  UserKnownHostsFile /tmp/not-this', '  User execuser', 'Match !localnetwork 10.0.0.0/8', '  Port 2999', ''].join('\n'))
      const ours = resolveTarget('anyhost', {sshConfigPath: matchConfig, localUser: 'me'})
      expect(ours.user).to.equal('me')
      expect(ours.port).to.equal(22)
      expect(ours.hostKeys.userFiles).to.deep.equal([join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2')])
      expect(ours.warnings.join('\n')).to.include('"Match !exec" is not evaluated by tk; the block is skipped')
    })

    it('refuses an unknown StrictHostKeyChecking and an unset ${VAR} in UserKnownHostsFile with exit CONFIG', () => {
      const badConfig = join(dir, 'bad-hostkeys')
      writeFileSync(badConfig, 'Host s\n  StrictHostKeyChecking maybe\nHost v\n  UserKnownHostsFile ${TK_TEST_UNSET_VARIABLE}/kh\n')
      expect(() => resolveTarget('s', {sshConfigPath: badConfig})).to.throw(UserError, /StrictHostKeyChecking "maybe"/).with.property('exitCode', ExitCode.CONFIG)
      expect(() => resolveTarget('v', {sshConfigPath: badConfig, env: {}})).to.throw(UserError, /TK_TEST_UNSET_VARIABLE/).with.property('exitCode', ExitCode.CONFIG)
    })

    it('refuses an invalid Port in the config with exit CONFIG', () => {
      const badConfig = join(dir, 'bad')
      writeFileSync(badConfig, 'Host b\n  Port ssh\n')
      expect(() => resolveTarget('b', {sshConfigPath: badConfig}))
        .to.throw(UserError, /Port "ssh"/)
        .with.property('exitCode', ExitCode.CONFIG)
    })
  })
})
