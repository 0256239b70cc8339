import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {finishFleet} from '../cli/fleet-output.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {concurrencyFlag, TRANSPORT_ENVIRONMENT, transportFlags, tunnelArgvOf, transportOptions} from '../cli/transport-flags.js'
import {UsageError} from '../errors/index.js'

/** Seconds an on-demand tunnel waits for the next tk docker call before it stops. */
const DOCKER_TUNNEL_IDLE_TIMEOUT = 900

export default class Docker extends TkCommand {
  static override summary = 'Run a docker command against the engine of one host, or of many at once.'

  static override description = `Everything after -- is the docker command's arguments.

One host, with a docker CLI on PATH: the local CLI runs against the host's tunnel (tk tunnel), which tk starts in the background when none runs for that host and leaves running for the next calls: it stops by itself after 15 minutes without use (--tunnel-idle-timeout), or with tk tunnel stop HOST. Local files work: docker cp, docker build . and --env-file read the workstation's files. A bind mount (-v /path:/dest) names a path on the host, not on the workstation.
A tunnel that has lost its connection (it reconnects with backoff) is not handed to docker blindly: tk first connects to the host itself, and a host it cannot reach (a sandbox machine that was removed, sshd down, a key refused) fails at once with tk's one line and exit code.
One host, without a docker CLI on PATH (or --remote): docker ARGS runs on the host over SSH; with -t/-it from a terminal it gets a pty.
Either way stdin, stdout and stderr pass through and tk exits with docker's exit code.

Several hosts (names, @group, @all or --all): docker ARGS runs on each host over SSH in parallel, every line prefixed with its host, then a summary of exit codes on stderr; tk exits 0 when every host exited 0, else 1 (or the connection class's code when every failure was the same).

${TRANSPORT_ENVIRONMENT}

Exit codes besides docker's:
${exitCodeTable(['USAGE', 'CONNECTION', 'AUTH', 'HOST_KEY', 'ENVIRONMENT'])}`

  static override examples = [
    {description: 'Containers on web-1', command: '<%= config.bin %> <%= command.id %> web-1 -- ps'},
    {description: 'A shell in a new container', command: '<%= config.bin %> <%= command.id %> web-1 -- run -it --rm debian bash'},
    {description: 'Build from the current directory on the host\'s engine', command: '<%= config.bin %> <%= command.id %> web-1 -- build -t app .'},
    {description: 'Disk use of every engine of the group web', command: '<%= config.bin %> <%= command.id %> @web -- system df'},
    {description: 'Prune unused images on every host of tk.yml', command: '<%= config.bin %> <%= command.id %> --all -- image prune -f'},
  ]

  static override strict = false

  static override usage = ['<%= command.id %> HOST... [FLAGS] -- DOCKER_ARGS...', '<%= command.id %> --all [FLAGS] -- DOCKER_ARGS...']

  static override flags = {
    all: Flags.boolean({summary: 'Every host of tk.yml (the same as @all).'}),
    remote: Flags.boolean({summary: 'Run docker on the host over SSH even when a local docker CLI is on PATH.', env: 'TK_DOCKER_REMOTE'}),
    concurrency: concurrencyFlag('run on'),
    'tunnel-idle-timeout': Flags.integer({
      summary: 'A tunnel tk docker starts stops by itself once unused for this many seconds (0: it runs until tk tunnel stop).',
      env: 'TK_DOCKER_TUNNEL_IDLE_TIMEOUT',
      min: 0,
      default: DOCKER_TUNNEL_IDLE_TIMEOUT,
      helpValue: 'SECONDS',
    }),
    ...transportFlags,
  }

  async run(): Promise<void> {
    // oclif drops "--" and may reorder arguments, so docker's arguments are cut from the raw argv first.
    const raw = [...this.argv]
    const separator = raw.indexOf('--')
    if (separator < 0 || separator === raw.length - 1) {
      throw new UsageError('no docker command given: put it after --, as in tk docker HOST -- ps')
    }
    const dockerArgs = raw.slice(separator + 1)
    const {argv, flags} = await this.parse(Docker, raw.slice(0, separator))
    const hosts = flags.all ? [...(argv as string[]), '@all'] : (argv as string[])
    if (hosts.length === 0) throw new UsageError('no host given: tk docker HOST... -- ARGS (or --all)')

    const {findConfigFile} = await import('../config/locate.js')
    const {runDocker} = await import('../exec/docker.js')
    const outcome = await runDocker({
      hosts,
      dockerArgs,
      configPath: flags.config,
      project: findConfigFile({path: flags.config}),
      remote: flags.remote,
      tunnelArgv: [...tunnelArgvOf(flags), '--idle-timeout', String(flags['tunnel-idle-timeout'])],
      concurrency: flags.concurrency,
      transport: transportOptions(flags, (message) => this.warn(message)),
      onTunnelStarted: (message) => process.stderr.write(`tk: ${message}\n`),
    })
    if (!outcome.fleet) {
      process.exitCode = outcome.exitCode
      return
    }
    const {renderExitSummary} = await import('../render/exit-summary.js')
    process.stderr.write(renderExitSummary(outcome.fleet.outcomes))
    finishFleet(outcome.fleet)
  }
}
