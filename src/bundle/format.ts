/**
 * What an offline bundle of the engine is: one tar file holding a flat apt
 * repository (repo/: the .debs, Packages, Release, InRelease), the public
 * key that signed it (key.asc), and a manifest (tk-bundle.json) with a
 * detached signature (tk-bundle.json.asc). The manifest names the release
 * and architecture, the packages to install and the sha256 of every other
 * file in the bundle: its signature covers all of them. Pure: no I/O here.
 */
import type {HostFacts} from '../facts/host-facts.js'
import {ENGINE_PACKAGES} from '../engine/packages.js'

export const BUNDLE_FORMAT = 1
export const MANIFEST_FILE = 'tk-bundle.json'
export const SIGNATURE_FILE = 'tk-bundle.json.asc'
export const KEY_FILE = 'key.asc'
export const REPO_DIR = 'repo'

/** The Debian releases a bundle can be made for, with their major versions. */
export const BUNDLE_RELEASES: Record<string, number> = {bullseye: 11, bookworm: 12, trixie: 13}
export const BUNDLE_ARCHES = ['amd64', 'arm64'] as const

/** What "a minimal install" of a release means for what a bundle leaves out. */
export const MINIMAL_INSTALL = "debootstrap's minbase: the release's Priority: required packages and apt, with their dependencies, at the release's current point release"

export interface BundlePackage {
  name: string
  version: string
  arch: string
  /** Path inside the bundle (repo/NAME_VERSION_ARCH.deb). */
  file: string
  sha256: string
  size: number
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT
  release: string
  arch: string
  /** distro: Debian's docker.io; docker: docker-ce & co. from Docker's repository (or a mirror of it). */
  method: 'distro' | 'docker'
  /** Method docker: where the packages came from (the repository's base URL, channel, key fingerprint). */
  repository?: {url: string; channel: string; fingerprint: string}
  /** Method docker: PACKAGE=VERSION pairs the host pins at priority 1001 (lib/engine-pin.sh), as tk provision --method docker does. */
  pin?: string[]
  /** ISO time the bundle was made. */
  created: string
  /** What the bundle leaves out: MINIMAL_INSTALL. */
  minimal: string
  /** Packages a host installs from it (by name; apt takes the rest from the bundle as dependencies). */
  install: string[]
  /** The engine's package and version (docker.io on the distro method). */
  engine: {package: string; version: string}
  packages: BundlePackage[]
  /** sha256 of every file besides the manifest and its signature: the repository's indexes, the .debs, the key. */
  files: Record<string, string>
}

/** The packages a bundle of this release installs: the distro method's, plus apparmor (needed where AppArmor is on). */
export function bundleInstallPackages(release: string): string[] {
  const major = BUNDLE_RELEASES[release] ?? 0
  return [...ENGINE_PACKAGES, ...(major >= 13 ? ['docker-cli'] : []), 'apparmor']
}

/** uname -m as Debian names the architecture. */
export function debianArch(machine: string): string {
  const names: Record<string, string> = {x86_64: 'amd64', aarch64: 'arm64', armv7l: 'armhf', i686: 'i386', ppc64le: 'ppc64el', s390x: 's390x'}
  return names[machine] ?? machine
}

/** A .deb's file name in the bundle, as apt's cache names it (an epoch's colon as %3a). */
export function debFileName(name: string, version: string, arch: string): string {
  return `${name}_${version.replace(':', '%3a')}_${arch}.deb`
}

/** Why this bundle cannot go to this host (another release or architecture), or undefined when it fits. */
export function bundleMismatch(manifest: Pick<BundleManifest, 'release' | 'arch'>, facts: HostFacts): string | undefined {
  const arch = debianArch(facts.arch)
  const release = facts.os.id === 'debian' ? facts.os.codename : undefined
  const host = `${facts.os.prettyName ?? `${facts.os.id} ${release ?? facts.os.versionId ?? ''}`.trim()} on ${arch}`
  if (release !== manifest.release || arch !== manifest.arch) return `the bundle is for ${manifest.release} on ${manifest.arch}, and the host runs ${host}`
  return undefined
}

const SAFE_PATH = /^(?:key\.asc|repo\/(?:Packages|Release|InRelease|[A-Za-z0-9][A-Za-z0-9.+~%_-]*\.deb))$/
const PACKAGE_NAME = /^[a-z0-9][a-z0-9.+-]+$/
const VERSION = /^[A-Za-z0-9.+~:-]+$/
const PIN_PAIR = /^[a-z0-9][a-z0-9.+-]+=[A-Za-z0-9.+~:-]+$/

/** The manifest read from a bundle, checked field by field; throws a one-line Error saying what is wrong. */
export function parseManifest(text: string): BundleManifest {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error(`${MANIFEST_FILE} is not JSON`)
  }
  const data = value as Partial<BundleManifest>
  const fail = (what: string): never => {
    throw new Error(`${MANIFEST_FILE}: ${what}`)
  }
  if (typeof data !== 'object' || data === null) fail('not an object')
  if (data.format !== BUNDLE_FORMAT) fail(`format ${String(data.format)} is not one tk reads (${BUNDLE_FORMAT})`)
  if (typeof data.release !== 'string' || !(data.release in BUNDLE_RELEASES)) fail(`unknown release ${String(data.release)}`)
  if (typeof data.arch !== 'string' || !/^[a-z0-9]+$/.test(data.arch)) fail(`bad architecture ${String(data.arch)}`)
  if (data.method !== 'distro' && data.method !== 'docker') fail(`unknown method ${String(data.method)}`)
  if (data.pin !== undefined && !(Array.isArray(data.pin) && data.pin.every((pair) => typeof pair === 'string' && PIN_PAIR.test(pair)))) fail('bad pin list')
  if (!Array.isArray(data.install) || !data.install.every((name) => typeof name === 'string' && PACKAGE_NAME.test(name))) fail('bad install list')
  if (typeof data.engine?.package !== 'string' || typeof data.engine.version !== 'string' || !VERSION.test(data.engine.version)) fail('bad engine')
  if (typeof data.files !== 'object' || data.files === null) fail('no file list')
  for (const [path, sha256] of Object.entries(data.files!)) {
    if (!SAFE_PATH.test(path)) fail(`a file outside the bundle's layout: ${path}`)
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) fail(`bad sha256 for ${path}`)
  }
  if (!Array.isArray(data.packages)) fail('no package list')
  for (const item of data.packages!) {
    if (!PACKAGE_NAME.test(item?.name) || !VERSION.test(item?.version) || data.files![item.file] !== item.sha256) fail(`bad package entry ${JSON.stringify(item?.name)}`)
  }
  return data as BundleManifest
}
