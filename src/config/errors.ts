/**
 * ConfigError: tk.yml is invalid. One line, "FILE[:LINE:COL]: PATH: what is
 * wrong", exit code CONFIG, and a hint that says what to do.
 */
import {ConfigurationError} from '../errors/index.js'

export type ConfigPath = Array<string | number>

export class ConfigError extends ConfigurationError {
  /** Where in the file, when known: 1-based line and column. */
  readonly line?: number
  readonly column?: number
  /** The data path (hosts[2].port), when the problem is in one value. */
  readonly path?: string

  constructor(message: string, options: {hint?: string; line?: number; column?: number; path?: string; cause?: unknown} = {}) {
    super(message, {hint: options.hint, cause: options.cause})
    this.name = 'ConfigError'
    this.line = options.line
    this.column = options.column
    this.path = options.path
  }
}

/** hosts[2].port, engine.daemon["log-driver"]; "(top level)" for the root. */
export function formatPath(path: ConfigPath): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += out === '' ? part : `.${part}`
    else out += `[${JSON.stringify(part)}]`
  }
  return out === '' ? '(top level)' : out
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment), for did-you-mean. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0
  const rows: number[][] = Array.from({length: a.length + 1}, (_, i) => [i, ...Array.from({length: b.length}, (_, j) => (i === 0 ? j + 1 : 0))])
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1)
    }
  }
  return rows[a.length][b.length]
}

/** The closest candidate when it is plausibly a typo (case-insensitive), else undefined. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const lower = input.toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(Math.max(input.length, 2) / 3)))
  return best !== undefined && bestDistance <= allowed ? best : undefined
}
