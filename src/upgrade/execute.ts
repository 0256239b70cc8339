/**
 * Upgrades one host: facts (after refreshing its package lists), the plan,
 * then host-scripts/upgrade-apply.sh, which does the rest on the host so that
 * a lost connection cannot stop it half-way: the pinned install with the
 * packages' own restarts held back, one restart of the engine and a health
 * check (`docker info` within a bounded time), and when the engine does not
 * come back, the previous versions put back (when the sources still offer
 * them) and the engine restarted again — the host is left with a running
 * engine wherever that is possible; the failure carries the engine's
 * journal either way. tk follows the script's progress lines as they come.
 */
import {HostStateError} from '../errors/index.js'
import type {Host} from '../transport/host.js'
import {boundScript} from '../transport/host-scripts.js'
import {gatherUpgradeFacts} from '../facts/upgrade-facts.js'
import {explainRefused, fetchRoute, installRecord, type FetchVia, openWorkstationFetch, readAptSources} from '../fetch/workstation-fetch.js'
import {planUpgrade, type DesiredUpgrade, type PackageMove, type UpgradePlan} from './plan.js'

export type UpgradeStepId = 'facts' | 'install' | 'restart' | 'rollback'
export type UpgradeStepResult = 'ok' | 'changed' | 'would-change' | 'failed'

export interface UpgradeStepOutcome {
  id: UpgradeStepId
  result: UpgradeStepResult
  detail: string
  durationMs: number
}

export interface UpgradeResult {
  target: string
  dryRun: boolean
  range: string
  rangeSource: UpgradePlan['rangeSource']
  packages: PackageMove[]
  /** Packages that changed (or would, with --dry-run). */
  changed: number
  /** Whether tk restarted the engine. */
  restarted: boolean
  engine?: {version: string; pid?: number}
  steps: UpgradeStepOutcome[]
}

/** The engine did not come back after the upgrade. */
export class UpgradeFailed extends HostStateError {
  constructor(
    message: string,
    readonly details: {journal: string[]; rolledBack: boolean; engineRunning: boolean; packages: PackageMove[]},
    hint?: string,
  ) {
    super(message, {hint})
    this.name = 'UpgradeFailed'
  }
}

export interface UpgradeHostOptions extends DesiredUpgrade {
  dryRun?: boolean
  /** Seconds the engine has to answer `docker info` after its restart. */
  healthTimeoutS?: number
  onStep?: (target: string, outcome: UpgradeStepOutcome) => void
  /** Packages through the workstation (--fetch-via, engine.fetch): apt-get update and install fetch over the SSH connection. */
  fetch?: FetchVia
  /** More URLs the workstation's proxy may fetch from besides the host's apt sources (the engine's repository). */
  fetchSources?: string[]
  /** Right before the packages change and the engine restarts (a swarm node's drain): not called when nothing changes. */
  beforeApply?: () => Promise<void>
}

/** How a restart in upgrade-apply.sh ended: "@@tk:restart ..." or "@@tk:after ...". */
interface RestartOutcome {
  status: 'ok' | 'refused' | 'down'
  pid?: number
  version?: string
  /** The new dockerd's refusal of daemon.json. */
  message?: string
  journal: string[]
}

/** What upgrade-apply.sh reported, line by line. */
interface ApplyReport {
  install?: {code: number; output: string[]}
  /** After a failed install: the engine still answered and was left alone. */
  answering?: boolean
  restart?: RestartOutcome
  rollback?: 'put-back' | 'failed' | 'unavailable'
  after?: RestartOutcome
  ended: boolean
}

/**
 * Reads upgrade-apply.sh's lines as they arrive into a report, calling
 * onEvent when the install, the restart or the restart after a rollback is
 * known (with its journal, for a restart that failed).
 */
class ApplyReader {
  readonly report: ApplyReport = {ended: false}
  private buffered = ''
  private section: 'apt' | 'journal' | 'refused' | undefined
  private current: RestartOutcome | undefined
  private pending: 'restart' | 'after' | undefined

  constructor(private readonly onEvent: (event: 'install' | 'restart' | 'after') => void) {}

