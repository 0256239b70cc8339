/**
 * Which unix socket the remote engine listens on: the first unix:// entry of
 * daemon.json's "hosts", else Docker's default. (A daemon started with -H on
 * its command line and no daemon.json entry is not seen: pass --engine-socket.)
 */
export const DEFAULT_ENGINE_SOCKET = '/var/run/docker.sock'
export const DAEMON_JSON = '/etc/docker/daemon.json'

export function engineSocketFromDaemonJson(text: string | undefined): string {
  if (!text || text.trim() === '') return DEFAULT_ENGINE_SOCKET
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return DEFAULT_ENGINE_SOCKET
  }
  const hosts = (parsed as {hosts?: unknown})?.hosts
  if (!Array.isArray(hosts)) return DEFAULT_ENGINE_SOCKET
  for (const host of hosts) {
    if (typeof host === 'string' && host.startsWith('unix://')) {
      const path = host.slice('unix://'.length)
      if (path.startsWith('/')) return path
    }
  }
  return DEFAULT_ENGINE_SOCKET
}
