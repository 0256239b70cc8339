/**
 * Carries out a provisioning plan on one host: facts, plan, then each step
 * that has something to do, in order, stopping at the first failure. Emits an
 * event per step so the command can show progress.
 */
import {AptProgressReader} from '../engine/apt-progress.js'
import {HostStateError} from '../errors/index.js'
import {gatherHostFacts, type HostFacts, type HostFactsRequest} from '../facts/host-facts.js'
import type {Host, RunResult} from '../transport/host.js'
import type {DesiredEngine} from './desired-engine.js'
import {applyDaemonConfig, DaemonConfigRolledBack, validateWithDockerd} from './daemon-config-step.js'
import {type DockerRepositoryFacts, planProvision, type ProvisionPlan, type ProvisionStep, type StepId, type StepToRun, type SwitchRequest, UnknownUsersError} from './plan.js'
import {parseSwitchFacts, switchDirection, switchRefusals} from './engine-switch.js'
import {applyDockerInstall, loadDockerRepository, probeDockerRepository} from './docker-repository.js'
import {installedEngine} from '../engine/packages.js'
import {boundScript} from '../transport/host-scripts.js'
import {explainRefused, installRecord, openWorkstationFetch, type WorkstationFetch} from '../fetch/workstation-fetch.js'

export type StepResult = 'ok' | 'changed' | 'verified' | 'would-change' | 'failed' | 'skipped'

export interface StepOutcome {
  id: StepId
  title: string
  result: StepResult
  detail: string
  /** daemon-config: the line diff of /etc/docker/daemon.json. */
  diff?: string[]
  /** daemon-config rolled back: the engine's last journal lines. */
  journal?: string[]
  durationMs: number
}

export interface ProvisionResult {
  target: string
  ok: boolean
  dryRun: boolean
  /** Steps that changed the host (or would, with --dry-run). */
  changed: number
  steps: StepOutcome[]
  engine?: {version: string}
  os?: string
  notices: string[]
  durationMs: number
}

/** The host as tk reaches it: as the login user, and as root (directly or with sudo). */
export interface ProvisionHosts {
  login: Host
  root: Host
}

export interface ProvisionOptions {
  dryRun?: boolean
  onStep?: (target: string, outcome: StepOutcome) => void
  /** A step that has something to do is about to start (for live progress). */
  onStepStart?: (target: string, step: {id: StepId; title: string}) => void
  /** What a running step is doing, in a few words, as it goes (apt's own progress while packages are fetched and unpacked). */
  onStepProgress?: (target: string, step: {id: StepId; title: string}, text: string) => void
  /** A new connection (new login session), so that a new docker group membership applies. */
  reconnect?: () => Promise<ProvisionHosts>
  /** Right before a step restarts the engine (daemon.json changed): a swarm node's drain. */
  beforeEngineRestart?: () => Promise<void>
  /** The facts round trip already made under the host's lock (in its round trip), and what it printed; made here when absent. */
  facts?: {request: HostFactsRequest; result: RunResult}
}

class StepFailed extends HostStateError {}

/** Steps that run tk's apt (those that fetch packages). */
const usesApt = (step: ProvisionStep) =>
  step.action === 'change' && ((step.id === 'install' && step.method === 'apt') || step.id === 'compose')

function failure(target: string, step: StepToRun, result: RunResult, what: string): StepFailed {
  const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-4).join(' | ')
  return new StepFailed(`${target}: ${step.title.toLowerCase()} failed: ${what} exited ${result.code}${output ? `: ${output}` : ''}`)
}

/** The plan; a dry run says of users the host lacks that the run would fail, as it would. */
function planOrSay(target: string, facts: HostFacts, desired: DesiredEngine, dryRun = false, repository?: DockerRepositoryFacts, switching?: SwitchRequest): ProvisionPlan {
  try {
    return planProvision(target, facts, desired, repository, switching)
  } catch (error) {
    if (dryRun && error instanceof UnknownUsersError) throw new HostStateError(`would fail: ${error.message}`, {hint: error.hint, cause: error})
    throw error
  }
}

