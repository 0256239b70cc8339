import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {concurrencyFlag, lockWaitFlag, TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../cli/transport-flags.js'
import {finishFleet, jsonLines, jsonLinesFlag} from '../cli/fleet-output.js'
import {DEFAULT_CONCURRENCY} from '../fleet/runner.js'
import {makeStyle, useColor} from '../render/style.js'
import type {UpFleetResult, UpHostJson} from '../up/index.js'

export default class Up extends TkCommand {
  static override summary = 'Bring every host of tk.yml to the state it describes: engine, daemon configuration, docker users, your provisioners.'

  static override description = `Run in a repository that holds a tk.yml (or name one with --config). Each selected host, in parallel:
  1. its lock is taken (/var/lib/tk/up.lock: one tk up per host at a time; another run waits up to --wait seconds),
  2. the engine is brought to tk.yml's engine: section, as tk provision does (check, install, service, daemon.json, docker group, verify),
  3. its provisioners run in file order: file and docker ones are compared with the host on every run and put back where they drifted (drift: ignore opts out); shell ones run once or always (--rerun NAME runs one again),
  4. what ran is recorded on the host in /var/lib/tk/state.json (read by tk status, and by the next tk up from any checkout).
A host that fails stops there and the others go on. A second tk up on a converged fleet changes nothing.

Quick runs: after a full check that changed nothing, tk records the host's fingerprint (the inodes, sizes, times and modes of the files the check reads and of the provisioners' files, the boot, the engine's process). The next tk up within an hour, with the same tk.yml, that finds the same fingerprint and the same containers skips the full check: no facts, no sudo, one round trip. Anything changed on the host, in tk.yml or a provisioner's sources, and every run an hour after the last full check, is checked in full. --full checks every host in full now. See docs/up.md.

A swarm node whose engine must restart (daemon options changed) is drained first through a manager: tk waits until its service tasks run on other nodes, restarts the engine, makes the node active again and waits until it is ready and its global tasks run. Swarm nodes go one at a time, workers first, then managers, never past quorum; a node whose tasks the others cannot take (placement constraints, max replicas per node, reservations) is refused before its engine restarts unless --force-drain. See docs/swarm.md.

--dry-run (and the account of a live run) shows what drifted on each host ("drift: container web missing") and the diffs: daemon.json, each file a file provisioner would change (files that may hold secrets by size and hash only), a container's image and state.

On a terminal every host has a live line (what it is doing, for how long); otherwise a line is printed per change. Then what changed, host by host, and a table. --json prints only the result; --json-lines prints each host's --json element on one line as the host finishes (in a rolling run too), then a line {"summary": ...} with the rest of --json's document (dryRun, swarm), and nothing else on stdout.

${TRANSPORT_ENVIRONMENT}

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT', 'CONFIG', 'CONNECTION', 'AUTH', 'HOST_KEY', 'PRIVILEGE'])}
With several hosts failing for different reasons the exit code is 1.`

  static override examples = [
    {description: 'Converge every host of tk.yml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Only the hosts of the group web, and db-1', command: '<%= config.bin %> <%= command.id %> @web db-1'},
    {description: 'What would change, changing nothing', command: '<%= config.bin %> <%= command.id %> --dry-run'},
    {description: 'Switch web-1 to the engine.method tk.yml now names (docker.io <-> docker-ce), though containers run', command: '<%= config.bin %> <%= command.id %> web-1 --force'},
    {description: 'A careful roll-out: four hosts at a time, stop after the first failure', command: '<%= config.bin %> <%= command.id %> --concurrency 4 --max-fail 1'},
    {description: 'Apply a daemon option to a swarm: each node drained before its engine restarts, then made active again', command: '<%= config.bin %> <%= command.id %> @swarm --serial 1'},
    {description: 'A rolling run: one host at a time, stop at the first host that fails', command: '<%= config.bin %> <%= command.id %> --serial 1'},
    {description: 'Two hosts of the group web at a time, going on after up to three failures', command: '<%= config.bin %> <%= command.id %> @web --serial 2 --max-fail 3'},
    {description: 'Check every host in full, though nothing changed since the last full check (no quick runs)', command: '<%= config.bin %> <%= command.id %> --full'},
    {description: 'Run the shell provisioner migrate again, though it already ran', command: '<%= config.bin %> <%= command.id %> --rerun migrate'},
    {description: 'Converge, and make hosts taken out of tk.yml\'s swarm: section leave the swarm', command: '<%= config.bin %> <%= command.id %> --prune'},
    {description: 'For scripts and CI', command: '<%= config.bin %> <%= command.id %> --json > up.json'},
    {description: 'A line of JSON per host as each converges, then the summary: the hosts that failed, as they fail', command: '<%= config.bin %> <%= command.id %> --json-lines | jq -c \'select(.ok == false)\''},
    {
      description: 'Hosts whose engine method is script, with the install script pinned to the sha256 you reviewed',
      command: '<%= config.bin %> <%= command.id %> --install-script https://get.docker.com --install-script-sha256 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    },
  ]

  static override enableJsonFlag = true

  static override strict = false

  static override args = {
    host: Args.string({description: 'Hosts of tk.yml to converge: names and @groups. Default: every host (@all).'}),
  }

  static override flags = {
    'dry-run': Flags.boolean({summary: 'Print what would change on each host and change nothing (no lock, no state written).'}),
    concurrency: concurrencyFlag('work on', {withDefault: false, more: `Default: tk.yml's ssh.concurrency, else ${DEFAULT_CONCURRENCY}.`}),
    'max-fail': Flags.integer({summary: 'Start no new host once this many have failed (hosts already running finish). Default: no limit; 1 in a rolling run (--serial, serial: in tk.yml).', min: 1, helpValue: 'N'}),
    serial: Flags.integer({
      summary: 'Roll: converge at most N hosts at once (engine restarts, container recreations and their health waits), stopping after the first failure unless --max-fail says otherwise.',
      description: "tk.yml's groups: NAME: serial: N rolls over one group's hosts the same way. A dry run does not roll.",
      min: 1,
      helpValue: 'N',
    }),
    wait: lockWaitFlag(),
    'skip-check': Flags.boolean({summary: 'Go on even when tk check fails on a host.'}),
    full: Flags.boolean({
      summary: 'Check every host in full: no quick runs on hosts whose fingerprint is what the last full check recorded.',
      description: 'A quick run trusts the host\'s fingerprint for up to an hour after a full check that changed nothing; --full reads everything again (the engine\'s facts, tk check, each provisioner\'s files and containers).',
    }),
    force: Flags.boolean({summary: 'Switch a host\'s engine (docker.io <-> docker-ce, as engine.method asks) while containers run.'}),
    'allow-downgrade': Flags.boolean({summary: 'Let a switch between docker.io and docker-ce go to an older engine.'}),
    rerun: Flags.string({
      summary: 'Run this shell provisioner again on the selected hosts, though it already ran (repeatable).',
      description: 'tk cannot see what a script did, so a run: once shell provisioner runs only when its script or environment changed; --rerun runs it on purpose.',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'NAME',
    }),
    'install-script': Flags.string({summary: 'The install script for hosts whose engine method is script: a local file or an https URL.', helpValue: 'FILE|URL'}),
    'install-script-sha256': Flags.string({summary: 'The install script\'s sha256: checked before any host is touched and again on each host before it runs.', helpValue: 'HEX'}),
    'force-drain': Flags.boolean({summary: 'Drain a swarm node whose engine restarts even when the other nodes cannot take all its tasks (quorum is never given up).'}),
    'json-lines': jsonLinesFlag(),
    prune: Flags.boolean({summary: 'Hosts of tk.yml taken out of its swarm: section leave the swarm (managers are demoted first, never past quorum).'}),
    'allow-insecure-script': Flags.boolean({summary: 'Take a plain http:// --install-script URL: what arrives may have been changed on the way, and it runs as root.'}),
    ...transportFlags,
  }

  async run(): Promise<Omit<UpFleetResult, 'exitCode' | 'outcomes' | 'steps'> | void> {
    this.explainInterrupts()
    const {argv, flags} = await this.parse(Up)
    const [up, render, renderSwarm] = await Promise.all([import('../up/index.js'), import('../render/up.js'), import('../render/swarm.js')])
    const {config, targets, installScript} = await up.resolveUpRequest({
      hosts: argv as string[],
      configPath: flags.config,
      installScript: flags['install-script'],
      installScriptSha256: flags['install-script-sha256'],
      allowInsecureScript: flags['allow-insecure-script'],
      rerun: flags.rerun,
    })

    const lines = jsonLines<UpHostJson>(flags['json-lines'])
    // --json and --json-lines: no human output, stdout is the result's alone.
    const quiet = this.jsonEnabled() || Boolean(lines)
    const style = makeStyle(useColor())
    const live = !quiet && Boolean(process.stdout.isTTY) && process.env.TERM !== 'dumb'
    const stepWidth = Math.max(render.MIN_STEP_WIDTH, ...config.provisioners.map((provisioner) => render.stepName({kind: 'provisioner', title: provisioner.type, id: provisioner.name}).length))
    // Whether anything came before the summary: piped output starts with the table when nothing did, not a blank line.
    let printed = false
    const write = (text: string) => {
      printed = true
      process.stdout.write(text)
    }
    const progress = quiet ? undefined : new render.UpProgress(targets.map((target) => target.name), {live, style, write, dryRun: flags['dry-run'], stepWidth})
    // Sandbox machines are made before any host starts: their lines say so, with a clock, instead of "queued".
    if (progress && !flags['dry-run']) for (const target of targets) if (target.provider === 'sandbox') progress.creating(target.name)
    const result = await up.upHosts(targets, {
      config,
      dryRun: flags['dry-run'],
      concurrency: flags.concurrency ?? config.ssh.concurrency,
      maxFail: flags['max-fail'],
      serial: flags.serial,
      waitSeconds: flags.wait,
      skipCheck: flags['skip-check'],
      engineSwitch: {force: flags.force, allowDowngrade: flags['allow-downgrade']},
      rerun: flags.rerun,
      full: flags.full,
      installScript,
      tkVersion: this.config.version,
      transport: transportOptions(flags, (message) => this.warn(message)),
      onStart: (target) => progress?.start(target),
      onActivity: (target, activity) => progress?.activity(target, activity),
      onStep: (target, step) => progress?.step(target, step),
      onDone: (outcome) => progress?.done(outcome),
      onHost: lines?.host,
      prune: flags.prune,
      forceDrain: flags['force-drain'],
      // On a terminal the host's live line shows it (onActivity); otherwise a line each.
      onSwarmProgress: (target, text) => {
        if (!quiet && !live) write(`${target}: ${text}\n`)
      },
      onSwarmAction: (action) => {
        if (quiet) return
        if (live && progress) progress.note(renderSwarm.swarmActionLine(action, style))
        else write(`${renderSwarm.swarmActionLine(action, style)}\n`)
      },
      // The key is shown once, on a terminal only: never in --json or --json-lines, a pipe or a log.
      onUnlockKey: (key, manager) => {
        if (!quiet && process.stdout.isTTY) {
          const text = `\n${style.bold('The swarm is autolocked. Its unlock key, shown this once:')}\n\n    ${key}\n\nStore it in your password manager now: a manager that restarts stays locked until \`docker swarm unlock\` on it is given this key.\n`
          // Above the live block: written under it, the block's next redraw would wipe it.
          if (live && progress) progress.note(text)
          else process.stdout.write(`${text}\n`)
        } else {
          process.stderr.write(`tk: the swarm is autolocked; its unlock key is not printed here (not a terminal): read it on a terminal with \`docker swarm unlock-key\` on ${manager}, and store it\n`)
        }
      },
      // Above the live block on a terminal; else on stderr, even with --json or --json-lines: building an image takes minutes, and stdout stays the result's.
      onSandboxProgress: (event) => {
        const text = `${event.target ? `${event.target}: ` : ''}${event.message}`
        if (event.target) progress?.activity(event.target, event.message.length > 40 ? `${event.message.slice(0, 39)}…` : event.message)
        if (live && progress) progress.note(text)
        else process.stderr.write(`${text}\n`)
      },
    })
    progress?.stop()

    const {outcomes} = result
    if (!quiet) {
      if (live) for (const line of render.renderChanges(outcomes, result.steps, style)) write(`${line}\n`)
      for (const notice of new Set(outcomes.flatMap((outcome) => (outcome.status === 'ok' ? outcome.value.notices : [])))) write(`${style.yellow(`note: ${notice}`)}\n`)
      if (printed) this.log('')
      this.log(render.renderUpSummary(outcomes, style, flags['dry-run']))
      if (result.swarm) {
        const swarmLines = renderSwarm.renderSwarm(result.swarm, style)
        for (const line of swarmLines.out) this.log(line)
        for (const line of swarmLines.err) process.stderr.write(`${line}\n`)
      }
      const failed = outcomes.filter((outcome) => outcome.status !== 'ok').map((outcome) => outcome.target)
      if (failed.length > 0) process.stderr.write(`tk: ${failed.length} of ${outcomes.length} host${outcomes.length === 1 ? '' : 's'} ${flags['dry-run'] ? 'could not be planned' : 'did not converge'}: ${failed.join(', ')}\n`)
    }
    const {steps: _steps, ...rest} = finishFleet(result)
    return lines ? lines.end(rest) : rest
  }
}
