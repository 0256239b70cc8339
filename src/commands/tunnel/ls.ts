import {TkCommand} from '../../cli/base-command.js'
import type {TunnelState} from '../../proxy/state.js'
import {makeStyle, useColor} from '../../render/style.js'
import {renderTable} from '../../render/table.js'

export default class TunnelList extends TkCommand {
  static override summary = 'List the running tunnels.'

  static override description = 'Tunnels started by this user, foreground or --detach, as their state files record them; records of tunnels that died are removed.'

  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  static override enableJsonFlag = true

  async run(): Promise<{tunnels: TunnelState[]}> {
    await this.parse(TunnelList)
    const {listTunnels} = await import('../../proxy/service.js')
    const tunnels = listTunnels()
    if (tunnels.length === 0) {
      this.log('No tunnel is running.')
    } else {
      const style = makeStyle(useColor(process.stdout))
      const rows = tunnels.map((t) => [t.host, String(t.pid), t.endpoint, t.mode ?? '', t.connected ? `yes (#${t.connections})` : 'reconnecting', t.startedAt.replace('T', ' ').slice(0, 19), t.idleTimeout ? `${t.idleTimeout} s` : 'never'])
      this.log(renderTable(['HOST', 'PID', 'DOCKER_HOST', 'MODE', 'CONNECTED', 'SINCE', 'STOPS WHEN IDLE FOR'], rows, style))
    }
    return {tunnels}
  }
}