export async function provisionHost(target: string, hosts: ProvisionHosts, desired: DesiredEngine, options: ProvisionOptions = {}): Promise<ProvisionResult> {
  const started = performance.now()
  const factsStarted = options.facts?.request.startedAt ?? performance.now()
  const users = desired.dockerUsers
  let facts: HostFacts = options.facts ? await options.facts.request.finish(options.facts.result) : await gatherHostFacts(hosts.login, {users})
  // Method docker on a host without an engine: the repository's key checked here, then what it serves the
  // host read on the host (read-only), so that the plan, and a dry run, know the versions.
  let repository: DockerRepositoryFacts | undefined
  let switching: SwitchRequest | undefined
  // Through the workstation, Docker's repository is read, and later installed from, through one forward,
  // open from here (dry runs too: the read is what they show) until the steps are done.
  let early: WorkstationFetch | undefined
  let plan: ProvisionPlan
  try {
    // A switch between docker.io and docker-ce: the running containers and the docker.io on offer, read-only.
    const direction = switchDirection(facts, desired)
    if (direction) {
      const read = await hosts.root.run(await boundScript('engine-switch-facts.sh', []))
      if (read.code !== 0) throw new HostStateError(`${target}: reading the running containers failed (exit ${read.code}): ${read.stderr.trim() || 'no output'}`)
      switching = {direction, read: parseSwitchFacts(read.stdout)}
    }
    if (desired.method === 'docker' && !desired.bundle && (!installedEngine(facts) || direction === 'to-docker')) {
      const choice = await loadDockerRepository(desired.repository ?? {})
      if (desired.fetch === 'workstation') early = await openWorkstationFetch(target, hosts.root, facts.aptSources ?? [], [...(desired.fetchSources ?? []), choice.url])
      repository = {choice, probe: await probeDockerRepository(target, hosts.root, facts, choice, early?.aptEnv)}
    }
    plan = planOrSay(target, facts, desired, options.dryRun, repository, switching)
    // What dockerd itself says (its version, whether it can --validate) costs two slow dockerd
    // starts: asked in a second round trip only when daemon.json is to change.
    if (plan.steps.some((step) => step.id === 'daemon-config' && step.action === 'change')) {
      facts = await gatherHostFacts(hosts.login, {daemon: true, users})
      plan = planOrSay(target, facts, desired, options.dryRun, repository, switching)
    }
    // A switch's refusals (running containers, an older engine), before anything changes; a dry run says them.
    const replacing = plan.steps.find((step) => step.id === 'install' && step.action === 'change' && step.method !== 'script' && step.method !== 'bundle' && step.replace)
    const refusals = replacing && 'replace' in replacing && replacing.replace ? switchRefusals(target, replacing.replace, desired) : []
    if (refusals.length > 0 && !options.dryRun) throw refusals[0]
    plan.notices.push(...refusals.map((refusal) => `would be refused: ${refusal.message}${refusal.hint ? ` (${refusal.hint})` : ''}`))
  } catch (error) {
    await early?.close()
    throw early ? explainRefused(error, early) : error
  }
  const steps: StepOutcome[] = []
  const emit = (outcome: StepOutcome) => {
    steps.push(outcome)
    options.onStep?.(target, outcome)
  }
  const factsMs = performance.now() - factsStarted
  let current = hosts
  let engineVersion = facts.engine.server?.version
  let changed = 0
  let addedLogin = false

  // dockerd's own verdict on a new daemon.json, before any step changes the host (and in dry runs: it is read-only).
  const configChange = plan.steps.find((step): step is Extract<StepToRun, {id: 'daemon-config'}> => step.id === 'daemon-config' && step.action === 'change')
  if (configChange) {
    try {
      await validateWithDockerd(target, hosts.root, configChange.daemonConfig)
    } catch (error) {
      await early?.close()
      throw error
    }
  }

  // Packages through the workstation: the remote forward is open while the steps run, and only when one uses apt.
  const fetch =
    early ??
    (!options.dryRun && desired.fetch === 'workstation' && plan.steps.some(usesApt)
      ? await openWorkstationFetch(target, hosts.root, facts.aptSources ?? [], desired.fetchSources)
      : undefined)
  for (const [index, step] of plan.steps.entries()) {
    const stepStarted = performance.now()
    const done = (result: StepResult, detail = step.detail, journal?: string[]) =>
      emit({
        id: step.id,
        title: step.title,
        result,
        detail,
        ...(step.id === 'daemon-config' && step.action === 'change' ? {diff: step.diff} : {}),
        ...(journal ? {journal} : {}),
        durationMs: Math.round(index === 0 ? factsMs : performance.now() - stepStarted),
      })

    if (step.action === 'ok') {
      done('ok')
      continue
    }
    if (options.dryRun) {
      if (step.action === 'change') changed++
      done(step.action === 'change' ? 'would-change' : 'skipped')
      continue
    }
    try {
      // eslint-disable-next-line no-await-in-loop -- the drain must finish before the engine restarts
      if (step.id === 'daemon-config' && step.action === 'change' && step.daemonConfig.restart) await options.beforeEngineRestart?.()
      options.onStepStart?.(target, {id: step.id, title: step.title})
      // eslint-disable-next-line no-await-in-loop -- steps run in order, each on what the last left
      const detail = await applyStep(target, step, current, facts, {
        setVersion: (version) => (engineVersion = version),
        addedLogin,
        progress: options.onStepProgress && ((text) => options.onStepProgress?.(target, {id: step.id, title: step.title}, text)),
        aptEnv: {...fetch?.aptEnv, ...installRecord(desired.fetch)},
      })
      if (step.action === 'change') changed++
      done(step.action === 'change' ? 'changed' : 'verified', detail)
      if (step.id === 'docker-users' && options.reconnect && facts.user.uid !== 0 && step.users.includes(facts.user.name)) {
        addedLogin = true
        // The login session keeps the groups it started with: log in again to use the new one.
        // eslint-disable-next-line no-await-in-loop
        current = await options.reconnect()
      }
    } catch (error) {
      done('failed', error instanceof Error ? error.message : String(error), error instanceof DaemonConfigRolledBack ? error.journal : undefined)
      await fetch?.close()
      throw fetch ? explainRefused(error, fetch) : error
    }
  }
  await fetch?.close()

  return {
    target,
    ok: true,
    dryRun: Boolean(options.dryRun),
    changed,
    steps,
    engine: engineVersion ? {version: engineVersion} : undefined,
    os: facts.os.prettyName,
    notices: plan.notices,
    durationMs: Math.round(performance.now() - started),
  }
}

