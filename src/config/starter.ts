/**
 * `tk init`: the commented starter tk.yml from templates/tk.yml, with its
 * editor modeline pointing at the schema of the tk that wrote it. Never
 * overwrites a file unless told to.
 */
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

import {HostStateError, InputError} from '../errors/index.js'
import {CONFIG_FILE_NAME, findConfigFile} from './locate.js'
import {SCHEMA_FILE_URL} from './schema-file.js'

export const TEMPLATE_URL = new URL('../../templates/tk.yml', import.meta.url)
const SCHEMA_PLACEHOLDER = '__TK_SCHEMA__'

export interface StarterResult {
  /** Absolute path of the file written. */
  file: string
  /** True when an existing file was replaced (--force). */
  replaced: boolean
  /** What the modeline points editors at. */
  schema: string
  /** A tk.yml in a directory above, which this one now shadows. */
  shadows?: string
}

/**
 * Where editors find the schema: relative when this tk is installed inside
 * the project (node_modules/tk), so the file works for everyone who clones it;
 * otherwise the absolute path of this installation.
 */
export function schemaReference(dir: string, schemaFile = fileURLToPath(SCHEMA_FILE_URL)): string {
  const rel = relative(dir, schemaFile)
  return rel.startsWith('..') || rel.startsWith(sep) ? schemaFile : `./${rel.split(sep).join('/')}`
}

export function starterText(dir: string): {text: string; schema: string} {
  const schema = schemaReference(dir)
  return {text: readFileSync(TEMPLATE_URL, 'utf8').replace(SCHEMA_PLACEHOLDER, schema), schema}
}

export function writeStarterConfig(options: {dir: string; force?: boolean}): StarterResult {
  const dir = resolve(options.dir)
  const file = join(dir, CONFIG_FILE_NAME)
  const exists = existsSync(file)
  if (exists && !options.force) {
    throw new HostStateError(`${CONFIG_FILE_NAME} already exists in ${dir} and was left as it is`, {
      hint: 'edit it and run tk config validate, or replace it with the starter: tk init --force',
    })
  }
  const above = dirname(dir) === dir ? undefined : findConfigFile({cwd: dirname(dir), env: {}})
  const {text, schema} = starterText(dir)
  if (exists) {
    // Replace in one step: never a half-written tk.yml.
    const temporary = `${file}.tk-init-${process.pid}`
    writeFileSync(temporary, text, {mode: 0o644})
    renameSync(temporary, file)
  } else {
    // 'wx': fail rather than clobber a file created since the check.
    try {
      writeFileSync(file, text, {flag: 'wx', mode: 0o644})
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') return writeStarterConfig(options)
      throw new InputError(`cannot write ${file}: ${code ?? (error as Error).message}`, {hint: 'check that the directory exists and is writable'})
    }
  }
  return {file, replaced: exists, schema, ...(above ? {shadows: above} : {})}
}
