/** Lines every command that works on many hosts prints the same way. */
import type {HostFailure} from '../fleet/runner.js'
import {messageForHost} from '../fleet/result.js'
import type {Style} from './style.js'

/** "✘ web-1: what happened; what to do", in red. */
export function failureLine(target: string, failure: HostFailure, style: Style): string {
  return style.red(`✘ ${messageForHost(target, failure.message)}${failure.hint ? `; ${failure.hint}` : ''}`)
}

/** "- web-3: not started: 1 host failed (--max-fail 1)", dimmed. */
export function skippedLine(target: string, reason: string, style: Style): string {
  return style.dim(`- ${target}: ${reason}`)
}
