import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../../cli/base-command.js'
import {exitCodeTable} from '../../errors/exit-codes.js'
import {CONFIG_ENV, loadConfig} from '../../config/index.js'
import {summarizeConfig, type ConfigSummary} from '../../config/summary.js'
import {makeStyle, useColor} from '../../render/style.js'
import {renderTable} from '../../render/table.js'

export default class ConfigValidate extends TkCommand {
  static override summary = 'Check tk.yml and list the hosts it describes.'

  static override description = `Finds tk.yml (--config, else $${CONFIG_ENV}, else the nearest tk.yml in this directory or above), checks it against tk's JSON Schema and the rules a schema cannot express (unique names, known groups, files that provisioners name, keys a sandbox host cannot take, a docker container's ports and volumes as docker run parses them), fills in \${ENV_VAR} references, and prints each host as tk will reach it. Nothing is contacted and nothing is written.

The first problem is reported on one line: the file, line and column, the key's path, what was expected, and a did-you-mean for a misspelt key. Values from the environment are never printed.

Exit codes:
${exitCodeTable(['OK', 'USAGE', 'INPUT', 'CONFIG'])}`

  static override examples = [
    {description: 'Check the tk.yml of this repository', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Check another file', command: '<%= config.bin %> <%= command.id %> --config fleets/staging.yml'},
    {description: 'The resolved hosts as JSON', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    config: Flags.string({
      char: 'c',
      summary: `The tk.yml to use (default: $${CONFIG_ENV}, else the nearest tk.yml up from here).`,
      helpValue: 'PATH',
    }),
  }

  async run(): Promise<ConfigSummary> {
    const {flags} = await this.parse(ConfigValidate)
    const config = await loadConfig({path: flags.config, required: true, checkFiles: true})
    const summary = summarizeConfig(config!)
    if (!this.jsonEnabled()) this.log(render(summary, config!.displayName))
    return summary
  }
}

function render(summary: ConfigSummary, displayName: string): string {
  const style = makeStyle(useColor())
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  const head = `${style.green('✔')} ${displayName} is valid: ${count(summary.hosts.length, 'host')}, ${count(Object.keys(summary.groups).length, 'group')}, ${count(summary.provisioners.length, 'provisioner')}`
  if (summary.hosts.length === 0) return head
  const rows = summary.hosts.map((host) => [
    host.name,
    host.address ?? '-',
    host.user ?? '-',
    host.port === undefined ? '-' : String(host.port),
    host.groups.join(',') || '-',
    host.release ? `${host.provider} (${host.release})` : host.provider,
  ])
  return `${head}\n\n${renderTable(['NAME', 'ADDRESS', 'USER', 'PORT', 'GROUPS', 'PROVIDER'], rows, style)}`
}
