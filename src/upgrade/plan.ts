/**
 * The upgrade plan: a pure function from a host's upgrade facts and the
 * desired range to the version each installed engine package moves to.
 *
 * - docker.io (and docker-cli, built from the same source) go to the newest
 *   version the sources offer within the range; the default range keeps the
 *   installed major (^20 for 20.10.24+dfsg1-1+deb12u1+b6).
 * - containerd, runc and tini go to apt's candidate, which honours the
 *   host's pinning.
 * - Only installed packages move; nothing is added or removed.
 * - Any move to an older version (by Debian's order) is refused unless
 *   allowDowngrade: a newer installed version within the range is kept.
 * - An engine from Docker's repository (docker-ce, method docker) moves the
 *   same way with its CLI and rootless extras at its own version, Docker's
 *   version scheme deciding what is in range, and containerd.io to the newest
 *   offered (apt's candidate is tk's own pin); the pin is rewritten to the
 *   new versions.
 */
import {HostStateError, UnsupportedHostError} from '../errors/index.js'
import {compareDebianVersions} from '../engine/debian-version.js'
import {inRange, installedMajorRange, NoVersionInRange, versionsInRange} from '../engine/version-range.js'
import {DOCKER_PINNED, dockerVersionInRange, dockerVersionsInRange} from '../engine/docker-repository.js'
import {sortDebianVersionsDescending} from '../engine/debian-version.js'
import type {UpgradeFacts} from '../facts/upgrade-facts.js'

export interface DesiredUpgrade {
  /** A semver range of the engine's upstream version; undefined keeps the installed major. */
  range?: string
  allowDowngrade?: boolean
}

export type PackageChange = 'upgrade' | 'downgrade' | 'none'

export interface PackageMove {
  name: string
  from: string
  to: string
  change: PackageChange
  /** Why it goes (or stays) where it does. */
  reason: string
}

export interface UpgradePlan {
  range: string
  /** Where the range came from: the flag, or the installed major. */
  rangeSource: 'flag' | 'installed major'
  packages: PackageMove[]
  /** Packages that change, as apt-get arguments (PACKAGE=VERSION). */
  pins: string[]
  /** Services to restart before the engine because their package changed. */
  restartFirst: string[]
  downgrades: boolean
  /** For an engine from Docker's repository: the pin after the upgrade (PACKAGE=VERSION), and before it, for a rollback. */
  enginePin?: {after: string[]; before: string[]}
}

/** Which packages are the engine, which move with it at its version, and what it runs on. */
interface EngineFamily {
  engine: string
  withEngine: string[]
  parts: string[]
  /** The parts go to the newest offered version (not apt's candidate, which is tk's own pin). */
  partsToNewest: boolean
  inRange: (version: string, range: string) => boolean
  versionsInRange: (offered: string[], range: string) => string[]
}

/** Debian's docker.io; docker-cli is built from its source: they move together. */
const DISTRO: EngineFamily = {engine: 'docker.io', withEngine: ['docker-cli'], parts: ['containerd', 'runc', 'tini'], partsToNewest: false, inRange, versionsInRange}
/** Docker's docker-ce (method docker). */
const DOCKER: EngineFamily = {
  engine: 'docker-ce',
  withEngine: ['docker-ce-cli', 'docker-ce-rootless-extras'],
  parts: ['containerd.io'],
  partsToNewest: true,
  inRange: (version, range) => dockerVersionInRange(version, range),
  versionsInRange: (offered, range) => dockerVersionsInRange(offered, range),
}

