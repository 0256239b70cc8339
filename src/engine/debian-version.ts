/**
 * Debian package versions, ordered the way dpkg orders them: epoch, then the
 * upstream version, then the revision. Engine versions in Debian's archive
 * (`20.10.24+dfsg1-1+deb12u1+b6`, `1.6.20~ds1-1+deb12u3`, `2:1.0-1`) are not
 * semver, and only this order says which of two is newer.
 */

export interface DebianVersion {
  epoch: number
  upstream: string
  /** '' when the version has none (a native package). */
  revision: string
  /** The version as written. */
  text: string
}

export class DebianVersionError extends Error {}

/** Splits a version into epoch, upstream and revision, checking the characters dpkg allows. */
export function parseDebianVersion(text: string): DebianVersion {
  const trimmed = text.trim()
  if (trimmed === '') throw new DebianVersionError('a Debian version cannot be empty')
  if (/\s/.test(trimmed)) throw new DebianVersionError(`"${text}" is not a Debian version: it contains spaces`)
  let epoch = 0
  let rest = trimmed
  const colon = rest.indexOf(':')
  if (colon !== -1) {
    const epochText = rest.slice(0, colon)
    if (!/^\d+$/.test(epochText)) throw new DebianVersionError(`"${text}" is not a Debian version: its epoch is not a number`)
    epoch = Number(epochText)
    rest = rest.slice(colon + 1)
  }
  const hyphen = rest.lastIndexOf('-')
  const upstream = hyphen === -1 ? rest : rest.slice(0, hyphen)
  const revision = hyphen === -1 ? '' : rest.slice(hyphen + 1)
  if (upstream === '') throw new DebianVersionError(`"${text}" is not a Debian version: its upstream part is empty`)
  if (!/^\d/.test(upstream)) throw new DebianVersionError(`"${text}" is not a Debian version: its upstream part must start with a digit`)
  if (!/^[A-Za-z0-9.+~:-]+$/.test(upstream)) throw new DebianVersionError(`"${text}" is not a Debian version: invalid character in its upstream part`)
  if (hyphen !== -1 && !/^[A-Za-z0-9.+~]+$/.test(revision)) throw new DebianVersionError(`"${text}" is not a Debian version: invalid revision`)
  return {epoch, upstream, revision, text: trimmed}
}

/** dpkg's weight of a character in the non-digit parts: `~` first, then the end, then letters, then the rest. */
function order(char: string | undefined): number {
  if (char === undefined) return 0
  if (char === '~') return -1
  if (/[A-Za-z]/.test(char)) return char.charCodeAt(0)
  return char.charCodeAt(0) + 256
}

const isDigit = (char: string | undefined) => char !== undefined && char >= '0' && char <= '9'

/** dpkg's verrevcmp: alternating non-digit runs (by `order`) and digit runs (numerically). */
function compareFragment(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    let difference = 0
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = i < a.length && !isDigit(a[i]) ? order(a[i]) : 0
      const bc = j < b.length && !isDigit(b[j]) ? order(b[j]) : 0
      if (ac !== bc) return ac - bc
      i++
      j++
    }
    while (a[i] === '0') i++
    while (b[j] === '0') j++
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (difference === 0) difference = a.charCodeAt(i) - b.charCodeAt(j)
      i++
      j++
    }
    if (isDigit(a[i])) return 1
    if (isDigit(b[j])) return -1
    if (difference !== 0) return difference
  }
  return 0
}

/** Negative when a is older than b, 0 when dpkg considers them equal, positive when newer. */
export function compareDebianVersions(a: string | DebianVersion, b: string | DebianVersion): number {
  const left = typeof a === 'string' ? parseDebianVersion(a) : a
  const right = typeof b === 'string' ? parseDebianVersion(b) : b
  if (left.epoch !== right.epoch) return Math.sign(left.epoch - right.epoch)
  return Math.sign(compareFragment(left.upstream, right.upstream) || compareFragment(left.revision, right.revision))
}

/** The versions from newest to oldest, without duplicates (by dpkg's equality). */
export function sortDebianVersionsDescending(versions: Iterable<string>): string[] {
  const sorted = [...versions].sort((a, b) => compareDebianVersions(b, a))
  return sorted.filter((version, index) => index === 0 || compareDebianVersions(version, sorted[index - 1]) !== 0)
}
