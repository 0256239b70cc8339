/**
 * tk's error taxonomy. A UserError is something the user can fix: it renders
 * as one line (plus an optional hint) and exits with its class's code. Any
 * other thrown error is a bug in tk and keeps its stack.
 */
import {ExitCode} from './exit-codes.js'

export class UserError extends Error {
  readonly exitCode: number
  readonly hint?: string

  constructor(message: string, options: {exitCode?: number; hint?: string; cause?: unknown} = {}) {
    super(message, {cause: options.cause})
    this.name = 'UserError'
    this.exitCode = options.exitCode ?? ExitCode.FAILED
    this.hint = options.hint
  }
}

/** An input file tk was asked to read is missing, empty or not what it should be. */
export class InputError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, {exitCode: ExitCode.INPUT, hint})
    this.name = 'InputError'
  }
}