  push(chunk: Buffer): void {
    this.buffered += chunk.toString('utf8')
    let newline: number
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline)
      this.buffered = this.buffered.slice(newline + 1)
      this.line(line)
    }
  }

  /** The output has ended: what is still pending is complete. */
  finish(): void {
    if (this.buffered) this.line(this.buffered)
    this.buffered = ''
    this.flush()
  }

  private flush(): void {
    if (this.pending) this.onEvent(this.pending)
    this.pending = undefined
  }

  private line(line: string): void {
    const marker = /^@@tk:(\S+)(?: (.*))?$/.exec(line)
    if (!marker) {
      if (this.section === 'apt' && this.report.install) this.report.install.output.push(line)
      else if (this.section === 'journal' && this.current && line.trim() !== '') this.current.journal.push(line)
      else if (this.section === 'refused' && this.current) this.current.message = line.trim()
      return
    }
    const [, name, rest = ''] = marker
    if (name !== 'journal') this.flush()
    this.section = undefined
    switch (name) {
      case 'apt':
        this.report.install ??= {code: -1, output: []}
        this.section = 'apt'
        break
      case 'install':
        this.report.install = {code: Number(rest), output: this.report.install?.output ?? []}
        this.onEvent('install')
        break
      case 'answering':
        this.report.answering = true
        break
      case 'restart':
      case 'after': {
        const [status, pid, version] = rest.split(' ')
        this.current = {status: status as RestartOutcome['status'], pid: pid ? Number(pid) : undefined, version, journal: []}
        this.report[name] = this.current
        if (status === 'refused') this.section = 'refused'
        this.pending = name
        break
      }
      case 'journal':
        this.section = 'journal'
        break
      case 'rollback':
        this.report.rollback = rest as ApplyReport['rollback']
        break
      case 'end':
        this.report.ended = true
        break
    }
  }
}

/** Why a restart failed, for its step and the error. */
function restartFailure(restart: RestartOutcome, limit: number): string {
  return restart.status === 'refused' ? (restart.message ?? 'the new dockerd refuses /etc/docker/daemon.json') : `the engine did not answer docker info within ${limit}s after its restart`
}

const arrow = (items: PackageMove[]) => items.map((item) => `${item.name} ${item.from} -> ${item.to}`).join(', ')

export async function upgradeHost(target: string, root: Host, options: UpgradeHostOptions = {}): Promise<UpgradeResult> {
  const steps: UpgradeStepOutcome[] = []
  const emit = (id: UpgradeStepId, result: UpgradeStepResult, detail: string, started: number) => {
    const outcome = {id, result, detail, durationMs: Math.round(performance.now() - started)}
    steps.push(outcome)
    options.onStep?.(target, outcome)
  }
  const limit = options.healthTimeoutS ?? 60

  const started = performance.now()
  // Packages through the workstation: open from apt-get update (the facts, dry runs too) to the install.
  const fetch = options.fetch === 'workstation' ? await openWorkstationFetch(target, root, await readAptSources(root), options.fetchSources) : undefined
  try {
    return await upgradeWith(target, root, options, steps, emit, limit, started, {...fetch?.aptEnv, ...installRecord(options.fetch)})
  } catch (error) {
    throw fetch ? explainRefused(error, fetch) : error
  } finally {
    await fetch?.close()
  }
}

