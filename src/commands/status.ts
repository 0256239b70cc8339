import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {concurrencyFlag, TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../cli/transport-flags.js'
import {finishFleet, jsonLines, jsonLinesFlag} from '../cli/fleet-output.js'
import type {HostStatus, StatusResult} from '../status/gather.js'

export default class Status extends TkCommand {
  static override summary = 'Show a table of hosts: reachable, OS, kernel, engine, daemon, docker group, last tk up.'

  static override description = `One row per host, gathered in parallel with one SSH connection and one short read-only script per host (no root needed); a running engine the login user may use is asked its version over the same connection:

  NAME, ADDRESS    the tk.yml name (or the target as typed) and user@host:port as reached
  REACHABLE        yes, or no and why in a word: refused, timeout, auth, host key, dns...
  OS, KERNEL       os-release's PRETTY_NAME and the running kernel
  ENGINE           the engine's version: the daemon's own answer, else the installed package's, marked (installed)
  DAEMON           running, stopped, not installed, or not answering (dockerd runs but its API does not answer);
                   "(no access)" when the login user may not use the engine (not root, not in the docker group)
  DOCKER GROUP     the docker group's members
  LAST UP          the last tk up on the host (its /var/lib/tk/state.json): how long ago, by whom, ok or failed; or never

On a terminal narrower than the table, OS loses its codename and LAST UP its "by", then columns are left out (KERNEL, DOCKER GROUP, ADDRESS, OS, MACHINE, LAST UP in that order) and a last line says which; --wide shows them all. Output that is not a terminal always has every column.

After the table, for tk.yml hosts with file or docker provisioners: what drifted on the host since tk up applied them, a line each ("~ web-1: web: container web missing", "~ web-1: site: 1 file changed on the host (content of index.html)"); reading it takes root (sudo) on those hosts, and a host where root is refused says "drift not checked" without failing its row.

--json prints only the result; --json-lines prints each host's --json element on one line as soon as the host has answered (a swarm node's once its managers' node list is read, after every host answered), then a line {"summary": ...} with the swarms, and nothing else on stdout.

Without HOST, every host in tk.yml (@all). Unreachable hosts are rows, and why each is follows the table. A status never changes a host: a stopped engine is not started by asking it.

${TRANSPORT_ENVIRONMENT}

Exit codes: 0 when every host was reached and answered; otherwise the code the failures share, or 1 when they differ:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT', 'CONFIG', 'CONNECTION', 'AUTH', 'HOST_KEY', 'UNSUPPORTED'])}`

  static override examples = [
    {description: 'Every host in tk.yml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The hosts of one group, and a machine not in tk.yml', command: '<%= config.bin %> <%= command.id %> @web admin@10.0.0.7:2222'},
    {description: 'Every column in full on a narrow terminal', command: '<%= config.bin %> <%= command.id %> --wide'},
    {description: 'Machine-readable, one entry per host', command: '<%= config.bin %> <%= command.id %> --json'},
    {description: 'A line of JSON per host as each answers: the unreachable ones', command: '<%= config.bin %> <%= command.id %> @all --json-lines | jq -c \'select(.reachable == false)\''},
    {description: 'Give up on a silent host after 3 seconds', command: '<%= config.bin %> <%= command.id %> --connect-timeout 3'},
  ]

  static override enableJsonFlag = true
  static override strict = false

  static override args = {
    host: Args.string({description: 'Hosts to show: tk.yml names, @groups or user@host:port (default: every tk.yml host).'}),
  }

  static override flags = {
    concurrency: concurrencyFlag('ask'),
    wide: Flags.boolean({
      summary: 'Every column in full, however wide the terminal (output that is not a terminal always has them).',
    }),
    'json-lines': jsonLinesFlag(),
    ...transportFlags,
  }

  async run(): Promise<Omit<StatusResult, 'exitCode' | 'outcomes'> | void> {
    const {argv, flags} = await this.parse(Status)
    const [{gatherStatus, statusTargets}, {statusDriftCheck}] = await Promise.all([import('../status/gather.js'), import('../up/drift.js')])
    const {targets, config} = await statusTargets(argv as string[], flags.config)
    const drift = targets.some((target) => target.host) ? statusDriftCheck(config) : undefined
    const lines = jsonLines<HostStatus>(flags['json-lines'])
    const result = await gatherStatus(targets, {
      onHost: lines?.host,
      concurrency: flags.concurrency,
      ...(drift ? {drift} : {}),
      transport: transportOptions(flags, (message) => this.warn(message)),
    })
    if (!this.jsonEnabled() && !lines) {
      const [{renderStatus}, {makeStyle, useColor}] = await Promise.all([import('../render/status.js'), import('../render/style.js')])
      // On a terminal the table fits its width (columns shortened, then left out); piped, every column.
      const width = process.stdout.isTTY && !flags.wide ? process.stdout.columns : undefined
      this.log(renderStatus(result, makeStyle(useColor()), {width}))
    }
    const json = finishFleet(result)
    return lines ? lines.end(json) : json
  }
}
