import {SandboxLifecycleCommand} from '../cli/sandbox-lifecycle.js'

export default class Halt extends SandboxLifecycleCommand {
  static override summary = 'Stop sandbox machines, keeping them as they are.'

  static override examples = [
    {description: 'Stop every sandbox machine of tk.yml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Stop one machine', command: '<%= config.bin %> <%= command.id %> web-1'},
  ]

  protected readonly action = 'halt' as const
}
