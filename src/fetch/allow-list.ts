/**
 * What the workstation's package proxy will fetch for a host: the hosts of
 * its apt sources and of the engine's repository, nothing else. Plain http
 * is allowed to a source's host and port; https goes through CONNECT, to an
 * allowed host's port 443 only.
 */

export class SourceAllowList {
  /** "host:port" pairs plain http may reach. */
  private readonly http = new Set<string>()
  /** Hosts CONNECT may reach (port 443). */
  private readonly tls = new Set<string>()

  /**
   * @param urls the host's apt source URIs and any extra repository URLs
   *   (`mirror+http://`, `tor+https://` count as their transport; cdrom:, file:
   *   and copy: need no network and are left out)
   */
  constructor(urls: Iterable<string>) {
    for (const text of urls) {
      let url: URL
      try {
        url = new URL(text.replace(/^[a-z0-9]+\+(?=https?:)/i, ''))
      } catch {
        continue
      }
      const host = url.hostname.toLowerCase()
      if (!host) continue
      if (url.protocol === 'http:') this.http.add(`${host}:${url.port || '80'}`)
      if (url.protocol === 'http:' || url.protocol === 'https:') this.tls.add(host)
    }
  }

  /** The hosts, for messages and the plan. */
  get hosts(): string[] {
    return [...this.tls].sort()
  }

  get isEmpty(): boolean {
    return this.tls.size === 0
  }

  /** A plain http request for this absolute URL. */
  allowsRequest(url: URL): boolean {
    return url.protocol === 'http:' && this.http.has(`${url.hostname.toLowerCase()}:${url.port || '80'}`)
  }

  /** A CONNECT tunnel to host:port. */
  allowsTunnel(host: string, port: number): boolean {
    return port === 443 && this.tls.has(host.toLowerCase())
  }
}
