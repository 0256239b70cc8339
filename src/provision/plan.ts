/**
 * The provisioning plan: a pure function from a host's facts and the desired
 * engine to the steps that bring one to the other. A step whose state already
 * holds is "ok" and will issue no command; that is what makes re-runs fast
 * and --dry-run honest.
 */
import {evaluateChecks, type CheckReport} from '../check/evaluate.js'
import {KernelConfig} from '../check/kernel-config.js'
import {BugError, HostStateError, UnsupportedHostError} from '../errors/index.js'
import type {HostFacts, InitSystem} from '../facts/host-facts.js'
import {distroPackages, installedEngine, isAptFamily} from '../engine/packages.js'
import {inRange} from '../engine/version-range.js'
import {planBundleInstall} from '../bundle/plan.js'
import type {SoundBundle} from '../bundle/open.js'
import {fetchRoute} from '../fetch/workstation-fetch.js'
import {planDaemonConfig, type DaemonConfigPlan} from './daemon-config-step.js'
import type {DesiredEngine, InstallScript} from './desired-engine.js'
import {distroTarget, type EngineSwitch, planEngineSwitch, type SwitchDirection, switchDetail, type SwitchFacts} from './engine-switch.js'
import {dockerInstallDetail, type DockerInstall, type DockerRepositoryChoice, planDockerInstall, type RepositoryProbe} from './docker-repository.js'

export type StepId = 'check' | 'kernel-modules' | 'install' | 'compose' | 'service' | 'daemon-config' | 'docker-users' | 'verify' | 'smoke-test'

/** ok: holds already, nothing will run. change: will change the host. verify: read-only proof. */
export type StepAction = 'ok' | 'change' | 'verify'

interface Step<Id extends StepId, Action extends StepAction> {
  id: Id
  title: string
  action: Action
  /** What holds, or what will change and why. */
  detail: string
}

export type CheckStep = Step<'check', 'ok'>

export type KernelModulesStep = Step<'kernel-modules', 'ok'> | (Step<'kernel-modules', 'change'> & {modules: string[]})

/** Installed from apt (the distro method, or the docker CLI an adopted engine lacks), or by the user's script. */
export type InstallStep =
  | Step<'install', 'ok'>
  | (Step<'install', 'change'> & {
      method: 'apt'
      packages: string[]
      /** Installed where the host's apt sources offer them (docker-cli outside Debian). */
      optionalPackages: string[]
      /** The semver range docker.io's version is picked from, once apt-get update shows what is offered. */
      versionRange?: string
      /** A switch from docker-ce: the old engine purged first (src/provision/engine-switch.ts). */
      replace?: EngineSwitch
    })
  | (Step<'install', 'change'> & {method: 'script'; script: InstallScript})
  | (Step<'install', 'change'> & {method: 'bundle'; bundle: SoundBundle; packages: string[]})
  | (Step<'install', 'change'> & {method: 'docker'; install: DockerInstall; replace?: EngineSwitch})

export type ComposeStep = Step<'compose', 'ok'> | (Step<'compose', 'change'> & {packages: string[]})

export type ServiceStep = Step<'service', 'ok'> | (Step<'service', 'change'> & {init: Exclude<InitSystem, 'unknown'>})

export type DaemonConfigStep =
  | Step<'daemon-config', 'ok'>
  | (Step<'daemon-config', 'change'> & {
      /** The file's line diff ("  ", "- ", "+ "), for plans and dry runs. */
      diff: string[]
      daemonConfig: DaemonConfigPlan
    })

export type DockerUsersStep = Step<'docker-users', 'ok'> | (Step<'docker-users', 'change'> & {users: string[]})

/** ok: the server answered the facts and nothing changes, so there is nothing new to prove. */
export type VerifyStep = Step<'verify', 'ok'> | Step<'verify', 'verify'>

export type SmokeTestStep = Step<'smoke-test', 'verify'> & {image: string}

export type ProvisionStep = CheckStep | KernelModulesStep | InstallStep | ComposeStep | ServiceStep | DaemonConfigStep | DockerUsersStep | VerifyStep | SmokeTestStep

/** A step with something to do: a change or a proof. */
export type StepToRun = Exclude<ProvisionStep, {action: 'ok'}>

