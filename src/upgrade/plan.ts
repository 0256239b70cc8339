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
 */
import {HostStateError, UnsupportedHostError} from '../errors/index.js'
import {compareDebianVersions} from '../engine/debian-version.js'
import {inRange, installedMajorRange, NoVersionInRange, versionsInRange} from '../engine/version-range.js'
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
}

const ENGINE = 'docker.io'
/** Built from docker.io's source: they move together. */
const WITH_ENGINE = ['docker-cli']
const PARTS = ['containerd', 'runc', 'tini']

export function planUpgrade(target: string, facts: UpgradeFacts, desired: DesiredUpgrade): UpgradePlan {
  if (!facts.apt) {
    throw new UnsupportedHostError(`${target}: tk upgrade moves engines installed from apt sources, and this host has no apt-get`)
  }
  const installedEngine = facts.installed[ENGINE]
  if (!installedEngine) {
    throw new UnsupportedHostError(`${target}: docker.io is not installed, so there is no distribution engine to upgrade`, {
      hint: 'install it with tk provision; engines from other sources (docker-ce, a static install) are upgraded by their own tools',
    })
  }
  const range = desired.range ?? installedMajorRange(installedEngine)
  if (!range) throw new HostStateError(`${target}: cannot read a major version in docker.io ${installedEngine}`, {hint: 'give --engine-version RANGE'})
  const rangeSource = desired.range ? 'flag' : 'installed major'

  const packages: PackageMove[] = []
  const engineOffers = facts.offered[ENGINE] ?? []
  const [newestInRange] = versionsInRange(engineOffers, range)
  if (!newestInRange && !inRange(installedEngine, range)) throw new NoVersionInRange(target, ENGINE, range, engineOffers)
  packages.push(move(ENGINE, installedEngine, newestInRange, range))

  const engineTo = packages[0].to
  for (const name of WITH_ENGINE) {
    const installed = facts.installed[name]
    if (!installed) continue
    const offers = facts.offered[name] ?? []
    // The CLI of the engine's own build when offered, else the newest in range.
    const to = offers.find((version) => compareDebianVersions(version, engineTo) === 0) ?? versionsInRange(offers, range)[0]
    if (!to && !inRange(installed, range)) throw new NoVersionInRange(target, name, range, offers)
    packages.push(move(name, installed, to, range))
  }

  for (const name of PARTS) {
    const installed = facts.installed[name]
    if (!installed) continue
    const candidate = facts.candidate[name]
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
      reason: order === 0 ? "apt's candidate, installed" : order > 0 ? "apt's candidate" : "apt's candidate is older (pinned?)",
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
    restartFirst: changing.some((item) => item.name === 'containerd') ? ['containerd'] : [],
    downgrades: downgrades.length > 0,
  }
}

/** A range-chosen package: to the newest offered in range, never below an installed version that is itself in range. */
function move(name: string, installed: string, newestInRange: string | undefined, range: string): PackageMove {
  if (!newestInRange) return {name, from: installed, to: installed, change: 'none', reason: `installed, in ${range}; the sources offer nothing in range`}
  const order = compareDebianVersions(newestInRange, installed)
  if (order > 0) return {name, from: installed, to: newestInRange, change: 'upgrade', reason: `newest in ${range}`}
  if (order === 0) return {name, from: installed, to: installed, change: 'none', reason: `newest in ${range}, installed`}
  if (inRange(installed, range)) return {name, from: installed, to: installed, change: 'none', reason: `installed is newer than anything offered in ${range}: kept`}
  return {name, from: installed, to: newestInRange, change: 'downgrade', reason: `installed is outside ${range}`}
}
