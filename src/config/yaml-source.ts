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
    const {line, col} = lineCounter.linePos(first.pos[0])
    let message = first.message.split('\n')[0].replace(/\s+at line \d+, column \d+:?$/, '').trim()
    if (first.code === 'DUPLICATE_KEY') {
      const key = /^("[^"]*"|'[^']*'|[^:#\n]+)/.exec(text.slice(first.pos[0]))?.[1]?.trim()
      message = key ? `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : JSON.stringify(key)}` : 'duplicate key'
    }
    if (first.code === 'MULTIPLE_DOCS') message = 'more than one YAML document'
    throw new ConfigError(`${file}:${line}:${col}: ${lowerFirst(message)}`, {
      line,
      column: col,
      hint: SYNTAX_HINTS[first.code] ?? 'fix the YAML syntax there',
    })
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
