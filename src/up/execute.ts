/**
 * `tk up` on one host: take the host's lock, bring the engine to what tk.yml
 * says (the provisioning steps of `tk provision`), run the host's own
 * provisioners in order, then record what happened in the host's state.
 * A failing step stops that host; what already ran is recorded all the same.
 */
import type {Provisioner, TkConfig} from '../config/types.js'
import {HostStateError, UserError} from '../errors/index.js'
import {hostFactsRequest} from '../facts/host-facts.js'
import {provisionHost, type ProvisionHosts, type StepResult} from '../provision/execute.js'
import type {DesiredEngine} from '../provision/desired-engine.js'
import type {HeldLock, HostSession} from '../fleet/host-session.js'
import {randomBytes} from 'node:crypto'

import {runDockerProvisioner} from './provisioners/docker.js'
import {runFileProvisioner} from './provisioners/file.js'
import {runShellProvisioner} from './provisioners/shell.js'
import type {ProvisionerContext, ProvisionerRun} from './provisioners/types.js'
import {SpecHasher} from './spec-hash.js'
import {type DriftFacts, gatherDrift} from './drift.js'
import {hostStateFromSections, type HostState, type LastUp, readHostState, STATE_SECTION_SCRIPT, thenStdinFits, writeHostState} from '../facts/up-state.js'
import {FactSections} from '../facts/sections.js'
import {
  accountHolds,
  askEngine,
  type CheckAccount,
  newAccount,
  type provisionerMaterials,
  quickCheckScript,
  type QuickLook,
  quickPlan,
  quickRunPossible,
  quickSteps,
  readQuickLook,
  recordScript,
} from './converged.js'

export interface UpStep {
  /** engine: a provisioning step (id = its step id); provisioner: a user provisioner (id = its name). */
  kind: 'engine' | 'provisioner'
  id: string
  title: string
  /** ran: a `run: always` command ran; not counted as a change. */
  result: StepResult | 'ran'
  detail: string
  /** What drifted on the host since tk applied it (file and docker provisioners). */
  drift?: string[]
  /** The change as a diff: daemon.json's lines ("  ", "- ", "+ "), a file provisioner's unified diffs, a container's spec. Secrets hidden. */
  diff?: string[]
  durationMs: number
}

export interface UpResult {
  target: string
  dryRun: boolean
  /** Steps that changed the host (or would, in a dry run). */
  changed: number
  steps: UpStep[]
  engine?: {version: string}
  os?: string
  notices: string[]
  /**
   * A quick run (src/up/converged.ts): nothing the full check reads changed on the host since the
   * last full check that changed nothing, at this time; its steps are that check's.
   */
  quick?: {fullCheckAt: string}
  durationMs: number
}

export interface UpHostOptions {
  dryRun: boolean
  /** Seconds to wait for another run's lock on the host. */
  waitSeconds: number
  /** Who runs this (user@workstation), for the lock and the state. */
  by: string
  tkVersion: string
  /** Shell provisioners to run again on purpose (tk up --rerun). */
  rerun?: ReadonlySet<string>
  /** tk up --full: check the host in full even when its fingerprint says nothing changed. */
  full?: boolean
  /** The provisioners' material for quick runs, read once for the run's hosts (provisionerMaterials). */
  materials?: ReturnType<typeof provisionerMaterials>
  /** Credentials of tk.yml's registries, for docker provisioners' pulls. */
  registryAuth?: (image: string) => string | undefined
  onStep?: (target: string, step: UpStep) => void
  /** What the host is doing now, for live progress. */
  onActivity?: (target: string, activity: string) => void
  /** Right before tk.yml's daemon options restart the engine (a swarm node's drain). */
  beforeEngineRestart?: () => Promise<void>
}

/** Fails a host with what a step said, after the step was reported as failed. */
class UpStepFailed extends HostStateError {}

const RUNNERS: {[K in Provisioner['type']]: (provisioner: Extract<Provisioner, {type: K}>, context: ProvisionerContext) => Promise<ProvisionerRun>} = {
  shell: runShellProvisioner,
  file: runFileProvisioner,
  docker: runDockerProvisioner,
}

function runProvisioner(provisioner: Provisioner, context: ProvisionerContext): Promise<ProvisionerRun> {
  const run = RUNNERS[provisioner.type] as (provisioner: Provisioner, context: ProvisionerContext) => Promise<ProvisionerRun>
  return run(provisioner, context)
}

