/**
 * Bounds the session channels open at once on one SSH connection. sshd's
 * MaxSessions (10 by default) refuses more; tk stays under it and queues.
 */
export class ChannelLimiter {
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`channel limit must be a positive integer, got ${max}`)
  }

  get inUse(): number {
    return this.active
  }

  get queued(): number {
    return this.waiting.length
  }

  /** Waits for a slot; the returned function frees it (calling it twice is harmless). */
  async acquire(): Promise<() => void> {
    if (this.active < this.max) this.active++
    else await new Promise<void>((resolve) => this.waiting.push(resolve))
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      // The slot passes straight to the next waiter, so `active` stays the same.
      if (next) next()
      else this.active--
    }
  }

  /** Runs fn holding a slot. */
  async with<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire()
    try {
      return await fn()
    } finally {
      release()
    }
  }
}
