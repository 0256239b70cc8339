/**
 * Engine version constraints: a semver range (`^20`, `>=26 <28`, `20.10.x`)
 * matched against the upstream part of Debian package versions. semver only
 * decides whether a version is in range; which of several is newest is
 * always Debian's order (src/engine/debian-version.ts), since
 * `20.10.24+dfsg1-1+deb12u1+b6` and its rebuilds differ only where semver
 * does not look.
 */
import type {SemVer} from 'semver'
import coerce from 'semver/functions/coerce.js'
import satisfies from 'semver/functions/satisfies.js'
import validRange from 'semver/ranges/valid.js'

import {HostStateError, UsageError} from '../errors/index.js'
import {parseDebianVersion, sortDebianVersionsDescending} from './debian-version.js'

/** The upstream version as semver: `1:20.10.24+dfsg1-1+deb12u1` -> 20.10.24, `1.6.20~ds1-1` -> 1.6.20. */
export function upstreamSemver(version: string): SemVer | undefined {
  return coerce(parseDebianVersion(version).upstream) ?? undefined
}

/** Checks a --engine-version range and returns it as given (trimmed, for messages); a usage error when semver cannot read it. */
export function parseEngineRange(range: string, flag = '--engine-version'): string {
  if (!validRange(range.trim())) {
    throw new UsageError(`${flag} ${JSON.stringify(range)} is not a version range`, {
      hint: "give a semver range of the engine's upstream version, e.g. ^20, '>=26 <28' or 20.10.x",
    })
  }
  return range.trim()
}

/** The range that keeps the installed major: ^20 for 20.10.24+dfsg1-1+deb12u1. */
export function installedMajorRange(installed: string): string | undefined {
  const version = upstreamSemver(installed)
  return version ? `^${version.major}` : undefined
}

export function inRange(version: string, range: string): boolean {
  const upstream = upstreamSemver(version)
  return upstream !== undefined && satisfies(upstream, range)
}

/** The offered versions in range, newest first (Debian's order). */
export function versionsInRange(offered: Iterable<string>, range: string): string[] {
  return sortDebianVersionsDescending([...offered].filter((version) => inRange(version, range)))
}

export class NoVersionInRange extends HostStateError {
  constructor(
    readonly target: string,
    readonly packageName: string,
    readonly range: string,
    readonly offered: string[],
  ) {
    const existing = sortDebianVersionsDescending(offered)
    super(
      `${target}: no ${packageName} version within ${range}: ${existing.length > 0 ? `the host's sources offer ${existing.join(', ')}` : `the host's sources offer no ${packageName} at all`}`,
      {hint: existing.length > 0 ? 'pick a range that matches one of them, or add a source that has it' : 'add a source that has it'},
    )
    this.name = 'NoVersionInRange'
  }
}

/**
 * The version to install for a range: the newest the host's sources offer
 * within it. Throws NoVersionInRange, listing what exists, when none is.
 * tk provision --engine-version pins the first install with this.
 */
export function pickVersionInRange(target: string, packageName: string, range: string, offered: Iterable<string>): string {
  const list = [...offered]
  const [newest] = versionsInRange(list, range)
  if (!newest) throw new NoVersionInRange(target, packageName, range, list)
  return newest
}
