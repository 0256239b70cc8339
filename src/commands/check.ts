import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {checkConfigFile, checkHost, type CheckReport} from '../check/index.js'
import {TkCommand} from '../cli/base-command.js'
import {ExitCode, exitCodeTable} from '../errors/exit-codes.js'
import {concurrencyFlag, TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../cli/transport-flags.js'
import {UsageError} from '../errors/index.js'
import type {CheckHostJson, FleetCheckResult} from '../check/remote.js'
import {finishFleet, jsonLines, jsonLinesFlag} from '../cli/fleet-output.js'
import {LocalHost} from '../transport/local-host.js'
import {renderCheckReport, renderFleetCheck} from '../render/check.js'
import {makeStyle, useColor} from '../render/style.js'


export default class Check extends TkCommand {
  static override summary = 'Check whether a machine can run a container engine.'

  static override description = `Checks the kernel version (3.8 or newer), 64-bit, cgroups, namespaces, every kernel flag the Docker engine needs, the network and storage drivers, and limits — the checks of moby's check-config.sh and more.

Without HOST, tk checks this machine: its kernel config is read from /proc/config.gz, /boot/config-$(uname -r), /usr/src/linux-$(uname -r)/.config or /usr/src/linux/.config, in that order. With --kernel-config, tk judges that file alone (plain or gzip), gating flags on the kernel version in its header; checks that need a running system are reported as not applicable.

With HOST arguments (a tk.yml host, @group, user@host:port, [v6addr]:port, or an ~/.ssh/config alias), the same checks run on each host over SSH — every fact gathered in one round trip, hosts in parallel — followed by a summary table. With several hosts, the warnings every host shares are listed once, then each host's failures and own warnings; --verbose prints every host's whole report. --json-lines prints each host's --json entry on one line as the host finishes, then a line {"summary": ...}, and nothing else.

A missing optional flag is a warning; only missing required ones fail. See docs/check.md for every check, docs/ssh.md for targets and host keys.

${TRANSPORT_ENVIRONMENT}

Exit codes (with several hosts: 1 when they fail differently):
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT', 'CONNECTION', 'AUTH', 'HOST_KEY'])}`

  static override examples = [
    {description: 'Check this machine', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Judge a kernel config file before booting it', command: '<%= config.bin %> <%= command.id %> --kernel-config /boot/config-6.1.0-28-amd64'},
    {description: 'Check three servers over SSH', command: '<%= config.bin %> <%= command.id %> admin@web-1 admin@web-2:2222 db'},
    {description: "Every host's whole report", command: '<%= config.bin %> <%= command.id %> @web --verbose'},
    {description: 'Machine-readable result, one entry per host', command: '<%= config.bin %> <%= command.id %> web-1 web-2 --json'},
    {description: 'The same, a line per host as each finishes', command: '<%= config.bin %> <%= command.id %> @all --json-lines'},
  ]

  static override enableJsonFlag = true
  static override strict = false

  static override args = {
    host: Args.string({description: 'Hosts to check over SSH: tk.yml names, @groups or user@host:port (default: this machine).'}),
  }

  static override flags = {
    'kernel-config': Flags.string({
      char: 'k',
      summary: 'Judge this kernel config file (plain or gzip) instead of the running machine.',
      env: 'TK_KERNEL_CONFIG',
      helpValue: 'FILE',
    }),
    concurrency: concurrencyFlag('check'),
    verbose: Flags.boolean({char: 'v', summary: "On several hosts, every host's whole report (default: the warnings all hosts share once, then each host's failures and own warnings)."}),
    'json-lines': jsonLinesFlag(),
    ...transportFlags,
  }

  async run(): Promise<CheckReport | Omit<FleetCheckResult, 'exitCode' | 'outcomes'> | void> {
    const {argv, flags} = await this.parse(Check)
    const hosts = argv as string[]
    const style = makeStyle(useColor())
    const lines = jsonLines<CheckHostJson>(flags['json-lines'])
    if (lines && hosts.length === 0) throw new UsageError('--json-lines reports hosts as each finishes: name hosts (tk check --json-lines @all), or use --json for this machine')
    if (hosts.length === 0) {
      const report = flags['kernel-config'] ? await checkConfigFile(flags['kernel-config']) : await checkHost(new LocalHost())
      if (!this.jsonEnabled()) this.log(renderCheckReport(report, style))
      if (report.verdict === 'fail') process.exitCode = ExitCode.FAILED
      return report
    }
    if (flags['kernel-config']) throw new UsageError('--kernel-config judges a local file; it cannot be combined with hosts')

    const {selectTargets} = await import('../fleet/host-connector.js')
    const targets = await selectTargets(hosts, flags.config, {reachOnly: true})
    const {checkHosts, checkHostJson} = await import('../check/remote.js')
    const result = await checkHosts(targets, {
      concurrency: flags.concurrency,
      transport: transportOptions(flags, (message) => this.warn(message)),
      ...(lines ? {onDone: (outcome) => lines.host(checkHostJson(outcome))} : {}),
    })
    if (!this.jsonEnabled() && !lines) this.log(renderFleetCheck(result.outcomes, style, {verbose: flags.verbose}))
    const json = finishFleet(result)
    return lines ? lines.end(json) : json
  }
}
