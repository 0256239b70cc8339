import {SandboxLifecycleCommand} from '../cli/sandbox-lifecycle.js'
import {exitCodeTable} from '../errors/exit-codes.js'

export default class Start extends SandboxLifecycleCommand {
  static override summary = 'Start stopped sandbox machines as they were.'

  static override description = `systemd in each machine shuts down cleanly (10 s, then the machine is stopped). Its disk (files, packages, images, /var/lib/docker), its host key and its address on the sandbox network are kept: tk start or tk up starts it again, tk reload does both. A machine already stopped is fine; one not made yet is an error (tk up makes it). Only sandbox hosts: tk does not stop servers.

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT', 'CONFIG', 'CONNECTION', 'ENVIRONMENT'])}`

  static override examples = [
    {description: 'Start every sandbox machine of tk.yml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Start one machine', command: '<%= config.bin %> <%= command.id %> web-1'},
  ]

  protected readonly action = 'start' as const
}