export interface ProvisionPlan {
  check?: CheckReport
  steps: ProvisionStep[]
  /** Said once to the user (e.g. what docker group membership means). */
  notices: string[]
}

/** Kernel flags built as modules that the engine needs loaded, and the module that provides each. */
const MODULES: Array<[flag: string, module: string]> = [
  ['OVERLAY_FS', 'overlay'],
  ['BRIDGE_NETFILTER', 'br_netfilter'],
  ['BRIDGE', 'bridge'],
  ['VETH', 'veth'],
  ['NF_NAT', 'nf_nat'],
  ['IP_NF_NAT', 'iptable_nat'],
  ['IP_NF_FILTER', 'iptable_filter'],
  ['NETFILTER_XT_MATCH_CONNTRACK', 'xt_conntrack'],
  ['NETFILTER_XT_MATCH_ADDRTYPE', 'xt_addrtype'],
  ['IP_NF_TARGET_MASQUERADE', 'xt_MASQUERADE'],
]

/** Users to add to the docker group that the host does not know: the plan stops before any step. */
export class UnknownUsersError extends HostStateError {
  constructor(target: string, users: string[]) {
    super(`${users.length === 1 ? `user ${users[0]} does not exist` : `users ${users.join(', ')} do not exist`} on ${target}`, {
      hint: 'create the user on the host first, or leave it out of --docker-user and engine.users',
    })
  }
}

/** Where an apt step's packages come from, when not from the host's own network. */
const viaWorkstation = (desired: DesiredEngine) => (desired.fetch === 'workstation' ? `, ${fetchRoute('workstation')}` : '')

export const SUPPORTED = 'tk installs the engine itself on Debian and Ubuntu (apt)'

/** For method docker, on a host without an engine: the repository (its key checked) and what it serves the host. */
export interface DockerRepositoryFacts {
  choice: DockerRepositoryChoice
  probe: RepositoryProbe
}

/** For a host whose engine switches between docker.io and docker-ce: which way, and what the host said (engine-switch-facts.sh). */
export interface SwitchRequest {
  direction: SwitchDirection
  read: SwitchFacts
}

