import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {concurrencyFlag, lockWaitFlag, TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../cli/transport-flags.js'
import {fetchViaFlag} from '../cli/fetch-flag.js'
import {doneLines, finishFleet, jsonLines, jsonLinesFlag, phaseLines} from '../cli/fleet-output.js'
import {failureLine} from '../render/fleet.js'
import type {UpgradeFleetResult, UpgradeHostJson} from '../upgrade/index.js'
import type {KernelFleetResult, KernelHostJson} from '../upgrade/kernel.js'
import {makeStyle, useColor} from '../render/style.js'

export default class Upgrade extends TkCommand {
  static override summary = 'Move the Docker engine on hosts to a newer version within a range, one host at a time.'

  static override description = `For each host, in turn: refresh its package lists, then move docker.io (and docker-cli where installed) to the newest version its sources offer within --engine-version, and containerd, runc and tini to apt's candidates. Without --engine-version the range keeps the installed major (^20 for docker.io 20.10.24+dfsg1-1+deb12u1). Versions are ordered as dpkg orders them; the range is matched against the upstream version (20.10.24 in 20.10.24+dfsg1-1+deb12u1+b6).

A move to an older version is refused unless --allow-downgrade. The packages' own restarts are held back: tk restarts the engine once, after all of them, and waits for docker info to answer (--health-timeout). When it does not, tk shows the engine's journal, puts the previous versions back where the sources still offer them and starts the engine again.

With --kernel, tk upgrades the host's kernel instead: on Debian the backports metapackage of the running kernel's flavour (linux-image-amd64, -cloud-amd64, -arm64 ...) installed as PACKAGE/RELEASE-backports so that nothing else comes from backports (the backports source is added when missing, and stays: the kernel's security updates come from it); on Ubuntu LTS the HWE metapackage. Then the host is rebooted (as tk reboot does), and its running kernel read again: a kernel that did not change (a container, a bootloader that booted the old one) is a failure that says so. A host with no newer kernel (bullseye: its backports are gone) is left as it is, said plainly. See docs/upgrade.md.

Swarm nodes keep their services up: before a node's engine restarts, tk checks that the other nodes can take its service tasks (placement constraints, max replicas per node, reservations) and that its managers keep quorum — refusing before anything happens otherwise (--force-drain drains anyway, never past quorum) — drains it through a manager, waits until its tasks run on other nodes, upgrades it, makes it active again and waits until it is ready and its global tasks run. Swarm nodes go one at a time whatever --serial says, workers first, then managers; tk.yml's swarm managers are asked even when not upgraded. Plain containers are not moved. See docs/swarm.md.

Hosts are upgraded --serial at a time (default 1); after --max-fail failures (default 1) no new host is started and the rest are reported as skipped. --dry-run shows each package's from -> to per host and changes nothing but the package lists; it asks --concurrency hosts at once (default 16) and reports every host, since nothing rolls. See docs/upgrade.md.

--json prints only the result; --json-lines prints each host's --json element on one line as the host is done (upgraded, failed or skipped), then a line {"summary": ...}, and nothing else on stdout (with --kernel too).

${TRANSPORT_ENVIRONMENT}

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'CONFIG', 'CONNECTION', 'AUTH', 'HOST_KEY', 'UNSUPPORTED', 'PRIVILEGE'])}`

  static override examples = [
    {description: 'See what would move, change nothing', command: '<%= config.bin %> <%= command.id %> @web --dry-run'},
    {description: 'Upgrade within the installed major, one host at a time', command: '<%= config.bin %> <%= command.id %> web-1 web-2 web-3'},
    {description: "Install the release's newer kernel (Debian backports) and reboot, one host at a time", command: '<%= config.bin %> <%= command.id %> web-1 --kernel'},
    {description: 'Name the kernel package each host would get, change nothing', command: '<%= config.bin %> <%= command.id %> @all --kernel --dry-run'},
    {description: 'Hosts that cannot reach their package sources: fetch through this machine', command: '<%= config.bin %> <%= command.id %> @web --fetch-via workstation'},
    {description: 'Roll the engine across a swarm: each node drained, upgraded and made active again, workers first', command: '<%= config.bin %> <%= command.id %> @swarm'},
    {description: "Upgrade a node though the others cannot take all its tasks (they stop until it is back)", command: '<%= config.bin %> <%= command.id %> db-1 --force-drain'},
    {description: 'Move to engine 26 or 27, two hosts at a time, stop after two failures', command: "<%= config.bin %> <%= command.id %> @web --engine-version '>=26 <28' --serial 2 --max-fail 2"},
    {description: 'A line of JSON per host as each is upgraded, then the summary', command: '<%= config.bin %> <%= command.id %> @web --json-lines'},
  ]

  static override enableJsonFlag = true
  static override strict = false

  static override args = {
    host: Args.string({description: 'Hosts to upgrade, in this order: tk.yml names, @groups or user@host:port.', required: true}),
  }

  static override flags = {
    'engine-version': Flags.string({
      summary: "The engine versions to allow: a semver range of docker.io's upstream version (default: the installed major).",
      helpValue: 'RANGE',
      env: 'TK_ENGINE_VERSION',
    }),
    'allow-downgrade': Flags.boolean({summary: 'Let a package move to an older version than the one installed.'}),
    kernel: Flags.boolean({summary: "Upgrade the kernel instead of the engine: the release's newer kernel, then a reboot.", exclusive: ['engine-version', 'allow-downgrade']}),
    'reboot-timeout': Flags.integer({summary: 'With --kernel: seconds each host may take to go down and come back.', default: 600, min: 10, helpValue: 'SECONDS'}),
    serial: Flags.integer({summary: 'How many hosts to upgrade at once.', default: 1, min: 1, env: 'TK_SERIAL'}),
    'max-fail': Flags.integer({summary: 'Start no new host after this many hosts failed.', default: 1, min: 1, env: 'TK_MAX_FAIL'}),
    'health-timeout': Flags.integer({summary: 'Seconds the engine has to answer docker info after its restart.', default: 60, min: 1, helpValue: 'SECONDS'}),
    'force-drain': Flags.boolean({summary: 'Drain a swarm node even when the other nodes cannot take all its tasks (quorum is never given up).'}),
    'fetch-via': fetchViaFlag(),
    'dry-run': Flags.boolean({summary: 'Show each host\'s package moves and change nothing; hosts are asked in parallel (--concurrency), not --serial.'}),
    concurrency: concurrencyFlag('ask at once during --dry-run'),
    wait: lockWaitFlag(),
    'json-lines': jsonLinesFlag(),
    ...transportFlags,
  }

  async run(): Promise<Omit<UpgradeFleetResult | KernelFleetResult, 'exitCode' | 'outcomes'> | void> {
    this.explainInterrupts()
    const {argv, flags} = await this.parse(Upgrade)
    if (flags.kernel) return this.kernel(argv as string[], flags)
    const [{selectTargets}, {parseEngineRange}, {upgradeHosts, UpgradeFailed}, render] = await Promise.all([
      import('../fleet/host-connector.js'),
      import('../engine/version-range.js'),
      import('../upgrade/index.js'),
      import('../render/upgrade.js'),
    ])
    const range = flags['engine-version'] === undefined ? undefined : parseEngineRange(flags['engine-version'])
    const targets = await selectTargets(argv as string[], flags.config)
    const swarmHosts = await this.swarmHosts(flags.config)
    const style = makeStyle(useColor())
    const width = Math.max(...targets.map((target) => target.name.length))
    const lines = jsonLines<UpgradeHostJson>(flags['json-lines'])
    const quiet = this.jsonEnabled() || Boolean(lines)
    const result = await upgradeHosts(targets, {
      range,
      allowDowngrade: flags['allow-downgrade'],
      dryRun: flags['dry-run'],
      healthTimeoutS: flags['health-timeout'],
      fetch: flags['fetch-via'],
      serial: flags.serial,
      concurrency: flags.concurrency,
      maxFail: flags['max-fail'],
      waitSeconds: flags.wait,
      onWait: (target, holder) => process.stderr.write(`${target}: waiting for the host's lock (held by ${holder})\n`),
      swarmHosts,
      forceDrain: flags['force-drain'],
      onSwarmProgress: (target, text) => process.stderr.write(`${target}: ${text}\n`),
      transport: transportOptions(flags, (message) => this.warn(message)),
      onStep: (target, outcome) => this.log(render.upgradeStepLine(target, width, outcome, style)),
      onDone: (outcome) => {
        if (outcome.status === 'ok') {
          if (outcome.value.changed > 0) for (const line of render.packageLines(width, outcome.value.packages, style)) this.log(line)
        } else if (outcome.status === 'failed' && !quiet) {
          this.logToStderr(failureLine(outcome.target, outcome.error, style))
          if (outcome.cause instanceof UpgradeFailed) for (const line of render.journalLines(width, outcome.cause.details.journal, style)) this.logToStderr(line)
        }
      },
      onHost: lines?.host,
    })

    if (!quiet) {
      this.log('')
      this.log(render.renderUpgradeSummary(result.outcomes, style, flags['dry-run']))
    }
    const done = finishFleet(result)
    return lines ? lines.end(done) : done
  }

  /** tk.yml's swarm hosts (its managers drain the nodes upgraded), when tk.yml has a swarm: section. */
  private async swarmHosts(configPath: string | undefined): Promise<Array<import('../targets/index.js').Target>> {
    const [{loadConfig}, {hostTarget}] = await Promise.all([import('../config/index.js'), import('../targets/index.js')])
    const config = await loadConfig({path: configPath})
    if (!config?.swarm) return []
    return config.swarm.nodes.flatMap((node) => {
      const host = config.hosts.find((each) => each.name === node.name)
      return host ? [hostTarget(host, config.file)] : []
    })
  }

  /** tk upgrade --kernel: the newer kernel, a reboot, the kernel read again. */
  private async kernel(hosts: string[], flags: {config?: string; serial: number; 'max-fail': number; 'dry-run': boolean; 'json-lines': boolean; concurrency?: number; wait?: number; 'reboot-timeout': number} & Parameters<typeof transportOptions>[0]): Promise<Omit<KernelFleetResult, 'exitCode' | 'outcomes'> | void> {
    const [{selectTargets}, {upgradeKernels}, render] = await Promise.all([import('../fleet/host-connector.js'), import('../upgrade/kernel.js'), import('../render/upgrade.js')])
    const targets = await selectTargets(hosts, flags.config)
    const style = makeStyle(useColor())
    const width = Math.max(...targets.map((target) => target.name.length))
    const lines = jsonLines<KernelHostJson>(flags['json-lines'])
    const json = this.jsonEnabled() || Boolean(lines)
    const result = await upgradeKernels(targets, {
      dryRun: flags['dry-run'],
      serial: flags.serial,
      concurrency: flags.concurrency,
      maxFail: flags['max-fail'],
      timeoutMs: flags['reboot-timeout'] * 1000,
      waitSeconds: flags.wait,
      transport: transportOptions(flags, (message) => this.warn(message)),
      onProgress: phaseLines(width, style, json),
      onDone: doneLines((line) => this.log(line), (line) => this.logToStderr(line), json, style, (target, value) => render.kernelLine(target, width, value, style)),
      onHost: lines?.host,
    })
    if (!json) {
      this.log('')
      this.log(render.renderKernelSummary(result.outcomes, style, flags['dry-run']))
    }
    const done = finishFleet(result)
    return lines ? lines.end(done) : done
  }
}