async function upgradeWith(
  target: string,
  root: Host,
  options: UpgradeHostOptions,
  steps: UpgradeStepOutcome[],
  emit: (id: UpgradeStepId, result: UpgradeStepResult, detail: string, started: number) => void,
  limit: number,
  started: number,
  aptEnv: Record<string, string>,
): Promise<UpgradeResult> {
  const facts = await gatherUpgradeFacts(root, aptEnv)
  const plan = planUpgrade(target, facts, options)
  const changing = plan.packages.filter((item) => item.change !== 'none')
  const via = options.fetch === 'workstation' ? `; packages ${fetchRoute('workstation')}` : ''
  emit('facts', 'ok', `${plan.packages[0].name} ${plan.packages[0].from}; range ${plan.range}${plan.rangeSource === 'flag' ? '' : ' (the installed major)'}${via}`, started)
  const result: UpgradeResult = {
    target,
    dryRun: Boolean(options.dryRun),
    range: plan.range,
    rangeSource: plan.rangeSource,
    packages: plan.packages,
    changed: changing.length,
    restarted: false,
    steps,
  }

  // Containerd or the engine still running a binary replaced on disk: upgraded without the restart
  // (a host that went down half-way, an apt run with restarts held back). Restarted onto what is installed.
  const stale = changing.length === 0 ? facts.stale : []
  const staleText = `${stale.join(' and ')} still run${stale.length === 1 ? 's' : ''} a binary replaced on disk since ${stale.length === 1 ? 'it' : 'they'} started`
  if (changing.length === 0) {
    emit('install', 'ok', 'every package is at its newest version in range', performance.now())
    if (stale.length === 0) return result
    if (options.dryRun) {
      emit('restart', 'would-change', `${staleText}: restart onto the installed version`, performance.now())
      return result
    }
  }
  if (options.dryRun) {
    emit('install', 'would-change', arrow(changing), performance.now())
    return result
  }

  // The host does the rest itself, reporting as it goes: a lost connection does not stop it half-way.
  const unavailable = changing.filter((item) => !(facts.offered[item.name] ?? []).includes(item.from))
  const putBack = unavailable.length === 0 ? changing.map((item) => `${item.name}=${item.from}`) : []
  let stepStarted = performance.now()
  const reader = new ApplyReader((event) => {
    const report = reader.report
    if (event === 'install') {
      const code = report.install!.code
      emit('install', code === 0 ? 'changed' : 'failed', code === 0 ? arrow(changing) : `apt-get exited ${code}`, stepStarted)
    } else if (event === 'restart') {
      const restart = report.restart!
      result.restarted = restart.status !== 'refused'
      if (restart.status === 'ok') {
        emit('restart', 'ok', `engine ${restart.version} answered docker info in ${((performance.now() - stepStarted) / 1000).toFixed(1)}s`, stepStarted)
      } else {
        emit('restart', 'failed', restartFailure(restart, limit), stepStarted)
      }
    } else if (report.restart && report.restart.status !== 'ok' && report.after) {
      // The restart after putting the previous versions back.
      const after = report.after
      const state = after.status === 'ok' ? `the engine runs again (${after.version})` : 'the engine is still down'
      const what =
        report.rollback === 'put-back'
          ? `put back ${changing.map((item) => `${item.name} ${item.from}`).join(', ')}`
          : report.rollback === 'unavailable'
            ? `cannot put back ${unavailable.map((item) => `${item.name} ${item.from}`).join(', ')}: no longer offered`
            : 'putting the previous versions back failed'
      emit('rollback', after.status === 'ok' ? 'changed' : 'failed', `${what}; ${state}`, stepStarted)
    }
    stepStarted = performance.now()
  })
  await options.beforeApply?.()
  const applied = await root.run(
    await boundScript('upgrade-apply.sh', [facts.init, String(limit), (stale.includes('containerd') ? ['containerd'] : plan.restartFirst).join(' '), putBack.join(' '), ...plan.pins], {
      TK_ALLOW_DOWNGRADES: plan.downgrades ? 'yes' : 'no',
      ...aptEnv,
      // Docker's engine (method docker): its pin follows the upgrade, and a rollback.
      ...(plan.enginePin ? {TK_ENGINE_PIN: plan.enginePin.after.join(' '), TK_ENGINE_PIN_BACK: plan.enginePin.before.join(' ')} : {}),
    }),
    // apt (30 min at most), then up to three restarts and a rollback install.
    {timeoutMs: 2 * 30 * 60_000 + 3 * (limit + 300) * 1000, onStdout: (chunk) => reader.push(chunk)},
  )
  reader.finish()
  const report = reader.report
  if (!report.ended) {
    // The script did not finish (killed on the host, or the connection lost): where it stopped is the host's to say.
    throw new HostStateError(`${target}: the upgrade did not report its end (exit ${applied.code}): ${applied.stderr.trim().split('\n').slice(-2).join(' | ') || 'no output'}`, {
      hint: 'run tk upgrade again: it reads where the host is and finishes the job',
    })
  }

  if (report.install && report.install.code !== 0) {
    const output = report.install.output.slice(-4).join(' | ')
    const after = report.after
    throw new UpgradeFailed(`${target}: installing ${plan.pins.join(' ')} failed: apt-get exited ${report.install.code}${output ? `: ${output}` : ''}`, {
      journal: after && after.status !== 'ok' ? after.journal : [],
      rolledBack: false,
      engineRunning: report.answering === true || after?.status === 'ok',
      packages: plan.packages,
    })
  }
  const restart = report.restart!
  if (restart.status === 'ok') {
    result.engine = {version: restart.version ?? '', pid: restart.pid}
    return result
  }
  const after = report.after
  if (!after) {
    // Only a restart onto what was installed: nothing to put back.
    throw new UpgradeFailed(
      `${target}: ${staleText}; ${restartFailure(restart, limit)}, and the engine is down`,
      {journal: restart.journal, rolledBack: false, engineRunning: false, packages: plan.packages},
      'see the journal lines above: fix what keeps the engine from starting, then run tk upgrade again',
    )
  }
  const rolledBack = report.rollback === 'put-back'
  const state = after.status === 'ok' ? `the engine runs again (${after.version})` : 'the engine is still down'
  throw new UpgradeFailed(
    `${target}: ${restartFailure(restart, limit)}; ${rolledBack ? 'the previous versions are back' : 'the new versions stay'} and ${state}`,
    {journal: restart.journal, rolledBack, engineRunning: after.status === 'ok', packages: plan.packages},
    after.status === 'ok' ? 'see the journal lines above; the host was left on its previous versions' : 'see the journal lines above: fix what keeps the engine from starting, then run tk upgrade again',
  )
}
