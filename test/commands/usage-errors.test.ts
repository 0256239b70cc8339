import {expect} from 'chai'

import {runTk} from '../run-tk.js'

describe('a command line tk cannot parse', () => {
  it('is one line naming what is wrong and where help is, exit 2: a missing argument, an unknown flag, a bad option or value', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['provision'], /^tk: missing HOST \(Hosts to provision: .*\); see tk provision --help$/],
      [['tunnel'], /^tk: missing HOST \(.*\); see tk tunnel --help$/],
      [['check', '--bogus'], /^tk: Nonexistent flag: --bogus; see tk check --help$/],
      [['provision', 'h', '--method', 'foo'], /^tk: Expected --method=foo to be one of: distro, docker, script; see tk provision --help$/],
      [['provision', 'h', '--docker-user', 'bob;touch /tmp/x', '--dry-run'], /^tk: --docker-user "bob;touch \/tmp\/x" cannot be a user name: use lower-case letters, digits, '_', '-' and '\.', starting with a letter or '_'$/],
      [['provision', 'h', '--docker-user', `a${'b'.repeat(32)}`], /^tk: --docker-user "ab{32}" is longer than 32 characters$/],
      [['exec', '--concurrency', '0', 'h', '--', 'true'], /^tk: --concurrency: Expected an integer greater than or equal to 1 but received: 0; see tk exec --help$/],
      [['stauts'], /^tk: no command "stauts"; did you mean "tk status"\?$/],
      [['config', 'valdate'], /^tk: no command "config valdate"; did you mean "tk config validate"\?$/],
      [['sandbox', 'halt'], /^tk: no command "sandbox halt"; tk sandbox has: sandbox engine stop$/],
      [['frobnicate'], /^tk: no command "frobnicate"; see tk --help$/],
    ]
    for (const [argv, line] of cases) {
      const {code, stdout, stderr} = await runTk(argv)
      expect(code, argv.join(' ')).to.equal(2)
      expect(stdout, argv.join(' ')).to.equal('')
      expect(stderr.trimEnd().split('\n'), argv.join(' ')).to.have.length(1)
      expect(stderr.trimEnd(), argv.join(' ')).to.match(line)
    }
  })

  it('is a JSON error object with --json', async () => {
    const {code, stdout} = await runTk(['provision', 'h', '--method', 'foo', '--json'])
    expect(code).to.equal(2)
    expect(JSON.parse(stdout)).to.deep.equal({error: {message: 'Expected --method=foo to be one of: distro, docker, script', hint: 'see tk provision --help', exitCode: 2, kind: 'usage'}})
  })
})

describe('repeatable flags before the hosts', () => {
  it('take one value each time they are given: `-i KEY host-1 host-2` leaves both hosts as hosts', async () => {
    // Nothing listens on port 1 of the loopback: both hosts are tried (and refused), none is taken for a second key.
    const {code, stderr} = await runTk(['exec', '-i', '/nonexistent/key', '--identity=/nonexistent/other', '--connect-timeout', '5', 'admin@127.0.0.1:1', 'op@127.0.0.1:1', '--', 'true'], {env: {TK_CONFIG: '', SSH_AUTH_SOCK: ''}})
    expect(stderr).not.to.match(/no host given/)
    expect(stderr).to.match(/admin@127\.0\.0\.1:1/)
    expect(stderr).to.match(/op@127\.0\.0\.1:1/)
    expect(code).to.equal(5)
  })
})
