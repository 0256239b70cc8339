import {SandboxLifecycleCommand} from '../cli/sandbox-lifecycle.js'

export default class Reload extends SandboxLifecycleCommand {
  static override summary = 'Restart sandbox machines (halt, then start), keeping them as they are.'

  static override examples = [
    {description: 'Restart every sandbox machine of tk.yml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Restart one machine', command: '<%= config.bin %> <%= command.id %> web-1'},
  ]

  protected readonly action = 'reload' as const
}
