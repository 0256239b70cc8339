/**
 * Finding tk.yml: --config PATH (or $TK_CONFIG) when given, else the nearest
 * tk.yml walking up from the working directory, like git finds .git. Only fs
 * calls: commands that never need a tk.yml pay nothing more.
 */
import {statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'

import {InputError} from '../errors/index.js'

export const CONFIG_FILE_NAME = 'tk.yml'
/** The environment variable that names the config file, like --config. */
export const CONFIG_ENV = 'TK_CONFIG'

export interface LocateOptions {
  /** Where to start looking and what relative paths are relative to. Default: process.cwd(). */
  cwd?: string
  /** An explicit file (--config); a directory means its tk.yml. */
  path?: string
  /** Default: process.env (for TK_CONFIG). */
  env?: NodeJS.ProcessEnv
}

function kind(path: string): 'file' | 'dir' | 'other' | undefined {
  try {
    const stat = statSync(path)
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'dir' : 'other'
  } catch {
    return undefined
  }
}

/**
 * The tk.yml to use, as an absolute path; undefined when none was named and
 * none exists up the tree. A named file that is missing is an InputError.
 */
export function findConfigFile(options: LocateOptions = {}): string | undefined {
  const cwd = resolve(options.cwd ?? process.cwd())
  const env = options.env ?? process.env
  const named = options.path ?? (env[CONFIG_ENV] || undefined)
  if (named !== undefined) {
    const from = options.path === undefined ? ` (from ${CONFIG_ENV})` : ''
    let file = resolve(cwd, named)
    if (kind(file) === 'dir') file = join(file, CONFIG_FILE_NAME)
    const found = kind(file)
    if (found === undefined) throw new InputError(`config file ${named}${from} does not exist`, {hint: 'check the path, or run tk init to write a starter tk.yml'})
    if (found !== 'file') throw new InputError(`config file ${named}${from} is not a regular file`, {hint: 'point --config at a tk.yml'})
    return file
  }
  for (let dir = cwd; ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILE_NAME)
    if (kind(candidate) === 'file') return candidate
    if (dirname(dir) === dir) return undefined
  }
}

/** The file as named in messages: relative to cwd when that is shorter, else absolute. */
export function displayNameOf(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file)
  return rel !== '' && rel.length < file.length ? rel : file
}
