/**
 * Upgrades one host: facts (after refreshing its package lists), the plan,
 * then the pinned install with the packages' own restarts held back, then
 * one restart of the engine and a health check (`docker info` within a
 * bounded time). When the engine does not come back, tk puts the previous
 * versions back (when the sources still offer them) and restarts it again,
 * so the host is left with a running engine wherever that is possible; the
 * failure carries the engine's journal either way.
 */
import {ExitCode} from '../cli/exit-codes.js'
import {UserError} from '../errors/index.js'
import type {Host, RunResult} from '../host/host.js'
import {boundScript} from '../provision/scripts.js'
import {gatherUpgradeFacts} from './facts.js'
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
export class UpgradeFailed extends UserError {
  constructor(
    message: string,
    readonly details: {journal: string[]; rolledBack: boolean; engineRunning: boolean; packages: PackageMove[]},
    hint?: string,
  ) {
    super(message, {exitCode: ExitCode.FAILED, hint})
    this.name = 'UpgradeFailed'
  }
}

export interface UpgradeHostOptions extends DesiredUpgrade {
  dryRun?: boolean
  /** Seconds the engine has to answer `docker info` after its restart. */
  healthTimeoutS?: number
  onStep?: (target: string, outcome: UpgradeStepOutcome) => void
}

interface RestartOutcome {
  ok: boolean
  code: number
  message: string
  journal: string[]
  pid?: number
  version?: string
}

async function restartEngine(root: Host, init: string, limit: number, services: string[]): Promise<RestartOutcome> {
  const result: RunResult = await root.run(await boundScript('upgrade-restart.sh', [init, String(limit), ...services]), {timeoutMs: (limit + 180) * 1000})
  const [before, journal = ''] = result.stderr.split('@@tk:journal\n')
  const values = Object.fromEntries(result.stdout.split('\n').map((line) => line.split('=', 2) as [string, string]))
  return {
    ok: result.code === 0,
    code: result.code,
    message: before.trim().split('\n').filter(Boolean).join('; '),
    journal: journal.split('\n').filter((line) => line.trim() !== ''),
    pid: values.pid ? Number(values.pid) : undefined,
    version: values.version,
  }
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

  let started = performance.now()
  const facts = await gatherUpgradeFacts(root)
  const plan = planUpgrade(target, facts, options)
  const changing = plan.packages.filter((item) => item.change !== 'none')
  emit('facts', 'ok', `docker.io ${facts.installed['docker.io']}; range ${plan.range}${plan.rangeSource === 'flag' ? '' : ' (the installed major)'}`, started)
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

  if (changing.length === 0) {
    emit('install', 'ok', 'every package is at its newest version in range', performance.now())
    return result
  }
  if (options.dryRun) {
    emit('install', 'would-change', arrow(changing), performance.now())
    return result
  }

  started = performance.now()
  const installed = await root.run(await boundScript('upgrade-install.sh', plan.pins, {TK_ALLOW_DOWNGRADES: plan.downgrades ? 'yes' : 'no'}), {timeoutMs: 30 * 60_000})
  if (installed.code !== 0) {
    const output = `${installed.stderr}\n${installed.stdout}`.trim().split('\n').slice(-4).join(' | ')
    emit('install', 'failed', `apt-get exited ${installed.code}`, started)
    // apt stops before unpacking when it cannot fetch or resolve: an engine that still answers is left alone
    // (a restart would stop its containers for nothing); one that does not is restarted.
    const answering = await root.run(await boundScript('wait-engine.sh', ['5']), {timeoutMs: 60_000})
    const check: RestartOutcome = answering.code === 0 ? {ok: true, code: 0, message: '', journal: []} : await restartEngine(root, facts.init, limit, [])
    throw new UpgradeFailed(`${target}: installing ${plan.pins.join(' ')} failed: apt-get exited ${installed.code}${output ? `: ${output}` : ''}`, {
      journal: check.ok ? [] : check.journal,
      rolledBack: false,
      engineRunning: check.ok,
      packages: plan.packages,
    })
  }
  emit('install', 'changed', arrow(changing), started)

  started = performance.now()
  const restart = await restartEngine(root, facts.init, limit, plan.restartFirst)
  result.restarted = true
  if (restart.ok) {
    emit('restart', 'ok', `engine ${restart.version} answered docker info in ${((performance.now() - started) / 1000).toFixed(1)}s`, started)
    result.engine = {version: restart.version ?? '', pid: restart.pid}
    return result
  }
  const why = restart.code === 3 ? restart.message : `the engine did not answer docker info within ${limit}s after its restart`
  emit('restart', 'failed', why, started)

  // Put the previous versions back, where the sources still offer them, and start the engine on those.
  started = performance.now()
  const unavailable = changing.filter((item) => !(facts.offered[item.name] ?? []).includes(item.from))
  let rolledBack = false
  if (unavailable.length === 0) {
    const back = await root.run(await boundScript('upgrade-install.sh', changing.map((item) => `${item.name}=${item.from}`), {TK_ALLOW_DOWNGRADES: 'yes'}), {timeoutMs: 30 * 60_000})
    rolledBack = back.code === 0
  }
  const after = await restartEngine(root, facts.init, limit, plan.restartFirst)
  const state = after.ok ? `the engine runs again (${after.version})` : 'the engine is still down'
  emit(
    'rollback',
    after.ok ? 'changed' : 'failed',
    `${rolledBack ? `put back ${changing.map((item) => `${item.name} ${item.from}`).join(', ')}` : unavailable.length > 0 ? `cannot put back ${unavailable.map((item) => `${item.name} ${item.from}`).join(', ')}: no longer offered` : 'putting the previous versions back failed'}; ${state}`,
    started,
  )
  throw new UpgradeFailed(
    `${target}: ${why}; ${rolledBack ? 'the previous versions are back' : 'the new versions stay'} and ${state}`,
    {journal: restart.journal, rolledBack, engineRunning: after.ok, packages: plan.packages},
    after.ok ? 'see the journal lines above; the host was left on its previous versions' : 'see the journal lines above: fix what keeps the engine from starting, then run tk upgrade again',
  )
}
