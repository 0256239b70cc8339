/**
 * The base of every tk command: renders a UserError as one line on stderr
 * ("tk: <what happened>; <what to do>") or as a JSON error object with
 * --json, and exits with its class's code. A command line oclif cannot parse
 * (a missing argument, an unknown flag, a value not among a flag's options)
 * is a UserError too: one line and exit 2, not the whole help text. Anything
 * else is a bug in tk and is left to oclif, which keeps the stack.
 */
import {Command} from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'

import {UsageError, UserError} from '../errors/index.js'

interface ParseErrorShape {
  message: string
  parse: unknown
  args?: Array<{name?: string; description?: string}>
}

const MORE_HELP = 'See more help with --help'

/**
 * oclif's parser errors (CLIParseError and its kinds) carry the parse they
 * came from; oclif does not export the class. A flag value its parser
 * refused (not an integer, below min) is a plain Error oclif words as
 * "Parsing --FLAG ... See more help with --help".
 */
function isParseError(error: Error): error is Error & ParseErrorShape {
  return (error instanceof Errors.CLIError && 'parse' in error) || (/^Parsing --[\w-]+/.test(error.message) && error.message.endsWith(MORE_HELP))
}

/** One line for a parse error: the first thing it says, with a missing argument named and described. */
export function parseErrorLine(error: ParseErrorShape): string {
  const missing = (error.args ?? []).filter((arg) => arg.name)
  if (/^Missing \d+ required arg/.test(error.message) && missing.length > 0) {
    return `missing ${missing.map((arg) => `${arg.name!.toUpperCase()}${arg.description ? ` (${arg.description.replace(/\.$/, '')})` : ''}`).join(', ')}`
  }
  const lines = error.message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== MORE_HELP)
  const flag = /^Parsing (--[\w-]+)$/.exec(lines[0] ?? '')
  return flag ? `${flag[1]}: ${lines.slice(1).join('; ')}` : lines.join('; ')
}

export abstract class TkCommand extends Command {
  /**
   * For the commands that change hosts: an interrupt (Ctrl-C, SIGTERM) says
   * what becomes of the work under way, then tk exits (130, 143). Closing
   * the connections releases the hosts' locks; what a host was doing by
   * itself (an install, an upgrade, a daemon.json change) goes on there.
   */
  protected explainInterrupts(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(
        `\ntk: interrupted. Work a host had started (an install, an upgrade, a daemon.json change) finishes there by itself, and the hosts' locks are released; run tk ${this.id?.replaceAll(':', ' ') ?? ''} again to take each host from where it is.\n`,
      )
      process.exit(signal === 'SIGINT' ? 130 : 143)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  }

  /**
   * --json-lines given (before any --) to a command that has it: stdout
   * carries only its lines, so human output is off as with --json (log and
   * logToStderr say nothing; warnings still go to stderr).
   */
  protected jsonLinesEnabled(): boolean {
    if (!(this.ctor as {flags?: Record<string, unknown>}).flags?.['json-lines']) return false
    const end = this.argv.indexOf('--')
    const index = this.argv.indexOf('--json-lines')
    return index !== -1 && (end === -1 || index < end)
  }

  override log(message = '', ...args: unknown[]): void {
    if (!this.jsonLinesEnabled()) super.log(message, ...args)
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    if (!this.jsonLinesEnabled()) super.logToStderr(message, ...args)
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    const userError = isParseError(error) ? new UsageError(parseErrorLine(error), {hint: `see ${this.config.bin} ${this.id} --help`}) : error
    if (userError instanceof UserError) {
      if (this.jsonEnabled()) {
        this.logJson({error: {message: userError.message, hint: userError.hint, exitCode: userError.exitCode, kind: userError.kind}})
      } else {
        const text = userError.hint ? `${userError.message}; ${userError.hint}` : userError.message
        process.stderr.write(`tk: ${text}\n`)
      }
      return this.exit(userError.exitCode)
    }
    return super.catch(error)
  }
}