export function planUpgrade(target: string, facts: UpgradeFacts, desired: DesiredUpgrade): UpgradePlan {
  if (!facts.apt) {
    throw new UnsupportedHostError(`${target}: tk upgrade moves engines installed from apt sources, and this host has no apt-get`)
  }
  const family = facts.installed[DISTRO.engine] || !facts.installed[DOCKER.engine] ? DISTRO : DOCKER
  const ENGINE = family.engine
  const installedEngine = facts.installed[ENGINE]
  if (!installedEngine) {
    throw new UnsupportedHostError(`${target}: neither docker.io nor docker-ce is installed, so there is no engine from apt sources to upgrade`, {
      hint: 'install it with tk provision; engines from other sources (a static install, moby-engine) are upgraded by their own tools',
    })
  }
  const range = desired.range ?? installedMajorRange(installedEngine)
  if (!range) throw new HostStateError(`${target}: cannot read a major version in docker.io ${installedEngine}`, {hint: 'give --engine-version RANGE'})
  const rangeSource = desired.range ? 'flag' : 'installed major'

  const packages: PackageMove[] = []
  const engineOffers = facts.offered[ENGINE] ?? []
  const [newestInRange] = family.versionsInRange(engineOffers, range)
  if (!newestInRange && !family.inRange(installedEngine, range)) throw new NoVersionInRange(target, ENGINE, range, engineOffers)
  packages.push(move(family, ENGINE, installedEngine, newestInRange, range))

  const engineTo = packages[0].to
  for (const name of family.withEngine) {
    const installed = facts.installed[name]
    if (!installed) continue
    const offers = facts.offered[name] ?? []
    // The CLI of the engine's own build when offered, else the newest in range.
    const to = offers.find((version) => compareDebianVersions(version, engineTo) === 0) ?? family.versionsInRange(offers, range)[0]
    if (!to && !family.inRange(installed, range)) throw new NoVersionInRange(target, name, range, offers)
    packages.push(move(family, name, installed, to, range))
  }

  for (const name of family.parts) {
    const installed = facts.installed[name]
    if (!installed) continue
    const candidate = family.partsToNewest ? sortDebianVersionsDescending(facts.offered[name] ?? [])[0] : facts.candidate[name]
    if (family.partsToNewest && candidate && compareDebianVersions(candidate, installed) < 0) {
      packages.push({name, from: installed, to: installed, change: 'none', reason: 'installed is newer than anything offered: kept'})
      continue
    }
    if (!candidate) {
      packages.push({name, from: installed, to: installed, change: 'none', reason: 'no source offers it: kept'})
      continue
    }
    const order = compareDebianVersions(candidate, installed)
    packages.push({
      name,
      from: installed,
      to: candidate,
      change: order > 0 ? 'upgrade' : order < 0 ? 'downgrade' : 'none',
      reason: family.partsToNewest ? (order === 0 ? 'newest offered, installed' : 'newest offered') : order === 0 ? "apt's candidate, installed" : order > 0 ? "apt's candidate" : "apt's candidate is older (pinned?)",
    })
  }

  const downgrades = packages.filter((item) => item.change === 'downgrade')
  if (downgrades.length > 0 && !desired.allowDowngrade) {
    throw new HostStateError(`${target}: the upgrade would downgrade ${downgrades.map((item) => `${item.name} ${item.from} -> ${item.to} (${item.reason})`).join(', ')}`, {
      hint: 'pass --allow-downgrade if that is what you want, or change the range or the apt pinning',
    })
  }
  const changing = packages.filter((item) => item.change !== 'none')
  return {
    range,
    rangeSource,
    packages,
    pins: changing.map((item) => `${item.name}=${item.to}`),
    restartFirst: changing.some((item) => item.name === 'containerd' || item.name === 'containerd.io') ? ['containerd'] : [],
    downgrades: downgrades.length > 0,
    ...(family === DOCKER ? {enginePin: enginePin(packages)} : {}),
  }
}

/** The engine's pin (lib/engine-pin.sh) after the moves, and as it was before them. */
function enginePin(packages: PackageMove[]): {after: string[]; before: string[]} {
  const pinned = packages.filter((item) => (DOCKER_PINNED as readonly string[]).includes(item.name))
  return {after: pinned.map((item) => `${item.name}=${item.to}`), before: pinned.map((item) => `${item.name}=${item.from}`)}
}

/** A range-chosen package: to the newest offered in range, never below an installed version that is itself in range. */
function move(family: EngineFamily, name: string, installed: string, newestInRange: string | undefined, range: string): PackageMove {
  if (!newestInRange) return {name, from: installed, to: installed, change: 'none', reason: `installed, in ${range}; the sources offer nothing in range`}
  const order = compareDebianVersions(newestInRange, installed)
  if (order > 0) return {name, from: installed, to: newestInRange, change: 'upgrade', reason: `newest in ${range}`}
  if (order === 0) return {name, from: installed, to: installed, change: 'none', reason: `newest in ${range}, installed`}
  if (family.inRange(installed, range)) return {name, from: installed, to: installed, change: 'none', reason: `installed is newer than anything offered in ${range}: kept`}
  return {name, from: installed, to: newestInRange, change: 'downgrade', reason: `installed is outside ${range}`}
}
