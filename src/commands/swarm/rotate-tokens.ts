import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../../cli/base-command.js'
import {TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../../cli/transport-flags.js'
import {exitCodeTable} from '../../errors/exit-codes.js'
import type {RotateTokensResult} from '../../swarm/index.js'

export default class SwarmRotateTokens extends TkCommand {
  static override summary = 'Rotate the join tokens of tk.yml\'s swarm: the old ones stop working at once.'

  static override description = `Asks the first of tk.yml's swarm managers that is an active manager (the others in file order when one cannot be reached or is not one) to make new join tokens: the worker's and the manager's, or only the one --worker or --manager names. It goes through the engine's API over SSH, as tk up does.

Nodes already in the swarm are not affected. A host that joins later gets the new token from tk up, which reads it from a manager when it needs it. Rotate after a token may have leaked (a shell history, a CI log, someone who left).

The tokens are never printed, in --json, on a command line or in a file: tk checks that each one changed by comparing digests of them taken in memory, and says which it rotated.

${TRANSPORT_ENVIRONMENT}

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT', 'CONFIG', 'CONNECTION', 'AUTH', 'HOST_KEY', 'PRIVILEGE'])}`

  static override examples = [
    {description: 'Rotate both join tokens', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Only the workers\' token', command: '<%= config.bin %> <%= command.id %> --worker'},
    {description: 'Which manager would be asked, changing nothing', command: '<%= config.bin %> <%= command.id %> --dry-run'},
    {description: 'For scripts (the tokens are not in it)', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    worker: Flags.boolean({summary: 'Rotate the workers\' join token (with --manager: both; neither: both).'}),
    manager: Flags.boolean({summary: 'Rotate the managers\' join token (with --worker: both; neither: both).'}),
    'dry-run': Flags.boolean({summary: 'Say which manager would be asked and which tokens rotated, and change nothing.'}),
    ...transportFlags,
  }

  async run(): Promise<RotateTokensResult> {
    const {flags} = await this.parse(SwarmRotateTokens)
    const roles = flags.worker === flags.manager ? (['worker', 'manager'] as const) : flags.worker ? (['worker'] as const) : (['manager'] as const)
    const {rotateSwarmTokens} = await import('../../swarm/index.js')
    const result = await rotateSwarmTokens({configPath: flags.config, roles, dryRun: Boolean(flags['dry-run']), transport: transportOptions(flags, (message) => this.warn(message))})
    for (const skipped of result.skipped) this.warn(`${skipped.target} not asked: ${skipped.message}`)
    const which = `the ${result.rotated.join(' and ')} join token${result.rotated.length === 1 ? '' : 's'}`
    this.log(
      result.dryRun
        ? `would rotate ${which} of swarm ${result.swarm.slice(0, 12)} on ${result.manager}`
        : `rotated ${which} of swarm ${result.swarm.slice(0, 12)} on ${result.manager}: the old ${result.rotated.length === 1 ? 'one no longer works' : 'ones no longer work'}; nodes in the swarm are not affected`,
    )
    return result
  }
}
