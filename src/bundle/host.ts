/**
 * A bundle on a host: sent once over the host's existing connection and
 * kept under /var/lib/tk/bundles/SHA256 (a host that has it gets nothing),
 * then the engine installed from it through apt, the bundle's key checking
 * its index again on the host (host-scripts/bundle-receive.sh,
 * install-engine-bundle.sh).
 */
import {readFile} from 'node:fs/promises'

import {HostStateError} from '../errors/index.js'
import type {Host} from '../transport/host.js'
import {boundScript} from '../transport/host-scripts.js'
import type {SoundBundle} from './open.js'

export const HOST_BUNDLES_DIR = '/var/lib/tk/bundles'

/** The packages to install from the bundle: the engine's pinned to the bundle's version. */
export function pinnedToBundle(bundle: SoundBundle, packages: string[]): string[] {
  const {engine, packages: inside} = bundle.manifest
  return packages.map((name) => {
    const sameVersion = inside.some((item) => item.name === name && item.version === engine.version)
    return name === engine.package || sameVersion ? `${name}=${engine.version}` : name
  })
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-4).join(' | ')
}

/** Sends the bundle unless the host has it already; says which. */
export async function ensureBundleOnHost(target: string, root: Host, bundle: SoundBundle): Promise<'present' | 'sent'> {
  const check = await root.run(await boundScript('bundle-receive.sh', [bundle.sha256, 'check']))
  if (check.code === 0) return 'present'
  if (check.code !== 4) throw new HostStateError(`${target}: cannot look for the bundle under ${HOST_BUNDLES_DIR}: ${lastLines(check.stderr || check.stdout)}`)
  const data = await readFile(bundle.file)
  const sent = await root.run(await boundScript('bundle-receive.sh', [bundle.sha256]), {stdin: data, timeoutMs: 30 * 60_000})
  if (sent.code !== 0) throw new HostStateError(`${target}: the bundle did not arrive whole: ${lastLines(sent.stderr || sent.stdout)}`)
  return 'sent'
}

/** Sends (when needed) and installs: the packages, pinned to the bundle's engine version. Returns what was done, for the step's line. */
export async function installFromBundle(target: string, root: Host, bundle: SoundBundle, packages: string[]): Promise<string> {
  const how = await ensureBundleOnHost(target, root, bundle)
  const pinned = pinnedToBundle(bundle, packages)
  // Method docker: the engine's packages pinned on the host (priority 1001), as tk provision --method docker pins them.
  const pin = bundle.manifest.pin ?? []
  const result = await root.run(await boundScript('install-engine-bundle.sh', [`${HOST_BUNDLES_DIR}/${bundle.sha256}`, ...pinned], pin.length > 0 ? {TK_ENGINE_PIN: pin.join(' ')} : {}))
  if (result.code !== 0) throw new HostStateError(`${target}: install the engine failed: apt-get from the bundle exited ${result.code}: ${lastLines(`${result.stderr}\n${result.stdout}`)}`)
  return `from the bundle (${how === 'sent' ? `sent, ${Math.round(bundle.size / 1024 / 1024)} MiB` : 'already on the host'}): ${pinned.join(' ')}${pin.length > 0 ? `; pinned ${pin.map((pair) => pair.split('=')[0]).join(', ')}` : ''}`
}