export function planProvision(target: string, facts: HostFacts, desired: DesiredEngine, repository?: DockerRepositoryFacts, switching?: SwitchRequest): ProvisionPlan {
  const steps: ProvisionStep[] = []
  const notices: string[] = []

  // 1. Prerequisites: the same judgement as tk check.
  const config = facts.check.configBytes ? KernelConfig.fromBytes(facts.check.configBytes, facts.check.configPath ?? 'kernel config') : undefined
  if (!config && !desired.skipCheck) {
    throw new HostStateError(`${target}: no kernel config found, so tk cannot check that the engine will work here`, {
      hint: 'install the running kernel\'s config (/boot/config-$(uname -r)), or pass --skip-check',
    })
  }
  const check = config ? evaluateChecks({target, config, facts: facts.check}) : undefined
  const failed = check?.checks.filter((item) => item.status === 'fail') ?? []
  if (failed.length > 0 && !desired.skipCheck) {
    throw new HostStateError(`${target}: tk check fails (${failed.map((item) => item.id).join(', ')}): the engine would not work here`, {
      hint: 'run tk check on the host for the details, or --skip-check to provision anyway',
    })
  }
  steps.push({
    id: 'check',
    title: 'Check the host',
    action: 'ok',
    detail: !check
      ? 'skipped on request (no kernel config)'
      : failed.length > 0
        ? `failed (${failed.map((item) => item.id).join(', ')}), skipped on request`
        : `passes (${check.summary.warnings} warnings)`,
  })

  // 2. Kernel modules: those built as modules and not loaded.
  const modules = config
    ? MODULES.filter(([flag, module]) => config.state(flag) === 'module' && !facts.loadedModules.includes(module)).map(([, module]) => module)
    : []
  steps.push(
    modules.length > 0
      ? {id: 'kernel-modules', title: 'Load kernel modules', action: 'change', detail: `load and persist ${modules.join(', ')}`, modules}
      : {id: 'kernel-modules', title: 'Load kernel modules', action: 'ok', detail: !config || config.isSet('MODULES') ? 'none missing' : 'built into the kernel'},
  )

  // 3. The engine: adopted when present, installed otherwise (from an offline bundle: refused here when it does not fit the host).
  const bundleInstall = desired.bundle && planBundleInstall(target, facts, desired.bundle, desired.compose, desired.method)
  const engine = installedEngine(facts)
  const apt = isAptFamily(facts)
  if (switching?.direction === 'to-docker') {
    if (!repository) throw new BugError('the docker method needs what the repository serves the host')
    const install = planDockerInstall(target, repository.choice, repository.probe, desired.engineVersion)
    const replace = planEngineSwitch(target, facts, 'to-docker', switching.read, install.version)
    steps.push({id: 'install', title: 'Switch the engine', action: 'change', detail: `${switchDetail(replace)}; ${dockerInstallDetail(install, desired.engineVersion)}`, method: 'docker', install, replace})
  } else if (switching?.direction === 'to-distro') {
    const version = distroTarget(switching.read.distroOffered, desired.engineVersion)
    const replace = planEngineSwitch(target, facts, 'to-distro', switching.read, version)
    const {required, optional} = distroPackages(facts)
    steps.push({
      id: 'install',
      title: 'Switch the engine',
      action: 'change',
      detail: `${switchDetail(replace)}; apt: ${required.join(' ')}, docker.io ${version}${viaWorkstation(desired)}`,
      method: 'apt',
      packages: required.map((name) => (name === 'docker.io' || name === 'docker-cli' ? `${name}=${version}` : name)),
      optionalPackages: optional,
      replace,
    })
  } else if (engine) {
    const missingCli = !facts.engine.binaries.docker
    if (missingCli && apt) {
      steps.push({
        id: 'install',
        title: 'Install the engine',
        action: 'change',
        detail: `adopt ${engine.source}; add the docker CLI${viaWorkstation(desired)}`,
        method: 'apt',
        packages: ['docker-cli'],
        optionalPackages: [],
      })
    } else {
      steps.push({id: 'install', title: 'Install the engine', action: 'ok', detail: `adopted ${engine.source}${engine.version ? ` ${engine.version}` : ''}`})
      if (desired.engineVersion && engine.version && !inRange(engine.version, desired.engineVersion)) {
        notices.push(`${target}: the engine installed (${engine.version}) is outside ${desired.engineVersion}; tk provision never replaces an engine: use tk upgrade --engine-version '${desired.engineVersion}'`)
      }
    }
  } else if (desired.method === 'script') {
    if (!desired.script) throw new BugError('the script method needs a script')
    steps.push({id: 'install', title: 'Install the engine', action: 'change', detail: `run ${desired.script.source} as root`, method: 'script', script: desired.script})
  } else if (bundleInstall) {
    steps.push({id: 'install', title: 'Install the engine', action: 'change', method: 'bundle', bundle: desired.bundle!, ...bundleInstall})
  } else if (desired.method === 'docker') {
    if (!repository) throw new BugError('the docker method needs what the repository serves the host')
    const install = planDockerInstall(target, repository.choice, repository.probe, desired.engineVersion)
    steps.push({id: 'install', title: 'Install the engine', action: 'change', detail: dockerInstallDetail(install, desired.engineVersion), method: 'docker', install})
  } else if (apt) {
    const packages = distroPackages(facts)
    steps.push({
      id: 'install',
      title: 'Install the engine',
      action: 'change',
      detail: `apt: ${packages.required.join(' ')}${packages.optional.length > 0 ? ` (and ${packages.optional.join(', ')} where offered)` : ''}${desired.engineVersion ? `, docker.io within ${desired.engineVersion}` : ''}${viaWorkstation(desired)}`,
      method: 'apt',
      packages: packages.required,
      optionalPackages: packages.optional,
      // The range applies to docker.io (and docker-cli with it): what the distro method installs.
      ...(desired.engineVersion && packages.required.includes('docker.io') ? {versionRange: desired.engineVersion} : {}),
    })
  } else {
    throw new UnsupportedHostError(`${target} runs ${facts.os.prettyName ?? facts.os.id}, which the distro method does not support: ${SUPPORTED}`, {
      hint: 'install with a script of your own: --method script --script FILE|URL (get.docker.com style)',
    })
  }

  // 4. Compose, when asked for.
  if (desired.compose) {
    const present =
      Boolean(facts.engine.binaries['docker-compose']) ||
      facts.engine.cliPlugins.includes('docker-compose') ||
      Boolean(facts.engine.packages['docker-compose'] || facts.engine.packages['docker-compose-plugin'])
    const withEngine = steps.some(
      (step) =>
        step.id === 'install' &&
        step.action === 'change' &&
        ((step.method === 'docker' && step.install.packages.some((pair) => pair.startsWith('docker-compose-plugin='))) || (step.method === 'bundle' && step.packages.includes('docker-compose-plugin'))),
    )
    if (present) steps.push({id: 'compose', title: 'Install Docker Compose', action: 'ok', detail: 'installed'})
    else if (withEngine) steps.push({id: 'compose', title: 'Install Docker Compose', action: 'ok', detail: 'docker-compose-plugin, with the engine'})
    else if (apt) steps.push({id: 'compose', title: 'Install Docker Compose', action: 'change', detail: `apt: docker-compose${viaWorkstation(desired)}`, packages: ['docker-compose']})
    else {
      throw new UnsupportedHostError(`${target}: tk installs Docker Compose from apt sources only`, {hint: 'have your install script install it'})
    }
  }

  // 5. The service: enabled at boot and running.
  if (facts.init === 'unknown') {
    throw new UnsupportedHostError(`${target}: no init system tk knows (systemd, OpenRC, SysV service) manages services here`)
  }
  const {service} = facts.engine
  const installing = steps.some((step) => step.id === 'install' && step.action === 'change')
  if (!installing && service.active && service.enabled) {
    steps.push({id: 'service', title: 'Enable and start the engine', action: 'ok', detail: `running since ${service.startedAt ?? 'unknown'}, enabled`})
  } else {
    const missing = installing ? ['enable', 'start'] : [...(service.enabled ? [] : ['enable']), ...(service.active ? [] : ['start'])]
    steps.push({id: 'service', title: 'Enable and start the engine', action: 'change', detail: `${missing.join(' and ')} docker (${facts.init})`, init: facts.init})
  }

  // 6. /etc/docker/daemon.json, when options were given: refused here, before any step runs, when they are invalid.
  const daemonConfig = planDaemonConfig(target, facts, desired, installing)
  if (daemonConfig) {
    const {notices: said, ...step} = daemonConfig
    steps.push({id: 'daemon-config', title: 'Configure the engine daemon', ...step})
    notices.push(...said)
  }

  // 7. Users in the docker group.
  const wanted = [...new Set([...(desired.addLoginUser && facts.user.uid !== 0 ? [facts.user.name] : []), ...desired.dockerUsers])]
  const members = facts.dockerGroup?.members ?? []
  const missingUsers = wanted.filter((user) => !members.includes(user))
  // A user the host does not know would fail the step half-way through the run: refused before any step.
  const unknown = missingUsers.filter((user) => facts.users[user] === false)
  if (unknown.length > 0) throw new UnknownUsersError(target, unknown)
  if (missingUsers.length > 0) {
    steps.push({id: 'docker-users', title: 'Add users to the docker group', action: 'change', detail: `add ${missingUsers.join(', ')}`, users: missingUsers})
    notices.push('Members of the docker group control the engine, and so are root-equivalent on the host.')
  } else {
    steps.push({id: 'docker-users', title: 'Add users to the docker group', action: 'ok', detail: wanted.length > 0 ? `${wanted.join(', ')} already in it` : 'none asked for'})
  }

  // 8. Proof: the server answers; a container runs.
  const changes = steps.some((step) => step.action === 'change')
  steps.push(
    !changes && facts.engine.server
      ? {id: 'verify', title: 'Verify the engine answers', action: 'ok', detail: `server ${facts.engine.server.version}`}
      : {id: 'verify', title: 'Verify the engine answers', action: 'verify', detail: 'docker version'},
  )
  if (desired.smokeImage) steps.push({id: 'smoke-test', title: 'Run a throwaway container', action: 'verify', detail: desired.smokeImage, image: desired.smokeImage})

  return {check, steps, notices}
}
