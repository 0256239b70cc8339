/**
 * Reads OpenSSH client configuration (~/.ssh/config) and evaluates it for one
 * host the way ssh(1) does: lines in file order, Host patterns matched against
 * the name given on the command line, Match blocks against what is known at
 * that point, and the first value obtained for a keyword wins (IdentityFile
 * accumulates). Only the keywords the transport uses are interpreted.
 *
 * The ssh-config package's compute() is not used: it lets `?` match zero
 * characters, ignores Include, and runs `Match exec` through a shell.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {basename, dirname, isAbsolute, join} from 'node:path'

import {ConfigurationError} from '../errors/index.js'

export interface ConfigLine {
  keyword: string // lower-case
  args: string[]
  file: string
  line: number
}

/** Values gathered for a host, keywords lower-case. */
export interface HostConfig {
  hostname?: string
  user?: string
  port?: string
  identityfile: string[]
  identitiesonly?: string
  proxyjump?: string
  hostkeyalias?: string
  /** Every argument of the first line obtained (OpenSSH takes a list of files on one line). */
  userknownhostsfile?: string[]
  globalknownhostsfile?: string[]
  stricthostkeychecking?: string
  /** Warnings about constructs tk does not evaluate (e.g. `Match exec`). */
  warnings: string[]
}

/** Splits one config line into keyword and arguments, honouring double quotes and `keyword=value`. */
export function tokenizeConfigLine(text: string): string[] {
  const tokens: string[] = []
  let i = 0
  const s = text.trim()
  // The first separator may be '=' (with optional blanks around it).
  const first = /^([^\s=]+)\s*(?:=\s*|\s+|$)/.exec(s)
  if (!first) return []
  tokens.push(first[1])
  i = first[0].length
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++
    if (i >= s.length) break
    if (s[i] === '#') break
    let token = ''
    let quoted = false
    while (i < s.length && (quoted || !/\s/.test(s[i]))) {
      if (s[i] === '"') quoted = !quoted
      else token += s[i]
      i++
    }
    if (quoted) throw new Error('unterminated quote')
    tokens.push(token)
  }
  return tokens
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home
  if (path.startsWith('~/')) return join(home, path.slice(2))
  return path
}

