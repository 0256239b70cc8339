import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../../cli/base-command.js'
import {UsageError} from '../../errors/index.js'
import type {StopResult} from '../../proxy/service.js'

export default class TunnelStop extends TkCommand {
  static override summary = 'Stop the running tunnels to a host.'

  static override description = 'Sends SIGTERM to each recorded tunnel process of HOST (as given to tk tunnel, or its socket or DOCKER_HOST), after checking that the pid is still that tunnel, and waits for it to close its socket.'

  static override examples = ['<%= config.bin %> <%= command.id %> admin@web-1', '<%= config.bin %> <%= command.id %> --all']

  static override enableJsonFlag = true

  static override args = {
    host: Args.string({description: 'The host as given to tk tunnel (see tk tunnel ls).'}),
  }

  static override flags = {
    all: Flags.boolean({summary: 'Stop every running tunnel.'}),
  }

  async run(): Promise<StopResult> {
    const {args, flags} = await this.parse(TunnelStop)
    if (!args.host && !flags.all) throw new UsageError('say which tunnel: tk tunnel stop HOST, or --all')
    const {stopTunnels} = await import('../../proxy/service.js')
    const result = await stopTunnels(flags.all ? undefined : args.host)
    for (const state of result.stopped) this.log(`Stopped the tunnel to ${state.host} on ${state.endpoint} (pid ${state.pid})`)
    return result
  }
}
