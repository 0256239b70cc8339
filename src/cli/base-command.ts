/**
 * The base of every tk command: renders UserErrors as one line with their
 * exit code, and leaves bugs (anything else) to oclif, which keeps the stack.
 */
import {Command} from '@oclif/core'

import {UserError} from '../errors/index.js'

export abstract class TkCommand extends Command {
  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (error instanceof UserError) {
      const text = error.hint ? `${error.message}; ${error.hint}` : error.message
      // this.error prints "Error: ..." without a stack and exits with the code given.
      return this.error(text, {exit: error.exitCode})
    }
    return super.catch(error)
  }
}
