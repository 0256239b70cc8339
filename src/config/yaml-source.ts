/**
 * Reads tk.yml's text as YAML, safely: duplicate keys refused, alias
 * expansion bounded (an alias bomb fails fast instead of eating memory), and
 * every syntax error reported as FILE:LINE:COL on one line. Keeps the parsed
 * document so later errors can point at the line of the value they are about.
 */
import {isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node} from 'yaml'

import {ConfigError, type ConfigPath} from './errors.js'

/** Aliases expanded at most this many nodes' worth; far above any honest file, far below a bomb. */
export const MAX_ALIAS_COUNT = 100

export interface YamlSource {
  data: unknown
  /** 1-based line and column of the value at a path (or of its key, with key: true); the nearest known ancestor otherwise. */
  locate(path: ConfigPath, options?: {key?: boolean}): {line: number; column: number} | undefined
}

const SYNTAX_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'each key may appear only once in a mapping',
  MULTIPLE_DOCS: 'tk.yml holds one YAML document: remove the extra "---" or split the file',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
}

export function readYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, prettyErrors: false, uniqueKeys: true, merge: true, strict: true})
  const first = doc.errors[0]
  if (first) {
    let {line, col} = lineCounter.linePos(first.pos[0])
    let message = first.message.split('\n')[0].replace(/\s+at line \d+, column \d+:?$/, '').trim()
    let hint = SYNTAX_HINTS[first.code] ?? 'fix the YAML syntax there'
    if (first.code === 'DUPLICATE_KEY') {
      const key = /^("[^"]*"|'[^']*'|[^:#\n]+)/.exec(text.slice(first.pos[0]))?.[1]?.trim()
      message = key ? `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : JSON.stringify(key)}` : 'duplicate key'
    }
    if (first.code === 'MULTIPLE_DOCS') message = 'more than one YAML document'
    const indentation = explainIndentation(first.code, message, text.split('\n'), line, col)
    if (indentation) ({line, col, message, hint} = indentation)
    throw new ConfigError(`${file}:${line}:${col}: ${lowerFirst(message)}`, {line, column: col, hint})
  }
  let data: unknown
  try {
    data = doc.toJS({maxAliasCount: MAX_ALIAS_COUNT})
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new ConfigError(`${file}: YAML aliases expand to too much data (more than ${MAX_ALIAS_COUNT} nodes per alias); refusing to expand it`, {
        hint: 'use fewer or smaller aliases (anchors with * and <<)',
      })
    }
    throw new ConfigError(`${file}: ${lowerFirst((error as Error).message.split('\n')[0])}`, {hint: 'fix the YAML there', cause: error})
  }
  return {data, locate: (path, options) => locate(doc, lineCounter, path, options?.key ?? false)}
}

interface Explained {
  line: number
  col: number
  message: string
  hint: string
}

/**
 * The YAML parser's words for indentation mistakes ("nested mappings are not
 * allowed in compact mappings") turned into what is probably wrong, pointing
 * at the line to fix. Undefined for errors that are not about indentation.
 */
export function explainIndentation(code: string, message: string, lines: string[], line: number, col: number): Explained | undefined {
  const indentOf = (text: string) => text.length - text.trimStart().length
  const at = (number: number) => lines[number - 1] ?? ''
  const shown = (number: number) => JSON.stringify(at(number).trim())
  /** The line's own column (its first non-space character), 1-based. */
  const columnOf = (number: number) => indentOf(at(number)) + 1
  const previous = (number: number) => {
    for (let candidate = number - 1; candidate >= 1; candidate--) if (at(candidate).trim() !== '' && !at(candidate).trim().startsWith('#')) return candidate
    return undefined
  }
  if (code === 'BAD_INDENT' && /mapping items must start at the same column/i.test(message)) {
    return {
      line,
      col: columnOf(line),
      message: `${shown(line)} starts at column ${columnOf(line)}, which lines up with no key above it`,
      hint: 'keys of one mapping start at the same column: indent it like its sibling keys, or further to put it under the key above',
    }
  }
  if (code === 'MISSING_CHAR' && /sequence item without - indicator/i.test(message)) {
    const above = previous(line)
    const itemColumn = above === undefined ? undefined : /^(\s*-\s+)/.exec(at(above))?.[1]?.length
    return {
      line,
      col: columnOf(line),
      message: `${shown(line)} is indented between a list item's "-" and its keys`,
      hint: itemColumn === undefined ? 'line it up with the keys of the list item above, or start a new item with "- "' : `line it up with the item's first key (column ${itemColumn + 1}), or start a new item with "- "`,
    }
  }
  if (code === 'BLOCK_AS_IMPLICIT_KEY' && /nested mappings are not allowed in compact mappings/i.test(message)) {
    const rest = at(line).slice(col - 1)
    if (/^[^\s#'"{[][^#]*:\s/.test(rest)) {
      return {
        line,
        col,
        message: `${shown(line)} has two keys on one line: a value on the same line as its key cannot be a mapping`,
        hint: `put ${JSON.stringify(rest.trim())} on a line of its own, indented under its key`,
      }
    }
    let deeper = line + 1
    while (deeper <= lines.length && (at(deeper).trim() === '' || at(deeper).trim().startsWith('#'))) deeper++
    const key = /^\s*(?:-\s+)?([^:#]+):/.exec(at(line))?.[1]?.trim() ?? 'the key above'
    return {
      line: deeper,
      col: columnOf(deeper),
      message: `${shown(deeper)} is indented deeper than ${JSON.stringify(key)} on line ${line}, which already has a value on its line`,
      hint: `line it up with ${JSON.stringify(key)} (column ${indentOf(at(line).replace(/^(\s*)-\s+/, '$1  ')) + 1})`,
    }
  }
  if (code === 'BLOCK_AS_IMPLICIT_KEY' && /block sequence may not be used as an implicit map key/i.test(message)) {
    return {
      line,
      col: columnOf(line),
      message: `the list item ${shown(line)} is where a key was expected`,
      hint: 'indent it like the other items of its list, under the key the list belongs to',
    }
  }
  const flow = /^flow (sequence|map) in block collection must be sufficiently indented and end with a ([\]}])/i.exec(message)
  if (code === 'BAD_INDENT' && flow) {
    const [open, close] = flow[1].toLowerCase() === 'sequence' ? ['[', ']'] : ['{', '}']
    return {
      line,
      col: columnOf(line),
      message: `a "${open}" opened above is not closed with "${close}", or goes on to this line without being indented deeper than its key`,
      hint: `close it with "${close}", and indent the lines it continues on deeper than its key`,
    }
  }
  if (code === 'MULTILINE_IMPLICIT_KEY') {
    return {
      line,
      col: columnOf(line),
      message: `${shown(line)} is read as a key running over several lines: a colon is probably missing`,
      hint: 'write a key as "key: value", with a colon and a space',
    }
  }
  return undefined
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text
}

function locate(doc: Document, lineCounter: LineCounter, path: ConfigPath, wantKey: boolean): {line: number; column: number} | undefined {
  let node: unknown = doc.contents
  let keyNode: unknown
  for (const part of path) {
    if (isAlias(node)) node = node.resolve(doc)
    keyNode = undefined
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(part))
      if (!pair) break
      keyNode = pair.key
      node = pair.value
    } else if (isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
      node = node.items[part]
    } else {
      break
    }
  }
  const target = (wantKey && keyNode ? keyNode : node ?? keyNode) as Node | undefined
  const offset = target?.range?.[0]
  if (offset === undefined) return undefined
  const {line, col} = lineCounter.linePos(offset)
  return {line, column: col}
}
