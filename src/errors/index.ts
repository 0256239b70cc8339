/**
 * tk's error taxonomy. A UserError is something the user can fix: it renders
 * as one line (plus an optional hint) and exits with its kind's code. A call
 * site names the kind (a ConnectionError, a PrivilegeError), never a number:
 * the kinds and their codes are the one map in exit-codes.ts. Any other
 * thrown error is a bug in tk and keeps its stack; BugError says so on
 * purpose where an invariant breaks.
 *
 * Nothing here knows about the CLI: commands and src/cli render these.
 */
import {ExitCode, type ExitCodeName} from './exit-codes.js'

export {ExitCode, type ExitCodeName, exitCodeTable} from './exit-codes.js'

/** What kind of thing went wrong, as JSON output names it. */
export type ErrorKind = 'failed' | 'usage' | 'input' | 'config' | 'connection' | 'authentication' | 'host-key' | 'unsupported' | 'privilege' | 'environment'

const KIND_EXIT: Record<ErrorKind, ExitCodeName> = {
  failed: 'FAILED',
  usage: 'USAGE',
  input: 'INPUT',
  config: 'CONFIG',
  connection: 'CONNECTION',
  authentication: 'AUTH',
  'host-key': 'HOST_KEY',
  unsupported: 'UNSUPPORTED',
  privilege: 'PRIVILEGE',
  environment: 'ENVIRONMENT',
}

export interface UserErrorOptions {
  hint?: string
  cause?: unknown
}

/** The base of the kinds below; throw one of them, not this. */
export abstract class UserError extends Error {
  abstract readonly kind: ErrorKind
  readonly hint?: string

  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, {cause: options.cause})
    this.hint = options.hint
  }

  get exitCode(): number {
    return ExitCode[KIND_EXIT[this.kind]]
  }
}

/** A check or a step failed, or a host (or sandbox machine) is in a state tk will not go on from. Exit 1. */
export class HostStateError extends UserError {
  readonly kind = 'failed'
  override name = 'HostStateError'
}

/** The command line is wrong: a missing or contradictory argument or flag. Exit 2. */
export class UsageError extends UserError {
  readonly kind = 'usage'
  override name = 'UsageError'
}

/** An input file tk was asked to read is missing, empty or not what it should be. Exit 3. */
export class InputError extends UserError {
  readonly kind = 'input'
  override name = 'InputError'
}

/** A host could not be reached: refused, timed out, name not resolved, connection lost. Exit 5. */
export class ConnectionError extends UserError {
  readonly kind = 'connection'
  override name = 'ConnectionError'
}

/** The host refused every credential offered. Exit 6. */
export class AuthenticationError extends UserError {
  readonly kind = 'authentication'
  override name = 'AuthenticationError'
}

/** The host's key is unknown under a strict policy, or has changed. Exit 7. */
export class HostKeyError extends UserError {
  readonly kind = 'host-key'
  override name = 'HostKeyError'
}

/** The host runs something tk does not support (distribution, architecture, init). Exit 8. */
export class UnsupportedHostError extends UserError {
  readonly kind = 'unsupported'
  override name = 'UnsupportedHostError'
}

/** Root work was needed and sudo refused or wanted a password tk was not given. Exit 9. */
export class PrivilegeError extends UserError {
  readonly kind = 'privilege'
  override name = 'PrivilegeError'
}

/** The local machine lacks something tk needs (a program, a permission, a free port). Exit 10. */
export class EnvironmentError extends UserError {
  readonly kind = 'environment'
  override name = 'EnvironmentError'
}

/** Configuration (tk.yml) is invalid; src/config's ConfigError adds where in the file. Exit 4. */
export class ConfigurationError extends UserError {
  readonly kind: ErrorKind = 'config'
  override name = 'ConfigurationError'
}

/** An invariant of tk's own broke: a bug, reported with its stack. */
export class BugError extends Error {
  override name = 'BugError'
}

const BY_EXIT_CODE = new Map<number, new (message: string, options?: UserErrorOptions) => UserError>([
  [ExitCode.FAILED, HostStateError],
  [ExitCode.USAGE, UsageError],
  [ExitCode.INPUT, InputError],
  [ExitCode.CONFIG, ConfigurationError],
  [ExitCode.CONNECTION, ConnectionError],
  [ExitCode.AUTH, AuthenticationError],
  [ExitCode.HOST_KEY, HostKeyError],
  [ExitCode.UNSUPPORTED, UnsupportedHostError],
  [ExitCode.PRIVILEGE, PrivilegeError],
  [ExitCode.ENVIRONMENT, EnvironmentError],
])

/**
 * The same kind of error with another message: for the few places that pass
 * an error on with context added (a provisioner's name, a host's), and for
 * an exit code that comes from elsewhere (a background tunnel's own exit).
 */
export function userErrorOf(kindOf: UserError | number, message: string, options: UserErrorOptions = {}): UserError {
  if (typeof kindOf !== 'number') {
    // The kind of its exit code, not its own class: a subclass may take other constructor arguments.
    const Kind = BY_EXIT_CODE.get(kindOf.exitCode) ?? HostStateError
    return new Kind(message, {hint: options.hint ?? kindOf.hint, cause: options.cause ?? kindOf})
  }
  const Kind = BY_EXIT_CODE.get(kindOf) ?? HostStateError
  return new Kind(message, options)
}
