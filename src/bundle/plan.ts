/**
 * A bundle in a host's provisioning plan: refused, before anything is sent,
 * when it was made for another release or architecture than the host's, or
 * lacks a package the host needs; otherwise the packages to install from it.
 * Pure: facts and the bundle's manifest in, a step's fields out.
 */
import {distroPackages, isAptFamily} from '../engine/packages.js'
import {HostStateError, UnsupportedHostError} from '../errors/index.js'
import type {HostFacts} from '../facts/host-facts.js'
import {bundleMismatch} from './format.js'
import type {SoundBundle} from './open.js'

export function planBundleInstall(target: string, facts: HostFacts, bundle: SoundBundle, compose: boolean, method?: string): {detail: string; packages: string[]} {
  const {manifest} = bundle
  if (method === 'docker' && manifest.method !== 'docker') {
    throw new HostStateError(`${target}: method docker is asked for, and the bundle ${bundle.file} holds Debian's docker.io: nothing was sent`, {hint: 'make a bundle of Docker\'s engine: tk bundle --method docker ...'})
  }
  const mismatch = isAptFamily(facts) ? bundleMismatch(manifest, facts) : `the host runs ${facts.os.prettyName ?? facts.os.id}, not Debian`
  if (mismatch) {
    throw new UnsupportedHostError(`${target}: ${mismatch}: nothing was sent`, {hint: `make a bundle for the host: tk bundle --release RELEASE --arch ARCH`})
  }
  if (manifest.method === 'docker') {
    // Docker's engine: what the bundle was made to install (docker-compose-plugin among it from 20.10, so compose comes with it).
    const composeMissing = compose && !manifest.install.includes('docker-compose-plugin') && !facts.engine.binaries['docker-compose'] && !facts.engine.cliPlugins.includes('docker-compose')
    if (composeMissing) throw new HostStateError(`${target}: the bundle holds no docker-compose-plugin, and compose is asked for: nothing was sent`, {hint: 'leave compose off (--no-compose, or engine.compose: false in tk.yml)'})
    return {detail: `from the bundle ${bundle.file} (${manifest.release}/${manifest.arch}, Docker's repository): ${manifest.install.join(' ')}, docker-ce ${manifest.engine.version}, pinned`, packages: manifest.install}
  }
  const composeWanted = compose && !facts.engine.binaries['docker-compose'] && !facts.engine.cliPlugins.includes('docker-compose')
  if (composeWanted) {
    throw new HostStateError(`${target}: the bundle holds no Docker Compose, and compose is asked for: nothing was sent`, {hint: 'leave compose off (--no-compose, or engine.compose: false in tk.yml)'})
  }
  const packages = distroPackages(facts).required
  const missing = packages.filter((name) => !manifest.install.includes(name))
  if (missing.length > 0) throw new HostStateError(`${target}: the bundle lacks ${missing.join(', ')}, which the host needs: nothing was sent`, {hint: 'make the bundle again with this version of tk'})
  return {detail: `from the bundle ${bundle.file} (${manifest.release}/${manifest.arch}): ${packages.join(' ')}, docker.io ${manifest.engine.version}`, packages}
}
