import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {doneLines, finishFleet, jsonLines, jsonLinesFlag, phaseLines} from '../cli/fleet-output.js'
import {lockWaitFlag, TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../cli/transport-flags.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {UsageError} from '../errors/index.js'
import type {RebootFleetResult, RebootHostJson} from '../reboot/index.js'
import {makeStyle, useColor} from '../render/style.js'

export default class Reboot extends TkCommand {
  static override summary = 'Reboot hosts and wait until each is back.'

  static override description = `Each host is rebooted as root (systemctl reboot, else reboot) under its lock, so that no other tk run is changing it meanwhile, and waited for until it answers from its new boot: its boot id changed, or, on a machine that shares its kernel (a container, a sandbox machine), PID 1 started again. Then tk waits for systemd to finish starting and reports how long the host took to go down and come back, its kernel, and systemd's word (running, degraded).

Hosts are rebooted --serial at a time (default 1: never two down at once); after --max-fail failures (default 1) no new host is started. A host that does not go down, or does not come back within --timeout, is a failure that says which.

--json prints only the result; --json-lines prints each host's --json element on one line as the host is back (or failed), then a line {"summary": ...}, and nothing else on stdout.

Sandbox machines start again by themselves after a reboot, keeping their disk, their address on the sandbox network and their host key; tk finds their new SSH port. See docs/reboot.md.

${TRANSPORT_ENVIRONMENT}

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'CONFIG', 'CONNECTION', 'AUTH', 'HOST_KEY', 'PRIVILEGE'])}`

  static override examples = [
    {description: 'Reboot one host and wait for it', command: '<%= config.bin %> <%= command.id %> web-1'},
    {description: 'Reboot a group two hosts at a time, stop after the first failure', command: '<%= config.bin %> <%= command.id %> @web --serial 2'},
    {description: 'Give slow hosts ten minutes each', command: '<%= config.bin %> <%= command.id %> db-1 --timeout 600'},
    {description: 'A line of JSON per host as each is back, then the summary', command: '<%= config.bin %> <%= command.id %> @web --json-lines'},
  ]

  static override enableJsonFlag = true
  static override strict = false

  static override args = {
    host: Args.string({description: 'Hosts: tk.yml names, @groups or user@host:port.', required: false}),
  }

  static override flags = {
    serial: Flags.integer({summary: 'How many hosts are rebooted at once.', default: 1, min: 1, env: 'TK_SERIAL'}),
    'max-fail': Flags.integer({summary: 'Start no new host after this many hosts failed.', default: 1, min: 1, env: 'TK_MAX_FAIL'}),
    timeout: Flags.integer({summary: 'Seconds each host may take to go down and come back.', default: 300, min: 10, helpValue: 'SECONDS'}),
    wait: lockWaitFlag(),
    'json-lines': jsonLinesFlag(),
    ...transportFlags,
  }

  async run(): Promise<Omit<RebootFleetResult, 'exitCode' | 'outcomes'> | void> {
    this.explainInterrupts()
    const {argv, flags} = await this.parse(Reboot)
    const args = argv as string[]
    if (args.length === 0) throw new UsageError('no host given: tk reboot HOST... (names, @groups or user@host:port)', {hint: 'tk reboot @all reboots every host of tk.yml'})
    const [{selectTargets}, {rebootHosts}, render] = await Promise.all([import('../fleet/host-connector.js'), import('../reboot/index.js'), import('../render/reboot.js')])
    const targets = await selectTargets(args, flags.config)
    const style = makeStyle(useColor())
    const width = Math.max(...targets.map((target) => target.name.length))
    const lines = jsonLines<RebootHostJson>(flags['json-lines'])
    const json = this.jsonEnabled() || Boolean(lines)
    const result = await rebootHosts(targets, {
      serial: flags.serial,
      maxFail: flags['max-fail'],
      timeoutMs: flags.timeout * 1000,
      waitSeconds: flags.wait,
      transport: transportOptions(flags, (message) => this.warn(message)),
      onProgress: phaseLines(width, style, json),
      onDone: doneLines((line) => this.log(line), (line) => this.logToStderr(line), json, style, (target, report) => render.rebootLine(target, width, report, style)),
      onHost: lines?.host,
    })
    if (!json) {
      this.log('')
      this.log(render.renderRebootSummary(result.outcomes, style))
    }
    const done = finishFleet(result)
    return lines ? lines.end(done) : done
  }
}