export async function upHost(
  target: string,
  session: HostSession,
  desired: DesiredEngine,
  provisioners: Provisioner[],
  config: Pick<TkConfig, 'secrets'>,
  options: UpHostOptions,
): Promise<UpResult> {
  const started = performance.now()
  const access = await session.open()
  // What tk.yml asks of the host, for a quick run (src/up/converged.ts), read on the workstation once connected.
  // A source tk cannot read makes no quick run: the full check's provisioner says why.
  const plan = quickRunPossible(provisioners, desired, {dryRun: options.dryRun, rerun: options.rerun})
    ? await quickPlan(target, access.login.connection.target.user, desired, provisioners, options.tkVersion, options.materials).catch(() => undefined)
    : undefined
  // The drift round trip and the state's write run as root: how (sudo, a password) is asked now, beside the lock,
  // not in front of the drift once the lock is held. A quick run needs no root: asked once it is known not to be one.
  if (!plan || options.full) access.login.probeRoot()
  const hosts: ProvisionHosts = {...access}
  const host = hosts.login
  const steps: UpStep[] = []
  const emit = (step: UpStep) => {
    steps.push(step)
    options.onStep?.(target, step)
  }
  const activity = (text: string) => options.onActivity?.(target, text)

  // A dry run changes nothing, the lock file included; it reads the state as it is.
  // The engine's facts are gathered in the lock's own round trip, as soon as the lock is held,
  // and the state is read by that same round trip (a dry run, without the lock, reads it on its own).
  let reading: Promise<HostState> | undefined
  const startReading = (): Promise<HostState> => {
    if (!reading) {
      reading = readHostState(host)
      reading.catch(() => {})
    }
    return reading
  }
  // The provisioners' drift (and the host's spec key) in one root round trip, beside the facts: under the lock.
  let drifting: Promise<DriftFacts> | undefined
  const startDrift = (): Promise<DriftFacts> | undefined => {
    if (!drifting && provisioners.length > 0) {
      drifting = gatherDrift(target, hosts.root, provisioners, {dryRun: options.dryRun})
      drifting.catch(() => {})
    }
    return drifting
  }
  const facts = options.dryRun ? undefined : await hostFactsRequest(host, {users: desired.dockerUsers})
  // The state is read by the facts' own round trip: no channel of its own.
  const factsScript = facts && `${facts.script}\n${STATE_SECTION_SCRIPT}`
  let asking: ReturnType<typeof askEngine> | undefined
  const lock = facts
    ? await session.lock({
        waitSeconds: options.waitSeconds,
        command: 'tk up',
        onWait: (holder) => activity(`waiting for the host's lock (held by ${holder})`),
        roundTrip: {
          // With a quick run possible, the fingerprint first: the facts are read only when it differs from the record's.
          script: plan ? `${await quickCheckScript(plan, {full: options.full})}\n${factsScript}` : factsScript!,
          onLocked: () => {
            // The engine is asked about the containers under the lock, beside the fingerprint.
            if (plan && !options.full) {
              asking = askEngine(plan, host)
              return
            }
            facts!.start()
            startDrift()
          },
        },
      })
    : undefined
  let roundTrip = lock?.roundTrip
  let look: QuickLook | undefined
  if (plan && roundTrip?.code === 0) {
    look = readQuickLook(new FactSections(roundTrip.stdout))
    if (look.account && !options.full) {
      if (await accountHolds(look.account, plan, asking ?? askEngine(plan, host))) return quickRun(target, look.account, lock!, started, options)
      // The fingerprint was the record's but tk.yml (or a container, or the time) says check in full: the facts now.
      access.login.probeRoot()
      facts!.start()
      roundTrip = await host.run(factsScript!).catch(async (error: unknown) => {
        await lock!.release().catch(() => {})
        throw error
      })
    }
    if (!options.full) {
      facts!.start()
      startDrift()
    }
  }
  if (roundTrip && roundTrip.code === 0) {
    const read = roundTrip.stdout
    reading = Promise.resolve().then(() => hostStateFromSections(new FactSections(read), target) ?? readHostState(host))
    reading.catch(() => {})
  }
  let state: HostState | undefined
  let engine: Awaited<ReturnType<typeof provisionHost>> | undefined
  let failure: unknown
  try {
    activity('facts')
    const stateRead = startReading()
    startDrift()
    try {
      engine = await provisionHost(target, hosts, desired, {
        facts: facts && roundTrip ? {request: facts, result: roundTrip} : undefined,
        dryRun: options.dryRun,
        beforeEngineRestart: options.beforeEngineRestart,
        onStepStart: (_, step) => activity(step.id),
        onStepProgress: (_, step, text) => activity(`${step.id}: ${text}`),
        onStep: (_, outcome) =>
          emit({kind: 'engine', id: outcome.id, title: outcome.title, result: outcome.result, detail: outcome.detail, ...(outcome.diff ? {diff: outcome.diff} : {}), durationMs: outcome.durationMs}),
        reconnect: async () => {
          const fresh = await session.reconnect()
          hosts.login = fresh.login
          hosts.root = fresh.root
          return fresh
        },
      })
    } catch (error) {
      throw error instanceof UserError ? error : new UpStepFailed(`${target}: ${(error as Error).message}`)
    }

    state = await stateRead
    // The host's key for spec hashes and the provisioners' drift: read (the key made, the first time) once, as root.
    const drift = await startDrift()
    const specs = drift?.specs ?? new SpecHasher(randomBytes(32))
    // What the drift round trip read before an engine step changed the host may no longer hold.
    const prefetched = steps.some((step) => step.result === 'changed') ? new Map<string, string>() : (drift?.outputs ?? new Map<string, string>())
    let current = ''
    const context: ProvisionerContext = {
      target,
      hosts,
      state,
      dryRun: options.dryRun,
      secrets: config.secrets,
      specs,
      prefetched,
      ...(options.rerun ? {rerun: options.rerun} : {}),
      onProgress: (text) => activity(`${current}: ${text}`),
      ...(options.registryAuth ? {registryAuth: options.registryAuth} : {}),
    }
    for (const provisioner of provisioners) {
      current = provisioner.name
      activity(provisioner.name)
      const stepStarted = performance.now()
      try {
        // eslint-disable-next-line no-await-in-loop -- provisioners run in order, each on what the last left
        const run = await runProvisioner(provisioner, context)
        emit({
          kind: 'provisioner',
          id: provisioner.name,
          title: provisioner.type,
          result: run.result,
          detail: run.detail,
          ...(run.drift ? {drift: run.drift} : {}),
          ...(run.diff ? {diff: run.diff} : {}),
          durationMs: Math.round(performance.now() - stepStarted),
        })
        // Once a provisioner changed the host, what the drift round trip read before may no longer hold.
        if (run.result === 'changed' || run.result === 'ran') prefetched.clear()
        if (!options.dryRun) record(state, provisioner, run, options.tkVersion)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        emit({kind: 'provisioner', id: provisioner.name, title: provisioner.type, result: 'failed', detail: message, durationMs: Math.round(performance.now() - stepStarted)})
        throw error
      }
    }
  } catch (error) {
    failure = error
  } finally {
    // After an engine step failed, the state was read but not yet taken: the run is recorded all the same.
    state ??= await reading?.catch(() => undefined)
    if (lock && state) {
      const changed = steps.filter((step) => step.result === 'changed').length
      const lastUp: LastUp = {
        at: new Date().toISOString(),
        by: options.by,
        tkVersion: options.tkVersion,
        ok: failure === undefined,
        changed,
        durationMs: Math.round(performance.now() - started),
      }
      const next = {...state, lastUp}
      // A check that changed nothing is recorded with the fingerprint the host had as it began, for quick runs;
      // any other removes the record: the next run checks in full.
      const account =
        plan && look?.fingerprint && failure === undefined && thenStdinFits(next) && steps.every((step) => step.result === 'ok')
          ? newAccount(plan, (await drifting?.catch(() => undefined))?.apiAnswers ?? new Map(), {
              at: lastUp.at,
              by: options.by,
              tkVersion: options.tkVersion,
              steps: steps.map(({kind, id, title, detail}) => ({kind, id, title, detail})),
              ...(engine?.engine ? {engine: engine.engine} : {}),
              ...(engine?.os ? {os: engine.os} : {}),
              notices: engine?.notices ?? [],
            })
          : undefined
      // Recorded even after a failure: what ran must not run again by mistake.
      await writeHostState(hosts.root, next, await recordScript(account && {account, fingerprint: look!.fingerprint!})).catch((error: Error) => {
        failure ??= new HostStateError(`${target}: cannot write the host's state: ${error.message}`)
      })
    }
    await lock?.release()
  }
  if (failure !== undefined) throw failure

  return {
    target,
    dryRun: options.dryRun,
    changed: steps.filter((step) => step.result === 'changed' || step.result === 'would-change').length,
    steps,
    ...(engine?.engine ? {engine: engine.engine} : {}),
    ...(engine?.os ? {os: engine.os} : {}),
    notices: engine?.notices ?? [],
    durationMs: Math.round(performance.now() - started),
  }
}

