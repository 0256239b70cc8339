/**
 * Human output of `tk up`: on a terminal, a live line per host (what it is
 * doing, for how long) redrawn in place; elsewhere, plain lines as steps
 * change something or fail. Then an account of what changed, and a table.
 */
import type {HostOutcome} from '../fleet/runner.js'
import type {UpResult, UpStep} from '../up/index.js'
import type {Style} from './style.js'
import {renderFleetSummary} from './fleet.js'
import {diffLines} from './provision.js'
import type {StepOutcome} from '../provision/index.js'

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`

interface HostLine {
  state: 'waiting' | 'running' | 'ok' | 'failed' | 'skipped'
  activity: string
  startedAt?: number
  endedAt?: number
  changed: number
}

export interface UpProgressOptions {
  live: boolean
  style: Style
  write: (text: string) => void
  dryRun: boolean
  /** Width of the step-name column: the longest step or provisioner name to come (`shell:busybox-image`). */
  stepWidth?: number
  /** The terminal's width: a live line longer than that would wrap and break the redrawing. Default: stdout's columns, else 80. */
  columns?: () => number
  /** The terminal's height: a block taller than that cannot be redrawn in place. Default: stdout's rows, else 24. */
  rows?: () => number
}

/** A live block of more hosts than this (or than the terminal has rows for) is a summary instead of a line per host. */
export const MAX_LIVE_LINES = 20
/** How many of the slowest running hosts, and of the failed ones, a summary names. */
const SUMMARY_NAMES = 5

/** The step-name column is at least this wide, and as wide as the longest name tk.yml gives a provisioner. */
export const MIN_STEP_WIDTH = 18

export class UpProgress {
  private readonly lines = new Map<string, HostLine>()
  private readonly width: number
  private drawn = 0
  private frame = 0
  private timer: NodeJS.Timeout | undefined

  constructor(
    targets: string[],
    private readonly options: UpProgressOptions,
  ) {
    for (const target of targets) this.lines.set(target, {state: 'waiting', activity: 'queued', changed: 0})
    this.width = Math.max(...targets.map((target) => target.length))
    if (options.live) {
      this.timer = setInterval(() => this.draw(), 100)
      this.timer.unref()
    }
  }

  start(target: string): void {
    const line = this.lines.get(target)!
    // A sandbox host's clock started when its machine was being made.
    Object.assign(line, {state: 'running', activity: 'connecting', startedAt: line.startedAt ?? performance.now()})
    this.draw()
  }

  /** A sandbox host whose machine is being made (an image built, a container started) before the run reaches it: running, with its clock, not queued. */
  creating(target: string): void {
    const line = this.lines.get(target)!
    Object.assign(line, {state: 'running', activity: 'creating machine', startedAt: performance.now()})
    this.draw()
  }

  activity(target: string, activity: string): void {
    const line = this.lines.get(target)!
    line.activity = activity
    if (!this.options.live && activity.startsWith('waiting for')) this.options.write(`${target.padEnd(this.width)}  ${activity}\n`)
  }

  step(target: string, step: UpStep): void {
    const line = this.lines.get(target)!
    if (step.result === 'changed' || step.result === 'would-change') line.changed++
    if (!this.options.live && step.result !== 'ok' && step.result !== 'verified' && step.result !== 'skipped') {
      this.options.write(`${stepLine(target, this.width, step, this.options.style, this.options.stepWidth)}\n`)
      for (const line of stepBody(this.width, step, this.options.style)) this.options.write(`${line}\n`)
    }
  }

  /**
   * A line of news while hosts converge (a sandbox machine being made): on
   * a terminal it goes above the live block, which is drawn again under it —
   * written anywhere else, it would be overwritten by the next redraw and
   * leave a stale block behind.
   */
  note(text: string): void {
    if (!this.options.live) {
      this.options.write(`${text}\n`)
      return
    }
    const clear = this.drawn > 0 ? `\u001B[${this.drawn}F\u001B[J` : ''
    this.options.write(`${clear}${text}\n`)
    this.drawn = 0
    this.draw()
  }

  done(outcome: HostOutcome<UpResult>): void {
    const line = this.lines.get(outcome.target)!
    const activity = outcome.status === 'ok' ? '' : outcome.status === 'failed' ? outcome.error.message : outcome.reason
    Object.assign(line, {state: outcome.status === 'ok' ? 'ok' : outcome.status, endedAt: performance.now(), activity})
    if (outcome.status === 'ok') line.changed = outcome.value.changed
    // At scale, piped output says each host as it finishes too (the table at the end comes only after the last).
    if (!this.options.live && this.lines.size > MAX_LIVE_LINES) this.options.write(`${this.finishedLine(outcome.target, line)}\n`)
    this.draw()
  }

  private finishedLine(target: string, line: HostLine): string {
    const {style} = this.options
    const elapsed = line.startedAt === undefined ? '' : seconds((line.endedAt ?? performance.now()) - line.startedAt)
    const name = target.padEnd(this.width)
    if (line.state === 'ok') return `${style.green('✔')} ${name}  ${`${line.changed} ${this.options.dryRun ? 'would change' : 'changed'}`.padEnd(16)} ${style.dim(elapsed)}`
    if (line.state === 'skipped') return `${style.dim(`- ${name}  ${line.activity}`)}`
    return `${style.red('✘')} ${name}  ${style.red('failed')} ${style.dim(elapsed)}  ${line.activity}`
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.draw()
  }

  /** The activity cut to what the terminal has room for beside the name and the clock. */
  private fit(activity: string, elapsed: string): string {
    const columns = this.options.columns?.() ?? (process.stdout.columns || 80)
    const room = columns - (2 + this.width + 2 + 1 + elapsed.length) - 1
    if (activity.length <= room) return activity
    return room > 1 ? `${activity.slice(0, room - 1)}…` : ''
  }

  private draw(): void {
    if (!this.options.live) return
    this.frame = (this.frame + 1) % SPINNER.length
    const rows = this.options.rows?.() ?? (process.stdout.rows || 24)
    const text = this.lines.size > Math.min(MAX_LIVE_LINES, rows - 2) ? this.summary() : this.hostLines()
    // Back to the top of the block, then each line cleared and rewritten; a shorter block leaves nothing under it.
    const up = this.drawn > 0 ? `\u001B[${this.drawn}F` : ''
    this.options.write(`${up}${text.map((line) => `\u001B[2K${line}\n`).join('')}${text.length < this.drawn ? '\u001B[J' : ''}`)
    this.drawn = text.length
  }

  /**
   * The live block at scale: counts by state, the slowest running hosts and
   * the failed ones by name (a few of each), in a block of fixed height.
   */
  private summary(): string[] {
    const {style} = this.options
    const now = performance.now()
    const all = [...this.lines]
    const count = (state: HostLine['state']) => all.filter(([, line]) => line.state === state).length
    const [running, ok, failed, waiting, skipped] = (['running', 'ok', 'failed', 'waiting', 'skipped'] as const).map(count)
    const parts = [
      style.yellow(`${running} running`),
      style.green(`${ok} ${this.options.dryRun ? 'planned' : 'done'}`),
      failed > 0 ? style.red(`${failed} failed`) : `${failed} failed`,
      style.dim(`${waiting} queued`),
      ...(skipped > 0 ? [style.dim(`${skipped} not started`)] : []),
    ]
    const lines = [`${style.yellow(SPINNER[this.frame])} ${all.length} hosts: ${parts.join(', ')}`]
    const slowest = all
      .filter(([, line]) => line.state === 'running')
      .sort(([, a], [, b]) => (a.startedAt ?? now) - (b.startedAt ?? now))
      .slice(0, SUMMARY_NAMES)
    if (slowest.length > 0) lines.push(style.dim('  slowest:'))
    for (const [target, line] of slowest) {
      const elapsed = seconds(now - (line.startedAt ?? now))
      lines.push(`    ${target.padEnd(this.width)}  ${this.fit(line.activity, `${elapsed}  `).padEnd(16)} ${style.dim(elapsed)}`)
    }
    const failures = all.filter(([, line]) => line.state === 'failed')
    if (failures.length > 0) lines.push(style.red('  failed:'))
    for (const [target, line] of failures.slice(0, SUMMARY_NAMES)) lines.push(`    ${style.red(target.padEnd(this.width))}  ${this.fit(line.activity, '      ')}`)
    if (failures.length > SUMMARY_NAMES) lines.push(style.dim(`    and ${failures.length - SUMMARY_NAMES} more (listed at the end)`))
    return lines
  }

  private hostLines(): string[] {
    const {style} = this.options
    return [...this.lines].map(([target, line]) => {
      const elapsed = line.startedAt === undefined ? '' : seconds((line.endedAt ?? performance.now()) - line.startedAt)
      const name = target.padEnd(this.width)
      switch (line.state) {
        case 'waiting':
          return `${style.dim(`· ${name}  queued`)}`
        case 'running':
          return `${style.yellow(SPINNER[this.frame])} ${name}  ${this.fit(line.activity, elapsed).padEnd(16)} ${style.dim(elapsed)}`
        case 'ok':
          return `${style.green('✔')} ${name}  ${`${line.changed} ${this.options.dryRun ? 'would change' : 'changed'}`.padEnd(16)} ${style.dim(elapsed)}`
        case 'skipped':
          return `${style.dim(`- ${name}  not started`)}`
        default:
          return `${style.red('✘')} ${name}  ${style.red('failed'.padEnd(16))} ${style.dim(elapsed)}`
      }
    })
  }
}

const MARKS: Record<UpStep['result'], (style: Style) => string> = {
  ok: (style) => style.green('ok     '),
  verified: (style) => style.green('ok     '),
  changed: (style) => style.yellow('changed'),
  ran: (style) => style.bold('ran    '),
  'would-change': (style) => style.yellow('planned'),
  skipped: (style) => style.dim('skip   '),
  failed: (style) => style.red('FAILED '),
}

export const stepName = (step: Pick<UpStep, 'kind' | 'title' | 'id'>): string => (step.kind === 'provisioner' ? `${step.title}:${step.id}` : step.id)

export function stepLine(target: string, width: number, step: UpStep, style: Style, stepWidth = MIN_STEP_WIDTH): string {
  return `${target.padEnd(width)}  ${MARKS[step.result](style)} ${stepName(step).padEnd(stepWidth)} ${seconds(step.durationMs).padStart(6)}  ${step.detail}`
}

/**
 * Under a step's line: what drifted on the host, then its diff: daemon.json's as tk provision shows
 * it, a file provisioner's unified diffs and a container's spec in full.
 */
export function stepBody(width: number, step: UpStep, style: Style): string[] {
  const pad = ' '.repeat(width + 2)
  const lines = (step.drift ?? []).map((drift) => `${pad}${style.yellow('drift:')} ${drift}`)
  if (step.kind === 'engine') return [...lines, ...diffLines(width, step as StepOutcome, style)]
  for (const line of step.diff ?? []) {
    const colored = /^(\+\+\+|---|@@)/.test(line) ? style.dim(line) : line.startsWith('+') ? style.green(line) : line.startsWith('-') ? style.red(line) : line
    lines.push(`${pad}${colored}`)
  }
  return lines
}

/** What changed (or would), host by host, for the account after a live run. */
export function renderChanges(outcomes: Array<HostOutcome<UpResult>>, steps: Map<string, UpStep[]>, style: Style): string[] {
  const width = Math.max(...outcomes.map((outcome) => outcome.target.length))
  const stepWidth = Math.max(MIN_STEP_WIDTH, ...[...steps.values()].flat().map((step) => stepName(step).length))
  const lines: string[] = []
  for (const outcome of outcomes) {
    for (const step of steps.get(outcome.target) ?? []) {
      if (step.result !== 'ok' && step.result !== 'verified' && step.result !== 'skipped') lines.push(stepLine(outcome.target, width, step, style, stepWidth), ...stepBody(width, step, style))
    }
  }
  return lines
}

export function renderUpSummary(outcomes: Array<HostOutcome<UpResult>>, style: Style, dryRun: boolean): string {
  return renderFleetSummary(outcomes, style, dryRun, {changed: (value) => value.changed, engine: (value) => value.engine?.version ?? '-'})
}
