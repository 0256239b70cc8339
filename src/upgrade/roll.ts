/**
 * Runs work on hosts as a rolling change: at most `serial` hosts at once, in
 * the order given, and no new host started once `maxFail` hosts have failed
 * (those running finish; the rest are skipped and left untouched). Each
 * outcome records when its host started and finished.
 */
import {UserError} from '../errors/index.js'

export interface RollFailure {
  message: string
  hint?: string
  exitCode: number
}

interface Timing {
  target: string
  /** ISO times; absent for skipped hosts. */
  startedAt?: string
  finishedAt?: string
  durationMs: number
}

export type RollOutcome<T, E = unknown> =
  | (Timing & {status: 'ok'; value: T})
  | (Timing & {status: 'failed'; error: RollFailure; cause: E; bug?: Error})
  | (Timing & {status: 'skipped'; reason: string})

export interface RollOptions<T, E> {
  serial?: number
  maxFail?: number
  onStart?: (target: string) => void
  onDone?: (outcome: RollOutcome<T, E>) => void
}

export async function rollHosts<T, E = unknown>(targets: string[], work: (target: string) => Promise<T>, options: RollOptions<T, E> = {}): Promise<Array<RollOutcome<T, E>>> {
  const serial = Math.max(1, options.serial ?? 1)
  const maxFail = Math.max(1, options.maxFail ?? 1)
  const outcomes: Array<RollOutcome<T, E>> = Array.from({length: targets.length})
  let next = 0
  let failures = 0

  const worker = async () => {
    while (next < targets.length && failures < maxFail) {
      const index = next++
      const target = targets[index]
      options.onStart?.(target)
      const startedAt = new Date()
      const started = performance.now()
      let outcome: RollOutcome<T, E>
      try {
        // eslint-disable-next-line no-await-in-loop -- each worker takes one host at a time
        const value = await work(target)
        outcome = {target, status: 'ok', value, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), durationMs: performance.now() - started}
      } catch (error) {
        failures++
        const timing = {target, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), durationMs: performance.now() - started}
        outcome =
          error instanceof UserError
            ? {...timing, status: 'failed', error: {message: error.message, hint: error.hint, exitCode: error.exitCode}, cause: error as E}
            : {...timing, status: 'failed', error: {message: `internal error: ${(error as Error).message}`, exitCode: 1}, cause: error as E, bug: error as Error}
      }
      outcomes[index] = outcome
      options.onDone?.(outcome)
    }
  }
  await Promise.all(Array.from({length: Math.min(serial, targets.length)}, worker))

  for (const [index, target] of targets.entries()) {
    if (!outcomes[index]) {
      outcomes[index] = {target, status: 'skipped', reason: `not started: ${failures} host${failures === 1 ? '' : 's'} failed (--max-fail ${maxFail})`, durationMs: 0}
    }
  }
  return outcomes
}