async function applyStep(
  target: string,
  step: StepToRun,
  hosts: ProvisionHosts,
  facts: HostFacts,
  {
    setVersion,
    addedLogin,
    progress,
    aptEnv = {},
  }: {
    setVersion: (version: string) => void
    addedLogin?: boolean
    progress?: (text: string) => void
    /** For tk's apt scripts: TK_APT_PROXY when packages come through the workstation, TK_INSTALL_RECORD. */
    aptEnv?: Record<string, string>
  },
): Promise<string> {
  const root = async (script: string, what: string) => {
    const result = await hosts.root.run(script)
    if (result.code !== 0) throw failure(target, step, result, what)
    return result
  }
  // apt's own progress, passed on as it comes when someone is watching (lib/apt-detached.sh).
  const apt = async (packages: string[], stepEnv: Record<string, string> = {}) => {
    const env = {...stepEnv, ...aptEnv}
    if (!progress) return root(await boundScript('install-engine-apt.sh', packages, env), 'apt-get')
    const reader = new AptProgressReader(progress)
    const result = await hosts.root.run(await boundScript('install-engine-apt.sh', packages, {...env, TK_APT_PROGRESS: '1'}), {
      onStdout: (chunk) => reader.push(chunk),
    })
    const finished = {...result, stdout: reader.finish()}
    if (finished.code !== 0) throw failure(target, step, finished, 'apt-get')
    return finished
  }
  switch (step.id) {
    case 'kernel-modules':
      await root(await boundScript('load-kernel-modules.sh', step.modules), 'modprobe')
      return step.detail
    case 'install':
      if (step.method === 'docker') {
        const {replaced} = await applyDockerInstall(target, hosts.root, step.install, aptEnv, step.replace?.purgeOrder)
        return `${step.detail}${replaced.length > 0 ? `; replaced ${replaced.join(', ')} (same repository)` : ''}`
      }
      if (step.method === 'script') {
        // The script travels on stdin; with --script-sha256 the host checks it before running it.
        const result = await hosts.root.run(await boundScript('run-install-script.sh', [step.script.sha256 ?? '']), {stdin: step.script.content})
        if (result.code !== 0) throw failure(target, step, result, step.script.source)
        return step.detail
      }
      if (step.method === 'bundle') {
        const {installFromBundle} = await import('../bundle/host.js')
        return installFromBundle(target, hosts.root, step.bundle, step.packages)
      }
      if (step.versionRange) {
        // The versions on offer are known only after apt-get update: pick, then pin.
        const {gatherUpgradeFacts} = await import('../facts/upgrade-facts.js')
        const {pickVersionInRange} = await import('../engine/version-range.js')
        const offered = (await gatherUpgradeFacts(hosts.root, aptEnv)).offered
        const version = pickVersionInRange(target, 'docker.io', step.versionRange, offered['docker.io'] ?? [])
        const pinned = step.packages.map((name) =>
          name === 'docker.io' || (name === 'docker-cli' && offered['docker-cli']?.includes(version)) ? `${name}=${version}` : name,
        )
        await apt(pinned, {TK_OPTIONAL_PACKAGES: step.optionalPackages.join(' ')})
        return `${step.detail}; docker.io ${version} (newest within ${step.versionRange})`
      }
      await apt(step.packages, {
        TK_OPTIONAL_PACKAGES: step.optionalPackages.join(' '),
        // A switch from docker-ce: purged safely first, and tk's pin of Docker's packages removed.
        ...(step.replace ? {TK_ENGINE_REPLACE: step.replace.purgeOrder.join(' '), TK_ENGINE_UNPIN: '1'} : {}),
      })
      return step.detail
    case 'compose':
      await apt(step.packages)
      return step.detail
    case 'service':
      await root(await boundScript('enable-engine-service.sh', [step.init]), 'the service manager')
      return step.detail
    case 'daemon-config':
      return applyDaemonConfig(target, hosts.root, facts, step.daemonConfig)
    case 'docker-users': {
      const result = await hosts.root.run(await boundScript('add-docker-users.sh', step.users))
      if (result.code === 3) throw new StepFailed(`${target}: ${result.stderr.trim()}`, {hint: 'create the user first, or leave it out of --docker-user'})
      if (result.code !== 0) throw failure(target, step, result, 'usermod')
      return step.detail
    }
    case 'verify': {
      // As the login user when it is in the docker group (that proves its access), else as root.
      const loginInGroup = facts.user.uid === 0 || Boolean(facts.dockerGroup?.members.includes(facts.user.name)) || Boolean(addedLogin)
      const result = await (loginInGroup ? hosts.login : hosts.root).run(await boundScript('wait-engine.sh', ['60']))
      if (result.code !== 0) throw failure(target, step, result, 'docker version')
      const version = result.stdout.trim()
      setVersion(version)
      return `server ${version}`
    }
    case 'smoke-test':
      await root(await boundScript('smoke-test.sh', [step.image]), `docker run ${step.image}`)
      return `a container of ${step.image} ran`
  }
}
