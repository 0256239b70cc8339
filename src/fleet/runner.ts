/**
 * The one runner for work on many hosts. Every command that works on hosts
 * (check, provision, up, upgrade, destroy, status, exec, docker) goes through
 * it:
 *
 * - at most `concurrency` hosts at once, taken in the order given;
 * - rolling windows (tk up's serial: per group): at most a window's `size` of
 *   its hosts at once; a host waits (and the hosts after it with it, the order
 *   holds) until each window it is in has room;
 * - one host failing never stops the others, until `maxFail` hosts have
 *   failed: then no new host starts (those running finish) and the rest are
 *   `skipped`, a typed outcome of their own, never an error made up for them;
 * - an aborted `signal` (an interrupt) skips the hosts not yet started too;
 * - a thrown UserError is the host's failure, with its kind and exit code;
 *   anything else is a bug, kept with its stack.
 *
 * What the outcomes add up to (the summary, the exit code) is in result.ts.
 */
import {UserError} from '../errors/index.js'
import type {ErrorKind} from '../errors/index.js'

/** Why a host failed, as commands print it and --json carries it. */
export interface HostFailure {
  message: string
  hint?: string
  exitCode: number
  kind?: ErrorKind | 'bug'
}

interface Timing {
  target: string
  /** ISO times; absent for skipped hosts. */
  startedAt?: string
  finishedAt?: string
  durationMs: number
}

export type HostOutcome<T, E = unknown> =
  | (Timing & {status: 'ok'; value: T})
  | (Timing & {status: 'failed'; error: HostFailure; cause: E; bug?: Error})
  | (Timing & {status: 'skipped'; reason: string})

export type FailedOutcome<T, E = unknown> = Extract<HostOutcome<T, E>, {status: 'failed'}>

export interface FleetRunOptions<T, E = unknown> {
  /** How many hosts are worked on at once (a rolling run's serial window). */
  concurrency?: number
  /** Start no new host once this many have failed. Default: never stop. */
  maxFail?: number
  /** Rolling windows: at most `size` of `targets` worked on at once (within `concurrency`). */
  windows?: ReadonlyArray<{size: number; targets: ReadonlySet<string>}>
  /** Aborted: start no new host; the rest are skipped. */
  signal?: AbortSignal
  onStart?: (target: string) => void
  onDone?: (outcome: HostOutcome<T, E>) => void
}

export const DEFAULT_CONCURRENCY = 16

/** A thrown value as a host's failure: a UserError's own words and code, else a bug. */
export function failureOf(error: unknown): {error: HostFailure; bug?: Error} {
  if (error instanceof UserError) return {error: {message: error.message, hint: error.hint, exitCode: error.exitCode, kind: error.kind}}
  return {error: {message: `internal error: ${(error as Error)?.message ?? String(error)}`, exitCode: 1, kind: 'bug'}, bug: error as Error}
}

export async function runFleet<T, E = unknown>(targets: string[], work: (target: string) => Promise<T>, options: FleetRunOptions<T, E> = {}): Promise<Array<HostOutcome<T, E>>> {
  const outcomes: Array<HostOutcome<T, E>> = Array.from({length: targets.length})
  const maxFail = options.maxFail === undefined ? Number.POSITIVE_INFINITY : Math.max(1, options.maxFail)
  let next = 0
  let failures = 0
  const windows = new RollingWindows(options.windows ?? [])

  const worker = async () => {
    while (next < targets.length && failures < maxFail && !options.signal?.aborted) {
      const index = next++
      const target = targets[index]
      // eslint-disable-next-line no-await-in-loop -- a rolling window's room, before the host starts
      const release = await windows.enter(target)
      // Hosts failed (or an interrupt came) while this one waited for its window: it is not started.
      if (failures >= maxFail || options.signal?.aborted) {
        release()
        break
      }
      options.onStart?.(target)
      const startedAt = new Date()
      const started = performance.now()
      let outcome: HostOutcome<T, E>
      try {
        // eslint-disable-next-line no-await-in-loop -- each worker takes one host at a time
        const value = await work(target)
        outcome = {target, status: 'ok', value, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), durationMs: performance.now() - started}
      } catch (error) {
        failures++
        const timing = {target, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), durationMs: performance.now() - started}
        outcome = {...timing, status: 'failed', ...failureOf(error), cause: error as E}
      }
      release()
      outcomes[index] = outcome
      options.onDone?.(outcome)
    }
  }
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, targets.length))
  await Promise.all(Array.from({length: workers}, worker))

  for (const [index, target] of targets.entries()) {
    if (outcomes[index]) continue
    const reason = options.signal?.aborted
      ? 'not started: interrupted'
      : `not started: ${failures} host${failures === 1 ? '' : 's'} failed (--max-fail ${maxFail})`
    const outcome: HostOutcome<T, E> = {target, status: 'skipped', reason, durationMs: 0}
    outcomes[index] = outcome
    options.onDone?.(outcome)
  }
  return outcomes
}

/**
 * Rolling windows over the hosts: a host enters every window it is in, in
 * the windows' order (so two waiting hosts can never hold a slot the other
 * needs), and leaves them when its work is done.
 */
class RollingWindows {
  private readonly busy: number[]
  private readonly waiting: Array<Array<() => void>>

  constructor(private readonly windows: ReadonlyArray<{size: number; targets: ReadonlySet<string>}>) {
    this.busy = windows.map(() => 0)
    this.waiting = windows.map(() => [])
  }

  async enter(target: string): Promise<() => void> {
    const entered: number[] = []
    for (const [index, window] of this.windows.entries()) {
      if (!window.targets.has(target)) continue
      // eslint-disable-next-line no-await-in-loop -- windows are entered one after the other, in order
      while (this.busy[index] >= Math.max(1, window.size)) await new Promise<void>((resolve) => this.waiting[index].push(resolve))
      this.busy[index]++
      entered.push(index)
    }
    return () => {
      for (const index of entered) {
        this.busy[index]--
        this.waiting[index].shift()?.()
      }
    }
  }
}
