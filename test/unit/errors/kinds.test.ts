/** Error kinds carry their exit codes; call sites name a kind, never a number. */
import {expect} from 'chai'

import {ConfigError} from '../../../src/config/errors.js'
import {AuthenticationError, ConfigurationError, ConnectionError, EnvironmentError, ExitCode, HostKeyError, HostStateError, InputError, PrivilegeError, UnsupportedHostError, UsageError, UserError, userErrorOf} from '../../../src/errors/index.js'

describe('error kinds', () => {
  it('each carries its exit code from the one map, and its kind for --json', () => {
    const cases: Array<[UserError, number, string]> = [
      [new HostStateError('x'), ExitCode.FAILED, 'failed'],
      [new UsageError('x'), ExitCode.USAGE, 'usage'],
      [new InputError('x'), ExitCode.INPUT, 'input'],
      [new ConfigurationError('x'), ExitCode.CONFIG, 'config'],
      [new ConfigError('x'), ExitCode.CONFIG, 'config'],
      [new ConnectionError('x'), ExitCode.CONNECTION, 'connection'],
      [new AuthenticationError('x'), ExitCode.AUTH, 'authentication'],
      [new HostKeyError('x'), ExitCode.HOST_KEY, 'host-key'],
      [new UnsupportedHostError('x'), ExitCode.UNSUPPORTED, 'unsupported'],
      [new PrivilegeError('x'), ExitCode.PRIVILEGE, 'privilege'],
      [new EnvironmentError('x'), ExitCode.ENVIRONMENT, 'environment'],
    ]
    for (const [error, code, kind] of cases) {
      expect(error).to.be.instanceOf(UserError)
      expect([error.name, error.exitCode, error.kind]).to.deep.equal([error.constructor.name, code, kind])
    }
  })

  it('passes a kind on with context added, keeping its hint unless given another', () => {
    const again = userErrorOf(new PrivilegeError('sudo wants a password', {hint: 'set TK_SUDO_PASSWORD'}), 'web-1: sudo wants a password')
    expect(again).to.be.instanceOf(PrivilegeError)
    expect([again.message, again.hint, again.exitCode]).to.deep.equal(['web-1: sudo wants a password', 'set TK_SUDO_PASSWORD', 9])
  })

  it('passes on a subclass whose constructor takes other arguments as its kind, with the new message', () => {
    class MissingUser extends HostStateError {
      constructor(user: string) {
        super(`user ${user} does not exist`)
      }
    }
    const again = userErrorOf(new MissingUser('ghost'), 'web-1: user ghost does not exist')
    expect(again).to.be.instanceOf(HostStateError)
    expect([again.message, again.exitCode, again.kind]).to.deep.equal(['web-1: user ghost does not exist', 1, 'failed'])
  })

  it('makes the kind of an exit code that came from elsewhere (a background tunnel), FAILED for one it does not know', () => {
    expect(userErrorOf(5, 'lost')).to.be.instanceOf(ConnectionError)
    expect(userErrorOf(42, 'odd').exitCode).to.equal(ExitCode.FAILED)
  })
})