/** ssh's glob for one pattern: `*` any run, `?` exactly one character. */
export function globMatch(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${source}$`, 's').test(text)
}

/** A pattern list (`a b !c` or `a,b,!c`): any negated match vetoes, otherwise any positive match wins. */
export function patternListMatches(patterns: string[], text: string): boolean {
  let matched = false
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), text)) return false
    } else if (globMatch(pattern, text)) matched = true
  }
  return matched
}

/** Reads a config file and its Includes into a flat list of lines (Include depth is bounded like ssh's). */
export function readConfigLines(file: string, home: string, depth = 0): ConfigLine[] {
  if (depth > 16) throw new ConfigurationError(`${file}: Include nested too deeply`)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && depth > 0) return []
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new ConfigurationError(`Cannot read SSH config ${file}: ${(error as Error).message}`)
  }
  const lines: ConfigLine[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    let tokens: string[]
    try {
      tokens = tokenizeConfigLine(trimmed)
    } catch (error) {
      throw new ConfigurationError(`${file}:${index + 1}: ${(error as Error).message}`)
    }
    if (tokens.length === 0) return
    const keyword = tokens[0].toLowerCase()
    const args = tokens.slice(1)
    if (keyword === 'include') {
      // An Include is part of whatever Host/Match block it sits in: mark its span so the evaluator keeps the block's state.
      lines.push({keyword: 'include-begin', args: [], file, line: index + 1})
      for (const pattern of args) {
        for (const included of expandIncludePattern(pattern, file, home)) lines.push(...readConfigLines(included, home, depth + 1))
      }
      lines.push({keyword: 'include-end', args: [], file, line: index + 1})
      return
    }
    lines.push({keyword, args, file, line: index + 1})
  })
  return lines
}

function expandIncludePattern(pattern: string, fromFile: string, home: string): string[] {
  let path = expandHome(pattern, home)
  // Relative Includes are relative to ~/.ssh for user configs (and /etc/ssh for the system one).
  if (!isAbsolute(path)) path = join(fromFile.startsWith('/etc/ssh') ? '/etc/ssh' : join(home, '.ssh'), path)
  const name = basename(path)
  if (!/[*?]/.test(name)) return [path]
  const dir = dirname(path)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((entry) => globMatch(name, entry))
    .sort()
    .map((entry) => join(dir, entry))
}

export interface EvaluateContext {
  /** The host as given on the command line (before HostName). */
  host: string
  /** The user given explicitly in the target, if any. */
  user?: string
  localUser: string
}

/** Evaluates config lines for one host; returns first-obtained values per keyword. */
export function evaluateConfig(lines: ConfigLine[], context: EvaluateContext): HostConfig {
  const result: HostConfig = {identityfile: [], warnings: []}
  const single = ['hostname', 'user', 'port', 'identitiesonly', 'proxyjump', 'hostkeyalias', 'stricthostkeychecking'] as const
  const lists = ['userknownhostsfile', 'globalknownhostsfile'] as const
  let needFinalPass = false

  const pass = (finalPass: boolean) => {
    let active = true
    const includeStack: boolean[] = []
    for (const line of lines) {
      switch (line.keyword) {
        case 'include-begin':
          includeStack.push(active)
          continue
        case 'include-end':
          active = includeStack.pop() ?? true
          continue
        case 'host':
          active = patternListMatches(line.args, context.host)
          continue
        case 'match':
          active = evaluateMatch(line, context, result, finalPass, () => (needFinalPass = true))
          continue
      }
      if (!active) continue
      if (line.keyword === 'identityfile') {
        if (line.args[0] !== undefined) result.identityfile.push(line.args[0])
        continue
      }
      const list = lists.find((k) => k === line.keyword)
      if (list && result[list] === undefined && line.args.length > 0) {
        result[list] = [...line.args]
        continue
      }
      const key = single.find((k) => k === line.keyword)
      if (key && result[key] === undefined && line.args.length > 0) {
        result[key] = key === 'proxyjump' ? line.args.join(' ') : line.args[0]
      }
    }
  }
  pass(false)
  if (needFinalPass) pass(true)
  return result
}

function evaluateMatch(line: ConfigLine, context: EvaluateContext, sofar: HostConfig, finalPass: boolean, requestFinal: () => void): boolean {
  const args = line.args
  let i = 0
  let all = true
  // A criterion tk cannot evaluate makes the whole Match false, negated or not: tk never applies a block ssh might not.
  let evaluable = true
  while (i < args.length) {
    let criterion = args[i++].toLowerCase()
    let negate = false
    if (criterion.startsWith('!')) {
      negate = true
      criterion = criterion.slice(1)
    }
    let ok: boolean
    if (criterion === 'all') ok = true
    else if (criterion === 'canonical' || criterion === 'final') {
      if (!finalPass) requestFinal()
      ok = finalPass
    } else {
      const value = args[i++] ?? ''
      const patterns = value.split(',')
      const hostname = (sofar.hostname ?? context.host).replace(/%h/g, context.host).toLowerCase()
      switch (criterion) {
        case 'host':
          ok = patternListMatches(patterns, hostname)
          break
        case 'originalhost':
          ok = patternListMatches(patterns, context.host)
          break
        case 'user':
          ok = patternListMatches(patterns, context.user ?? sofar.user ?? context.localUser)
          break
        case 'localuser':
          ok = patternListMatches(patterns, context.localUser)
          break
        case 'exec':
          sofar.warnings.push(`${line.file}:${line.line}: "Match ${negate ? '!' : ''}exec" is not evaluated by tk; the block is skipped`)
          ok = false
          evaluable = false
          break
        default:
          sofar.warnings.push(`${line.file}:${line.line}: "Match ${negate ? '!' : ''}${criterion}" is not supported by tk; the block is skipped`)
          ok = false
          evaluable = false
      }
    }
    if (negate) ok = !ok
    if (!ok) all = false
  }
  return all && evaluable
}
