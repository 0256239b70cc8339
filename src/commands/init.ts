import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {writeStarterConfig, type StarterResult} from '../config/starter.js'

export default class Init extends TkCommand {
  static override summary = 'Write a commented starter tk.yml in this directory.'

  static override description = `Writes tk.yml with two example hosts, the engine settings and commented examples of everything else; edit it, then run tk config validate. Every key is described in docs/config.md.

The file's first line points editors (VS Code with the YAML extension, any yaml-language-server client) at tk's JSON Schema, so they complete and check keys as you type.

An existing tk.yml is never overwritten unless --force is given.

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT'])}
  (1 here means a tk.yml already exists)`

  static override examples = [
    {description: 'Start a fleet description in this repository', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Replace an existing tk.yml with the starter', command: '<%= config.bin %> <%= command.id %> --force'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    force: Flags.boolean({summary: 'Overwrite an existing tk.yml.', default: false}),
  }

  async run(): Promise<StarterResult> {
    const {flags} = await this.parse(Init)
    const result = writeStarterConfig({dir: process.cwd(), force: flags.force})
    this.log(`${result.replaced ? 'Replaced' : 'Wrote'} ${result.file}`)
    if (result.shadows) this.log(`Note: it takes precedence over ${result.shadows} for commands run here.`)
    this.log('Next: describe your hosts in it, then run tk config validate.')
    return result
  }
}
