/**
 * tk.yml: where it is, what it says. This module is the public face of
 * src/config and stays light: yaml, ajv and semver are imported only when a
 * file is actually read, so commands run without a tk.yml start as fast as
 * before.
 */
import {readFileSync, statSync} from 'node:fs'

import {InputError} from '../errors/index.js'
import {ConfigError} from './errors.js'
import {displayNameOf, findConfigFile, type LocateOptions} from './locate.js'
import {hideSecrets} from './secrets.js'
import type {TkConfig} from './types.js'

export {ConfigError, formatPath, didYouMean} from './errors.js'
export {CONFIG_ENV, CONFIG_FILE_NAME, findConfigFile, type LocateOptions} from './locate.js'
export * from './types.js'
export {SCHEMA_FILE_URL} from './schema-file.js'
export {hideSecrets} from './secrets.js'
export {ACCOUNT_NAME, accountNameProblem} from './account-name.js'

/** Files above this are refused before parsing. */
export const MAX_CONFIG_BYTES = 1024 * 1024


export interface LoadOptions extends LocateOptions {
  /** Throw an InputError when no tk.yml is found (instead of returning undefined). */
  required?: boolean
  /** Also require that files named by provisioners (scripts, sources, image archives) exist. */
  checkFiles?: boolean
  /** Leave unset variables in provisioners' env and daemon options as written: for commands that only reach hosts. */
  deferSecrets?: boolean
}

/**
 * Finds and reads tk.yml (see findConfigFile). Returns undefined when none is
 * named or found and `required` is not set. Throws ConfigError (exit 4) for an
 * invalid file, InputError (exit 3) for a missing or unreadable one.
 */
export async function loadConfig(options: LoadOptions = {}): Promise<TkConfig | undefined> {
  const file = findConfigFile(options)
  if (file === undefined) {
    if (!options.required) return undefined
    throw new InputError(`no tk.yml in ${options.cwd ?? process.cwd()} or any directory above it`, {hint: 'run tk init to write one, or name one with --config PATH'})
  }
  return loadConfigFile(file, options)
}

/** Reads one tk.yml, refusing oversized files before parsing them. */
export async function loadConfigFile(file: string, options: {cwd?: string; env?: NodeJS.ProcessEnv; checkFiles?: boolean; deferSecrets?: boolean} = {}): Promise<TkConfig> {
  const displayName = displayNameOf(file, options.cwd)
  let text: string
  try {
    const {size} = statSync(file)
    if (size > MAX_CONFIG_BYTES) {
      throw new ConfigError(`${displayName}: the file is ${formatSize(size)}, over the ${formatSize(MAX_CONFIG_BYTES)} a tk.yml may have; refusing to parse it`, {
        hint: 'is this the right file? A fleet description is a few kilobytes',
      })
    }
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if (error instanceof ConfigError) throw error
    throw new InputError(`cannot read ${displayName}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {hint: 'check the file and its permissions'})
  }
  if (text.includes('\u0000')) throw new ConfigError(`${displayName}: the file holds binary data, not YAML`, {hint: 'point --config at a tk.yml'})
  const {parseConfigText} = await import('./load.js')
  return parseConfigText(text, {file, displayName, env: options.env, checkFiles: options.checkFiles, deferSecrets: options.deferSecrets})
}

/** Parses tk.yml text (for tests and tools); `file` is its notional absolute path. */
export async function parseConfig(text: string, options: {file: string; displayName?: string; env?: NodeJS.ProcessEnv; checkFiles?: boolean; deferSecrets?: boolean}): Promise<TkConfig> {
  const {parseConfigText} = await import('./load.js')
  return parseConfigText(text, options)
}

/** Replaces every value that came from the environment (outside host connection fields) with ***. */
export function redact(config: Pick<TkConfig, 'secrets'>, text: string): string {
  return hideSecrets(text, config.secrets)
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`
}
