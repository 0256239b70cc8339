import {TkCommand} from '../../../cli/base-command.js'
import {exitCodeTable} from '../../../errors/exit-codes.js'
import type {EngineStopResult} from '../../../providers/sandbox/fleet.js'

export default class SandboxEngineStop extends TkCommand {
  static override summary = "Stop the sandbox's private Docker engine; its machines are kept."

  static override description = `tk starts a private Docker engine for sandbox machines (under /var/lib/tk-sandbox, or TK_SANDBOX_HOME) the first time a command needs one, and leaves it running after the command ends: the machines live on it. This stops it, whoever started it. Its machines shut down cleanly and are kept with their data; tk up starts them again (with the engine).

Needs root, as the engine does. Nothing to do when the engine is not running.

Exit codes:
${exitCodeTable(['OK', 'ENVIRONMENT'])}`

  static override examples = [
    {description: 'Stop the engine and every sandbox machine on it', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Then bring the machines of tk.yml back', command: '<%= config.bin %> up'},
  ]

  static override enableJsonFlag = true

  async run(): Promise<EngineStopResult> {
    await this.parse(SandboxEngineStop)
    const {stopSandboxEngine} = await import('../../../providers/sandbox/fleet.js')
    const result = await stopSandboxEngine()
    if (!result.wasRunning) this.log("the sandbox's engine is not running")
    else if (result.machines === 0) this.log(`stopped the sandbox's engine (pid ${result.pid}); no machine was running on it`)
    else this.log(`stopped the sandbox's engine (pid ${result.pid}) and the ${result.machines} machine${result.machines === 1 ? '' : 's'} running on it; ${result.machines === 1 ? 'it is' : 'they are'} kept, tk up starts ${result.machines === 1 ? 'it' : 'them'} again`)
    return result
  }
}