/**
 * A quick run's result: the full check's steps as it recorded them, its account of this run left in
 * up.last (by the lock's holder, as the lock is let go) for tk status.
 */
async function quickRun(target: string, account: CheckAccount, lock: HeldLock, started: number, options: UpHostOptions): Promise<UpResult> {
  const steps = quickSteps(account)
  for (const step of steps) options.onStep?.(target, step)
  const durationMs = Math.round(performance.now() - started)
  const last: LastUp = {at: new Date().toISOString(), by: options.by, tkVersion: options.tkVersion, ok: true, changed: 0, durationMs, quick: true}
  await lock.release({last: JSON.stringify(last)})
  return {
    target,
    dryRun: false,
    changed: 0,
    steps,
    ...(account.engine ? {engine: account.engine} : {}),
    ...(account.os ? {os: account.os} : {}),
    notices: account.notices,
    quick: {fullCheckAt: account.at},
    durationMs,
  }
}

function record(state: HostState, provisioner: Provisioner, run: ProvisionerRun, tkVersion: string): void {
  const earlier = state.provisioners[provisioner.name]
  if (run.result === 'ok' && earlier?.specHash === run.specHash) return
  // The same spec, recorded by an older tk as a plain hash: only the hash is rewritten (keyed).
  if (run.result === 'ok' && earlier && run.rehash) {
    state.provisioners[provisioner.name] = {...earlier, specHash: run.specHash}
    return
  }
  state.provisioners[provisioner.name] = {type: provisioner.type, specHash: run.specHash, appliedAt: new Date().toISOString(), tkVersion}
}
