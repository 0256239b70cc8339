import {SandboxLifecycleCommand} from '../cli/sandbox-lifecycle.js'
import {exitCodeTable} from '../errors/exit-codes.js'

export default class Reload extends SandboxLifecycleCommand {
  static override summary = 'Restart sandbox machines (halt, then start), keeping them as they are.'

  static override description = `systemd in each machine shuts down cleanly (10 s, then the machine is stopped). Its disk (files, packages, images, /var/lib/docker), its host key and its address on the sandbox network are kept: tk start or tk up starts it again, tk reload does both. A machine already stopped is fine; one not made yet is an error (tk up makes it). Only sandbox hosts: tk does not stop servers.

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT', 'CONFIG', 'CONNECTION', 'ENVIRONMENT'])}`

  static override examples = [
    {description: 'Restart every sandbox machine of tk.yml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Restart one machine', command: '<%= config.bin %> <%= command.id %> web-1'},
  ]

  protected readonly action = 'reload' as const
}
