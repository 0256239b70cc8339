/**
 * The heavy half of the loader (yaml, ajv, semver), imported only when a
 * tk.yml is actually read: from its text to a TkConfig, or a ConfigError.
 * Order: YAML syntax -> ${ENV} expansion -> schema -> cross-checks and defaults.
 */
import {dirname} from 'node:path'

import {expandEnv} from './env.js'
import {ConfigError, formatPath} from './errors.js'
import {resolveConfig} from './resolve.js'
import {checkSchema} from './schema-check.js'
import type {TkConfig, TkFile} from './types.js'
import {readYaml} from './yaml-source.js'

export interface ParseOptions {
  /** Absolute path of the file the text came from. */
  file: string
  /** How the file is named in messages. Default: file. */
  displayName?: string
  env?: NodeJS.ProcessEnv
  /** Also require that files named by provisioners exist. */
  checkFiles?: boolean
  /** Leave unset variables in provisioners' env and daemon options as written (commands that only reach hosts). */
  deferSecrets?: boolean
}

/** Host connection fields: values from the environment there are addresses and names, shown in tables. */
const SHOWN = /^(hosts\[\d+\]\.(name|address|user|identityFile)|defaults\.(user|identityFile))$/
/** Shorter values are not worth hiding and would mangle output when redacted. */
const MIN_SECRET_LENGTH = 4

export function parseConfigText(text: string, options: ParseOptions): TkConfig {
  const displayName = options.displayName ?? options.file
  const source = readYaml(text, displayName)
  if (source.data === null || source.data === undefined) {
    throw new ConfigError(`${displayName}: the file is empty`, {hint: 'describe at least one host; tk init writes a commented starter file'})
  }
  const fileAt = (path: Array<string | number>) => {
    const where = source.locate(path)
    return where ? `${displayName}:${where.line}:${where.column}` : displayName
  }
  const {origins, values, deferred} = expandEnv(source.data, options.env ?? process.env, displayName, fileAt, {deferSecrets: options.deferSecrets})
  checkSchema(source.data, source, displayName, origins)
  const secretValues = values.filter(({path, value}) => !SHOWN.test(formatPath(path)) && value.length >= MIN_SECRET_LENGTH)
  const secrets = [...new Set(secretValues.map(({value}) => value))]
  return resolveConfig(source.data as TkFile, {
    file: options.file,
    dir: dirname(options.file),
    displayName,
    source,
    secrets,
    secretPaths: secretValues.map(({path}) => path),
    checkFiles: options.checkFiles,
    deferredEnv: deferred,
  })
}
