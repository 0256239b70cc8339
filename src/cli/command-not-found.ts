/**
 * oclif's command_not_found hook: a mistyped command gets tk's one line and
 * exit 2 (a usage error), with the closest command as a did-you-mean, instead
 * of oclif's "› Error: command stauts not found".
 */
import type {Hook} from '@oclif/core'

import {didYouMean} from '../config/index.js'
import {ExitCode} from '../errors/exit-codes.js'

const hook: Hook<'command_not_found'> = async function ({config, id}) {
  const separator = config.topicSeparator
  const spoken = (commandId: string) => commandId.replaceAll(':', separator)
  const visible = config.commands.filter((command) => !command.hidden).map((command) => command.id)
  const guess = didYouMean(id, visible) ?? didYouMean(id.split(':')[0], visible)
  const topic = id.split(':')[0]
  const underTopic = visible.filter((commandId) => commandId.startsWith(`${topic}:`))
  const hint = guess
    ? `did you mean "${config.bin} ${spoken(guess)}"?`
    : underTopic.length > 0
      ? `${config.bin} ${topic} has: ${underTopic.map(spoken).join(', ')}`
      : `see ${config.bin} --help`
  process.stderr.write(`${config.bin}: no command "${spoken(id)}"; ${hint}\n`)
  process.exitCode = ExitCode.USAGE
}

export default hook
