/**
 * Runs one piece of work on many hosts at once, under a concurrency bound,
 * where one host failing never stops the others. Each host's outcome is a
 * value or an error, with how long it took; callers decide what to render.
 */
import {UserError} from '../errors/index.js'

export interface HostFailure {
  message: string
  hint?: string
  exitCode: number
}

export type HostOutcome<T> =
  | {target: string; ok: true; value: T; durationMs: number}
  | {target: string; ok: false; error: HostFailure; durationMs: number; bug?: Error}

export interface RunHostsOptions<T> {
  /** How many hosts are worked on at once. */
  concurrency?: number
  onStart?: (target: string) => void
  onDone?: (outcome: HostOutcome<T>) => void
}

export const DEFAULT_CONCURRENCY = 16

export async function runOnHosts<T>(
  targets: string[],
  work: (target: string) => Promise<T>,
  options: RunHostsOptions<T> = {},
): Promise<Array<HostOutcome<T>>> {
  const outcomes: Array<HostOutcome<T>> = Array.from({length: targets.length})
  let next = 0
  const worker = async () => {
    while (next < targets.length) {
      const index = next++
      const target = targets[index]
      options.onStart?.(target)
      const started = performance.now()
      let outcome: HostOutcome<T>
      try {
        // eslint-disable-next-line no-await-in-loop -- each worker takes one host at a time
        const value = await work(target)
        outcome = {target, ok: true, value, durationMs: performance.now() - started}
      } catch (error) {
        const durationMs = performance.now() - started
        outcome =
          error instanceof UserError
            ? {target, ok: false, error: {message: error.message, hint: error.hint, exitCode: error.exitCode}, durationMs}
            : {target, ok: false, error: {message: `internal error: ${(error as Error).message}`, exitCode: 1}, durationMs, bug: error as Error}
      }
      outcomes[index] = outcome
      options.onDone?.(outcome)
    }
  }
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, targets.length))
  await Promise.all(Array.from({length: workers}, worker))
  return outcomes
}

/**
 * The exit code of a fleet run: 0 when all succeeded; otherwise the code the
 * failures share, or FAILED (1) when they differ.
 */
export function fleetExitCode(codes: number[]): number {
  const failures = codes.filter((code) => code !== 0)
  if (failures.length === 0) return 0
  return failures.every((code) => code === failures[0]) ? failures[0] : 1
}
