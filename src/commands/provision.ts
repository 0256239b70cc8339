import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../cli/base-command.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {concurrencyFlag, lockWaitFlag, TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../cli/transport-flags.js'
import {fetchViaFlag} from '../cli/fetch-flag.js'
import {repositoryFlags, repositoryRequest} from '../cli/repository-flags.js'
import {finishFleet, jsonLines, jsonLinesFlag} from '../cli/fleet-output.js'
import type {ProvisionFleetResult, ProvisionHostJson} from '../provision/index.js'
import {makeStyle, useColor} from '../render/style.js'


export default class Provision extends TkCommand {
  static override summary = 'Install the Docker engine on hosts over SSH and give users access to it.'

  static override description = `For each host, in parallel: gather facts in one round trip, check the host (as tk check does), then only the steps that have something to do — load missing kernel modules, install the engine, enable and start its service, add users to the docker group — and verify the engine answers. A second run changes nothing.

Methods: distro (default) installs from the host's own apt sources on Debian and Ubuntu (docker.io with containerd, runc and, on Debian 13+, docker-cli). docker adds Docker's apt repository (or a mirror: --repository; its key checked by fingerprint) and installs docker-ce, docker-ce-cli, containerd.io and the plugins from it, pinned so that the host's own apt upgrade does not move them (tk upgrade does); see docs/provision.md. script runs an install script you name (a local file or an http(s) URL, get.docker.com style) as root. An engine that is already installed, from any source, is adopted and never reinstalled, with one exception: docker.io asked for --method docker (or docker-ce asked for --method distro) is switched, keeping images, containers, volumes, networks, swarm state and daemon.json; the old package is purged with its hook that deletes /var/lib/docker neutralised. The switch restarts the engine: refused while containers run unless --force, and refused to an older engine unless --allow-downgrade (docs/provision.md).

Engine daemon options: --daemon-opt KEY=VALUE (repeatable; log-opts.max-size=10m, live-restore=true, 'default-address-pools=[{"base":"10.20.0.0/16","size":24}]') and --daemon-config FILE are merged over the host's /etc/docker/daemon.json, keeping its other keys. tk refuses, before writing anything, unknown keys, wrong value types, keys the engine unit already sets as flags (hosts against -H fd://) and what dockerd --validate rejects (engine 23.0+); it backs the file up, writes it atomically, restarts the engine only when the content changed and puts the old file back if the engine does not answer again. Changing storage-driver or data-root where images or containers exist needs --force. See docs/daemon-config.md.

The login user, when not root, joins the docker group (--no-login-user to skip); --docker-user adds others. Members of the docker group are root-equivalent on the host.

A host of tk.yml (a name or @group) starts from its engine: settings in the file, as tk up converges it; flags given on the command line win (--method, --engine-version, --compose/--no-compose replace, --docker-user adds, daemon options merge key by key over the file's). A raw target gets the flags alone.

--json prints only the result. --json-lines prints each host's --json element on one line as the host finishes, then a line {"summary": ...}, and nothing else on stdout (exit code as with --json).

${TRANSPORT_ENVIRONMENT}

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT', 'CONFIG', 'CONNECTION', 'AUTH', 'HOST_KEY', 'UNSUPPORTED', 'PRIVILEGE'])}`

  static override examples = [
    {description: 'Provision two servers', command: '<%= config.bin %> <%= command.id %> admin@web-1 admin@web-2'},
    {description: 'See what would change, change nothing', command: '<%= config.bin %> <%= command.id %> @web --dry-run'},
    {description: 'Add deploy users and Compose', command: '<%= config.bin %> <%= command.id %> web-1 --docker-user deploy --docker-user ci --compose'},
    {description: "Docker's engine from Docker's apt repository, pinned to 28.1", command: "<%= config.bin %> <%= command.id %> @web --method docker --engine-version '~28.1'"},
    {description: "Docker's engine from a mirror of Docker's repository", command: '<%= config.bin %> <%= command.id %> web-1 --method docker --repository tuna'},
    {
      description: 'A private mirror with its own signing key',
      command: '<%= config.bin %> <%= command.id %> web-1 --method docker --repository https://apt.example.com/docker/linux --repository-key ./mirror-key.asc --repository-fingerprint 0123456789ABCDEF0123456789ABCDEF01234567',
    },
    {description: "Switch a host from Debian's docker.io to Docker's docker-ce, even with containers running", command: '<%= config.bin %> <%= command.id %> web-1 --method docker --force'},
    {description: "Switch back to Debian's older docker.io", command: '<%= config.bin %> <%= command.id %> web-1 --method distro --allow-downgrade --force'},
    {description: 'A distribution tk does not handle itself', command: '<%= config.bin %> <%= command.id %> fedora-1 --method script --script ./install-docker.sh'},
    {
      description: 'An install script from the web, pinned to the sha256 you reviewed',
      command: '<%= config.bin %> <%= command.id %> fedora-1 --method script --script https://get.docker.com --script-sha256 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    },
    {description: 'Rotate container logs and keep containers running across engine restarts', command: '<%= config.bin %> <%= command.id %> @web --daemon-opt log-opts.max-size=10m --daemon-opt log-opts.max-file=3 --daemon-opt live-restore=true'},
    {description: 'See the daemon.json diff first', command: '<%= config.bin %> <%= command.id %> web-1 --daemon-config ./daemon.json --dry-run'},
    {description: 'Install from an offline bundle (made with tk bundle): no network needed on the host', command: '<%= config.bin %> <%= command.id %> web-1 --bundle ./engine-bookworm-amd64.tkb'},
    {description: 'A line of JSON per host as each is done, then the summary', command: '<%= config.bin %> <%= command.id %> @all --json-lines'},
    {description: 'Prove it runs a container', command: '<%= config.bin %> <%= command.id %> web-1 --smoke-image hello-world'},
    {description: 'A host that cannot reach its package sources: fetch them through this machine', command: '<%= config.bin %> <%= command.id %> web-1 --fetch-via workstation'},
  ]

  static override enableJsonFlag = true
  static override strict = false

  static override args = {
    host: Args.string({description: 'Hosts to provision: tk.yml names, @groups or user@host:port.', required: true}),
  }

  static override flags = {
    method: Flags.option({options: ['distro', 'docker', 'script'] as const, summary: 'How to install the engine where none is installed.', default: 'distro'})(),
    ...repositoryFlags('--method docker', 'before any host is touched'),
    script: Flags.string({summary: 'The install script for --method script: a local file or an https URL.', helpValue: 'FILE|URL'}),
    'script-sha256': Flags.string({summary: 'The install script\'s sha256: checked before any host is touched and again on each host before it runs.', helpValue: 'HEX'}),
    'allow-insecure-script': Flags.boolean({summary: 'Take a plain http:// --script URL: what arrives may have been changed on the way, and it runs as root.'}),
    compose: Flags.boolean({summary: 'Also install Docker Compose from the host\'s sources (--no-compose: not, whatever tk.yml says).', allowNo: true}),
    'docker-user': Flags.string({summary: 'Add this user to the docker group (repeatable).', multiple: true, multipleNonGreedy: true, helpValue: 'NAME'}),
    'login-user': Flags.boolean({summary: 'Add the login user (when not root) to the docker group.', default: true, allowNo: true}),
    'skip-check': Flags.boolean({summary: 'Provision even when tk check fails on the host.'}),
    'smoke-image': Flags.string({summary: 'After installing, run a throwaway container of this image (it must exit 0).', helpValue: 'IMAGE'}),
    'daemon-opt': Flags.string({
      summary: 'Set an option in /etc/docker/daemon.json (repeatable): dotted keys nest, values are JSON or text, null removes.',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'KEY=VALUE',
    }),
    'daemon-config': Flags.string({summary: 'Merge this JSON file into /etc/docker/daemon.json (--daemon-opt applies over it).', helpValue: 'FILE'}),
    force: Flags.boolean({summary: 'Change storage-driver or data-root even where images or containers are present; switch the engine (docker.io <-> docker-ce) while containers run.'}),
    'allow-downgrade': Flags.boolean({summary: 'Let a switch between docker.io and docker-ce go to an older engine (what it will not show is said first).'}),
    restart: Flags.boolean({summary: 'Restart the engine after changing daemon.json (--no-restart: write only).', default: true, allowNo: true}),
    'engine-version': Flags.string({
      summary: 'Install the newest engine whose upstream version is within this semver range (distro and docker methods), e.g. "^20" or ">=20.10 <21".',
      helpValue: 'RANGE',
    }),
    bundle: Flags.string({
      summary: 'Install the engine from this offline bundle (tk bundle): checked here, sent once per host, installed with no network (docs/offline.md).',
      helpValue: 'FILE',
    }),
    'fetch-via': fetchViaFlag(),
    'dry-run': Flags.boolean({summary: 'Print each host\'s plan and change nothing.'}),
    concurrency: concurrencyFlag('provision'),
    wait: lockWaitFlag(),
    'json-lines': jsonLinesFlag(),
    ...transportFlags,
  }

  async run(): Promise<Omit<ProvisionFleetResult, 'exitCode' | 'outcomes'> | void> {
    this.explainInterrupts()
    const {argv, flags, metadata} = await this.parse(Provision)
    // Typed on the command line (or set in the environment), not a default: only those win over tk.yml.
    const given = (name: keyof typeof flags) => flags[name] !== undefined && !metadata.flags[name]?.setFromDefault
    const [{resolveProvisionRequest, provisionHosts}, {diffLines, stepLine, renderProvisionSummary}, {failureLine}] = await Promise.all([
      import('../provision/index.js'),
      import('../render/provision.js'),
      import('../render/fleet.js'),
    ])
    const {targets, desired} = await resolveProvisionRequest({
      hosts: argv as string[],
      configPath: flags.config,
      method: given('method') ? flags.method : undefined,
      script: flags.script,
      scriptSha256: flags['script-sha256'],
      allowInsecureScript: flags['allow-insecure-script'],
      repository: repositoryRequest(flags),
      compose: given('compose') ? flags.compose : undefined,
      dockerUsers: flags['docker-user'] ?? [],
      engineVersion: flags['engine-version'],
      daemonConfigFile: flags['daemon-config'],
      daemonOpts: flags['daemon-opt'] ?? [],
      addLoginUser: flags['login-user'],
      skipCheck: flags['skip-check'],
      smokeImage: flags['smoke-image'],
      force: flags.force,
      allowDowngrade: flags['allow-downgrade'],
      restart: flags.restart,
      bundle: flags.bundle,
      fetch: flags['fetch-via'],
    })
    const style = makeStyle(useColor())
    const width = Math.max(...targets.map((target) => target.name.length))
    const lines = jsonLines<ProvisionHostJson>(flags['json-lines'])
    const result = await provisionHosts(targets, {
      desired,
      dryRun: flags['dry-run'],
      concurrency: flags.concurrency,
      waitSeconds: flags.wait,
      onWait: (target, holder) => process.stderr.write(`${target}: waiting for the host's lock (held by ${holder})\n`),
      transport: transportOptions(flags, (message) => this.warn(message)),
      onStep: (target, outcome) => {
        this.log(stepLine(target, width, outcome, style))
        for (const line of diffLines(width, outcome, style)) this.log(line)
      },
      onHost: lines?.host,
    })

    if (!this.jsonEnabled() && !lines) {
      const {outcomes} = result
      for (const outcome of outcomes) if (outcome.status === 'failed') this.logToStderr(failureLine(outcome.target, outcome.error, style))
      for (const notice of new Set(outcomes.flatMap((outcome) => (outcome.status === 'ok' ? outcome.value.notices : [])))) this.log(style.yellow(`note: ${notice}`))
      this.log('')
      this.log(renderProvisionSummary(outcomes, style, flags['dry-run']))
    }
    const json = finishFleet(result)
    return lines ? lines.end(json) : json
  }
}
