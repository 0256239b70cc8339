import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {finishFleet, jsonLines, jsonLinesFlag} from '../cli/fleet-output.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {concurrencyFlag, TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../cli/transport-flags.js'
import {BugError, UsageError, userErrorOf} from '../errors/index.js'
import type {ExecJsonHost} from '../exec/index.js'
import type {FleetCounts} from '../fleet/result.js'

export default class Exec extends TkCommand {
  static override summary = 'Run a command on one or more hosts over SSH.'

  static override description = `Everything after -- is the command, run by the remote user's POSIX sh. Output streams as it comes.

One host: stdout and stderr pass through untouched and tk exits with the remote command's exit code.
Several hosts: they run in parallel, every line is prefixed with its host, and a summary of exit codes follows on stderr; tk exits 0 when every host exited 0, else 1 (or the connection class's code when every failure was the same).

--json (before --): nothing streams; one JSON document follows with each host's exitCode, stdout, stderr (UTF-8) and durationMs, or its error; tk exits as without --json.
--json-lines (before --): the same host objects, one line each as each host finishes, then a line {"summary": ...}: for tools that read a fleet's results as they come.

${TRANSPORT_ENVIRONMENT}

Exit codes besides the remote command's:
${exitCodeTable(['USAGE', 'CONNECTION', 'AUTH', 'HOST_KEY', 'PRIVILEGE'])}`

  static override examples = [
    {description: 'Kernel of one host', command: '<%= config.bin %> <%= command.id %> admin@web-1 -- uname -r'},
    {description: 'Disk use on three hosts at once', command: '<%= config.bin %> <%= command.id %> web-1 web-2 db -- df -h /'},
    {description: 'Every host of the tk.yml group web', command: '<%= config.bin %> <%= command.id %> @web -- docker ps'},
    {description: 'As root (sudo when the login user is not root)', command: '<%= config.bin %> <%= command.id %> --sudo web-1 -- systemctl restart docker'},
    {description: 'Feed a file to the remote command', command: '<%= config.bin %> <%= command.id %> --stdin web-1 -- "cat > /tmp/app.env" < app.env'},
    {description: 'Each host\'s exit code, stdout, stderr and duration as JSON', command: '<%= config.bin %> <%= command.id %> --json @web -- systemctl is-active docker'},
    {description: 'The same, a line per host as each finishes (for jq, or a tool that streams)', command: '<%= config.bin %> <%= command.id %> --json-lines @all -- uptime | jq -c \'select(.exitCode != 0)\''},
  ]

  static override enableJsonFlag = true

  static override strict = false

  static override usage = ['<%= command.id %> HOST... [FLAGS] -- COMMAND...']

  static override flags = {
    sudo: Flags.boolean({summary: 'Run the command as root: directly as root, else with sudo (TK_SUDO_PASSWORD when sudo asks).'}),
    stdin: Flags.boolean({summary: 'Send tk\'s standard input to the remote command (one host only).'}),
    timeout: Flags.integer({summary: 'Stop the remote command after this many seconds (exit 124).', min: 1, helpValue: 'SECONDS'}),
    concurrency: concurrencyFlag('run on'),
    'json-lines': jsonLinesFlag(),
    ...transportFlags,
  }

  async run(): Promise<{hosts: ExecJsonHost[]; summary: FleetCounts} | void> {
    // oclif drops "--" and may reorder arguments, so the command is cut from the raw argv first.
    const raw = [...this.argv]
    const separator = raw.indexOf('--')
    if (separator < 0 || separator === raw.length - 1) {
      throw new UsageError('no command given: put it after --, as in tk exec HOST -- uname -r')
    }
    const command = raw.slice(separator + 1).join(' ')
    const {argv, flags} = await this.parse(Exec, raw.slice(0, separator))
    const hosts = argv as string[]
    if (hosts.length === 0) throw new UsageError('no host given: tk exec HOST... -- COMMAND')
    if (flags.stdin && hosts.length > 1) throw new UsageError('--stdin works with one host only')

    const stdin = flags.stdin ? await readAll(process.stdin) : undefined
    const {selectTargets} = await import('../fleet/host-connector.js')
    const targets = await selectTargets(hosts, flags.config, {reachOnly: true})
    const {execOnHosts, execJsonHost} = await import('../exec/index.js')
    const lines = jsonLines<ExecJsonHost>(flags['json-lines'])
    const fleet = await execOnHosts(targets, command, {
      asRoot: flags.sudo,
      stdin,
      timeoutMs: flags.timeout === undefined ? undefined : flags.timeout * 1000,
      concurrency: flags.concurrency,
      transport: transportOptions(flags, (message) => this.warn(message)),
      stdout: process.stdout,
      stderr: process.stderr,
      prefix: targets.length > 1,
      capture: this.jsonEnabled() || Boolean(lines),
      ...(lines ? {onDone: (outcome) => lines.host(execJsonHost(outcome))} : {}),
    })

    if (lines) {
      const [outcome] = fleet.outcomes
      if (targets.length === 1 && outcome.status === 'ok') process.exitCode = outcome.value.code
      else finishFleet(fleet)
      return lines.end({summary: fleet.summary})
    }

    if (this.jsonEnabled()) {
      const {execJsonHosts} = await import('../exec/index.js')
      const hosts = execJsonHosts(fleet.outcomes)
      const [outcome] = fleet.outcomes
      if (targets.length === 1 && outcome.status === 'ok') {
        process.exitCode = outcome.value.code
        return {hosts, summary: fleet.summary}
      }
      return {hosts, summary: finishFleet(fleet).summary}
    }

    if (targets.length === 1) {
      const [outcome] = fleet.outcomes
      if (outcome.status === 'failed') throw userErrorOf(outcome.error.exitCode, outcome.error.message, {hint: outcome.error.hint})
      if (outcome.status === 'skipped') throw new BugError(`${outcome.target} was skipped alone: ${outcome.reason}`)
      if (outcome.value.timedOut) process.stderr.write(`tk: the command timed out after ${flags.timeout} s and was stopped\n`)
      process.exitCode = outcome.value.code
      return
    }

    const {renderExitSummary} = await import('../render/exit-summary.js')
    process.stderr.write(renderExitSummary(fleet.outcomes))
    finishFleet(fleet)
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks)
}
