/**
 * When a tunnel may stop for want of use: a tunnel that `tk docker` started
 * on demand should not hold an SSH connection for days after the last docker
 * command. The watch counts open local connections and calls back once none
 * has been open for the whole timeout; a streaming `docker logs -f` keeps
 * its connection open and so the tunnel alive however long it runs.
 */
export interface Closable {
  once(event: 'close', listener: () => void): unknown
}

export class IdleWatch {
  private open = 0
  private timer: NodeJS.Timeout | undefined
  private done = false

  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {
    this.arm()
  }

  /** A new local connection: the tunnel is in use until it closes. */
  track(connection: Closable): void {
    if (this.done) return
    this.open++
    this.disarm()
    connection.once('close', () => {
      this.open--
      if (this.open === 0) this.arm()
    })
  }

  stop(): void {
    this.done = true
    this.disarm()
  }

  private arm(): void {
    if (this.done) return
    this.disarm()
    this.timer = setTimeout(() => {
      this.done = true
      this.onIdle()
    }, this.ms)
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}
