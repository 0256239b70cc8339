/** How a host's engine was installed, as host-scripts/lib/engine-source.sh says: for tk status and tk check. */

export interface EngineSource {
  /** docker: Docker's repository (docker-ce); distro: the distribution's docker.io. */
  method?: 'docker' | 'distro'
  /** For method docker: URI, suite and component of /etc/apt/sources.list.d/docker.sources. */
  repository?: string
}

/** The engine-source section (host-scripts/lib/engine-source.sh): the method and, for docker, the repository. */
export function parseEngineSource(lines: string[]): EngineSource {
  const method = lines.find((line) => line.startsWith('method='))?.slice('method='.length)
  const field = (name: string) => lines.find((line) => line.startsWith(`${name}:`))?.slice(name.length + 1).trim()
  const repository = [field('URIs'), field('Suites'), field('Components')].filter(Boolean).join(' ')
  return {
    ...(method === 'docker' || method === 'distro' ? {method} : {}),
    ...(method === 'docker' && repository ? {repository} : {}),
  }
}
