import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../../cli/base-command.js'
import {exitCodeTable} from '../../errors/exit-codes.js'
import {TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../../cli/transport-flags.js'
import {UsageError} from '../../errors/index.js'

export default class Tunnel extends TkCommand {
  static override summary = 'Serve a host\'s Docker engine on a local socket, over one persistent SSH connection.'

  static override description = `Every connection to the local socket becomes a channel to the remote engine socket over one SSH connection, so docker commands start as fast as on the host itself, unlike docker -H ssh:// which opens a new SSH connection and process per command. Streaming and interactive commands (logs -f, attach, run -it, exec -it) work, many at once.

The socket defaults to $XDG_RUNTIME_DIR/tk/HOST.sock (else ~/.local/state/tk/run/, else $TMPDIR/tk-UID/), in a 0700 directory, with mode 0600. Anyone who can open it controls the remote engine, which is root on that host. --port serves 127.0.0.1:PORT instead: any local user can reach that; requests must name a local Host (localhost, 127.0.0.1, [::1], api.moby.localhost) and carry no Origin, so web pages (DNS rebinding) get 403.

The remote user needs access to the engine (root, or the docker group: tk provision HOST --docker-user USER). When the server forbids stream-local forwarding (AllowStreamLocalForwarding no), tk says so and runs docker system dial-stdio in an SSH session per connection instead.

When the connection drops, connections in flight end and tk reconnects with backoff; the socket stays. The tunnel runs until Ctrl-C or SIGTERM, or with --idle-timeout until it has gone unused that long; --detach runs it in the background (tk tunnel ls, tk tunnel stop HOST). See docs/tunnel.md.

${TRANSPORT_ENVIRONMENT}

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'CONNECTION', 'AUTH', 'HOST_KEY', 'PRIVILEGE', 'ENVIRONMENT'])}`

  static override examples = [
    // oclif renders a newline inside an example's command as a shell line continuation, so the
    // docker command that follows is said in the description, never as a second line of the command.
    {description: 'Serve admin@web-1\'s engine; then, in another terminal: export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/tk/admin@web-1.sock and run docker ps', command: '<%= config.bin %> <%= command.id %> admin@web-1'},
    {description: 'In the background, on a socket of your choice', command: '<%= config.bin %> <%= command.id %> web-1 --detach --socket ~/web-1.sock'},
    {description: 'On a loopback TCP port', command: '<%= config.bin %> <%= command.id %> web-1 --port 2375'},
    {description: 'In the background until it has not been used for ten minutes', command: '<%= config.bin %> <%= command.id %> web-1 --detach --idle-timeout 600'},
  ]

  static override enableJsonFlag = true

  static override args = {
    host: Args.string({description: 'A tk.yml host, user@host:port, [v6addr]:port or an ~/.ssh/config alias.', required: true}),
  }

  static override flags = {
    socket: Flags.string({summary: 'Local unix socket to serve (created with mode 0600).', env: 'TK_TUNNEL_SOCKET', helpValue: 'PATH', exclusive: ['port']}),
    port: Flags.integer({summary: 'Serve on 127.0.0.1:PORT instead of a unix socket (0 picks a free port).', env: 'TK_TUNNEL_PORT', min: 0, max: 65_535, helpValue: 'PORT', exclusive: ['socket']}),
    'engine-socket': Flags.string({summary: 'The engine socket on the host. Default: the unix:// host in /etc/docker/daemon.json, else /var/run/docker.sock.', helpValue: 'PATH'}),
    'idle-timeout': Flags.integer({
      summary: 'Stop once no docker connection has been open for this many seconds (0: run until stopped).',
      description: 'An open connection (docker logs -f, attach, a running docker run -it) counts as use however long it lasts. tk docker starts its tunnels with this set (its --tunnel-idle-timeout).',
      env: 'TK_TUNNEL_IDLE_TIMEOUT',
      min: 0,
      default: 0,
      helpValue: 'SECONDS',
    }),
    detach: Flags.boolean({char: 'd', summary: 'Run in the background; its log goes to ~/.local/state/tk/tunnels/HOST.log.'}),
    ...transportFlags,
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(Tunnel)
    if (flags['engine-socket'] && !flags['engine-socket'].startsWith('/')) {
      throw new UsageError(`--engine-socket must be an absolute path, not ${flags['engine-socket']}`)
    }
    const service = await import('../../proxy/service.js')
    // One tunnel per host: one already running (tk docker started it, or another tk tunnel) is the answer, unless another endpoint is asked for.
    if (!flags.socket && flags.port === undefined) {
      const [{runningTunnel}, {findConfigFile}] = await Promise.all([import('../../proxy/docker-run.js'), import('../../config/locate.js')])
      const running = runningTunnel(args.host, findConfigFile({path: flags.config}))
      if (running) {
        this.log(`A tunnel to ${running.host} already runs on ${running.endpoint} (pid ${running.pid}); tk tunnel stop ${running.host} ends it`)
        this.log(`  export DOCKER_HOST=${running.endpoint}`)
        return running
      }
    }
    if (flags.detach) {
      const argv = this.argv.filter((arg) => arg !== '--detach' && arg !== '-d' && arg !== '--json')
      const state = await service.detachTunnel(args.host, argv)
      this.log(`Tunnel to ${state.host} on ${state.endpoint} (pid ${state.pid}, log ${state.log})`)
      this.log(`  export DOCKER_HOST=${state.endpoint}`)
      return state
    }
    const log = (line: string) => process.stderr.write(`tk tunnel: ${new Date().toISOString()} ${line}\n`)
    return service.runTunnel({
      host: args.host,
      socket: flags.socket,
      port: flags.port,
      engineSocket: flags['engine-socket'],
      config: flags.config,
      transport: transportOptions(flags, (message) => log(`warning: ${message}`)),
      out: (line) => this.log(line),
      log,
      idleTimeout: flags['idle-timeout'],
    })
  }
}
