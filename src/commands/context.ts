import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {transportFlags, tunnelArgvOf} from '../cli/transport-flags.js'
import {EnvironmentError, UsageError} from '../errors/index.js'

export default class Context extends TkCommand {
  static override summary = 'Create or update a docker context for a host, so docker --context NAME and IDEs reach its engine.'

  static override description = `The context is named after the host (its tk.yml name; for user@host:port, that text with what docker refuses turned into "-"), or --name. Its endpoint is the running tunnel's socket when a tunnel to HOST runs, else ssh://user@host:port (docker then uses the system's ssh). A sandbox host has no ssh:// fallback: without a running tunnel it is refused, exit 8. A tunnel's default socket path stays the same from one tunnel to the next, so the context works again once tk tunnel HOST --detach (or tk docker HOST) runs. Needs the docker CLI on PATH.

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'CONFIG', 'UNSUPPORTED', 'ENVIRONMENT'])}`

  static override examples = [
    // A second line in an example's command would render as a continuation of tk's line (see tunnel).
    {description: 'Make the context web-1, then use it: docker --context web-1 ps', command: '<%= config.bin %> <%= command.id %> web-1'},
    {description: 'Remove it', command: '<%= config.bin %> <%= command.id %> web-1 --remove'},
  ]

  static override enableJsonFlag = true

  static override args = {
    host: Args.string({description: 'A tk.yml host, user@host:port or an ~/.ssh/config alias.', required: true}),
  }

  static override flags = {
    name: Flags.string({summary: 'The context\'s name. Default: after the host.', helpValue: 'NAME'}),
    remove: Flags.boolean({summary: 'Remove the context instead.'}),
    config: transportFlags.config,
    'ssh-config': transportFlags['ssh-config'],
  }

  async run(): Promise<{context: string; action: 'created' | 'updated' | 'removed'; endpoint?: string}> {
    const {args, flags} = await this.parse(Context)
    const {findLocalDocker} = await import('../proxy/docker-run.js')
    const docker = findLocalDocker()
    if (!docker) throw new EnvironmentError('no docker CLI on PATH: a docker context is the docker CLI\'s', {hint: 'install the docker CLI, or use tk docker HOST -- ARGS'})
    const env = await import('../proxy/docker-env.js')
    const {dockerContext} = await import('../proxy/docker-context.js')
    const name = flags.name ?? env.contextName(args.host)
    if (flags.remove) {
      await dockerContext(docker, ['rm', '--force', name])
      this.log(`Removed the docker context ${name}`)
      return {context: name, action: 'removed'}
    }
    const [{selectTargets}, {findConfigFile}] = await Promise.all([import('../fleet/host-connector.js'), import('../config/locate.js')])
    const targets = await selectTargets([args.host], flags.config, {reachOnly: true})
    if (targets.length !== 1) throw new UsageError(`${args.host} names ${targets.length} hosts: a context points at one`)
    const endpoint = await env.dockerEndpoint(targets[0].name, targets[0], findConfigFile({path: flags.config}), {
      resolve: {sshConfigPath: flags['ssh-config']},
      tunnelArgv: tunnelArgvOf(flags),
      onTunnelStarted: (message) => process.stderr.write(`tk: ${message}\n`),
    })
    const exists = await dockerContext(docker, ['inspect', name], {allowFailure: true})
    const action = exists ? 'updated' : 'created'
    await dockerContext(docker, [exists ? 'update' : 'create', name, '--description', `tk: ${args.host}`, '--docker', `host=${endpoint.url}`])
    this.log(`${exists ? 'Updated' : 'Created'} the docker context ${name} (${endpoint.url})`)
    this.log(`  docker --context ${name} ps`)
    return {context: name, action, endpoint: endpoint.url}
  }
}
