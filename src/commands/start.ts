import {SandboxLifecycleCommand} from '../cli/sandbox-lifecycle.js'

export default class Start extends SandboxLifecycleCommand {
  static override summary = 'Start stopped sandbox machines as they were.'

  static override examples = [
    {description: 'Start every sandbox machine of tk.yml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Start one machine', command: '<%= config.bin %> <%= command.id %> web-1'},
  ]

  protected readonly action = 'start' as const
}
