/**
 * The base of every tk command: renders a UserError as one line on stderr
 * ("tk: <what happened>; <what to do>") or as a JSON error object with
 * --json, and exits with its class's code. Anything else is a bug in tk and is
 * left to oclif, which keeps the stack.
 */
import {Command} from '@oclif/core'

import {UserError} from '../errors/index.js'

export abstract class TkCommand extends Command {
  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (error instanceof UserError) {
      if (this.jsonEnabled()) {
        this.logJson({error: {message: error.message, hint: error.hint, exitCode: error.exitCode}})
      } else {
        const text = error.hint ? `${error.message}; ${error.hint}` : error.message
        process.stderr.write(`tk: ${text}\n`)
      }
      return this.exit(error.exitCode)
    }
    return super.catch(error)
  }
}
