/**
 * Delays between reconnect attempts: doubling from `initialMs` up to `maxMs`,
 * with up to 20% jitter so many tunnels to one host do not retry in step.
 */
export interface BackoffOptions {
  initialMs?: number
  maxMs?: number
  random?: () => number
}

export class Backoff {
  private attempt = 0
  private readonly initialMs: number
  private readonly maxMs: number
  private readonly random: () => number

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 250
    this.maxMs = options.maxMs ?? 30_000
    this.random = options.random ?? Math.random
  }

  /** The delay before the next attempt. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt)
    this.attempt++
    return Math.round(base * (1 - 0.2 * this.random()))
  }

  /** After a success: the next failure starts from the shortest delay again. */
  reset(): void {
    this.attempt = 0
  }
}
