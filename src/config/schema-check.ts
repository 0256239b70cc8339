/**
 * Validates parsed tk.yml data against schemas/tk.schema.json (the one source
 * of validation, the same file editors use) and turns Ajv's errors into one
 * precise line: where (FILE:LINE:COL and the data path), what was expected,
 * what was found, and a did-you-mean for a misspelt key or value.
 */
import type {ErrorObject, ValidateFunction} from 'ajv'

import type {EnvOrigins} from './env.js'
import {ConfigError, didYouMean, formatPath, type ConfigPath} from './errors.js'
// Ajv's code for the schema, compiled ahead of time (see test/unit/config/schema-validator.test.ts):
// loading Ajv and compiling the schema on every run would cost a few hundred milliseconds.
import generated from './schema-validator.generated.js'
import type {YamlSource} from './yaml-source.js'

const validator = (): ValidateFunction => generated as unknown as ValidateFunction

/** Throws a ConfigError for the first problem in file order, or returns. */
export function checkSchema(data: unknown, source: YamlSource, file: string, origins: EnvOrigins): void {
  const validate = validator()
  if (validate(data)) return
  const errors = relevant(validate.errors ?? [])
  const problems = errors.map((error) => describe(error, source, origins))
  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? Infinity) - (b.column ?? Infinity))
  const problem = problems[0]
  const where = problem.line === undefined ? file : `${file}:${problem.line}:${problem.column}`
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''
  throw new ConfigError(`${where}: ${problem.path}: ${problem.message}${more}`, {
    hint: problem.hint,
    line: problem.line,
    column: problem.column,
    path: problem.path,
  })
}

/**
 * Drops the errors that only restate others: an `if` that failed because its
 * `then` did (the `then` errors say what is wrong), and the per-branch errors
 * under a oneOf/anyOf (the oneOf itself is described), duplicates at one path.
 */
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const branches = errors.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf').map((error) => error.schemaPath + '/')
  // An unknown key usually explains a missing one beside it (a misspelt "inline"): report the key.
  const unknownKeysAt = new Set(errors.filter((error) => error.keyword === 'additionalProperties').map((error) => error.instancePath))
  const seen = new Set<string>()
  return errors.filter((error) => {
    if (error.keyword === 'if' || error.keyword === 'propertyNames') return false
    if (['required', 'oneOf', 'anyOf'].includes(error.keyword) && unknownKeysAt.has(error.instancePath)) return false
    if (branches.some((prefix) => error.schemaPath.startsWith(prefix))) return false
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

interface Problem {
  path: string
  message: string
  hint?: string
  line?: number
  column?: number
}

function pointerToPath(pointer: string): ConfigPath {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part))
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'nothing',
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** How a found value is shown: a short literal, never a value from the environment. */
function shown(value: unknown, envNames: string[] | undefined): string {
  if (envNames) return `the value of ${envNames.map((name) => `\${${name}}`).join(', ')} (not shown)`
  switch (typeOf(value)) {
    case 'string': {
      const text = value as string
      return JSON.stringify(text.length > 40 ? text.slice(0, 37) + '...' : text)
    }
    case 'array':
      return 'a list'
    case 'object':
      return 'a mapping'
    case 'null':
      return 'nothing (null)'
    default:
      return String(value)
  }
}

function describe(error: ErrorObject, source: YamlSource, origins: EnvOrigins): Problem {
  const dataPath = pointerToPath(error.instancePath)
  const path = formatPath(dataPath)
  const envNames = origins.get(path)
  const got = shown(error.data, envNames)
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>
  const at = (target: ConfigPath, key = false) => source.locate(target, {key}) ?? {}
  const docs = 'see docs/config.md'
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty)
      const allowed = Object.keys((parent.properties ?? {}) as object)
      const guess = didYouMean(key, allowed)
      return {
        path,
        message: `unknown key ${JSON.stringify(key)}`,
        hint: guess ? `did you mean "${guess}"?` : allowed.length <= 16 ? `allowed here: ${allowed.join(', ')}` : dataPath.at(-1) === 'daemon' ? 'see docs/daemon-config.md for the keys tk knows' : docs,
        ...at([...dataPath, key], true),
      }
    }
    case 'required': {
      const key = String(error.params.missingProperty)
      return {path, message: `missing required key "${key}"`, hint: `add ${key}: ...; ${docs}`, ...at(dataPath)}
    }
    case 'type': {
      const expected = String(error.params.type)
        .split(',')
        .map((name) => TYPE_NAMES[name] ?? name)
        .join(' or ')
      const actual = typeOf(error.data)
      let hint = docs
      if (actual === 'string' && /integer|number/.test(String(error.params.type))) hint = 'write the number without quotes (${VARS} cannot fill numbers)'
      else if (error.params.type === 'string' && actual !== 'object' && actual !== 'array') hint = 'put the value in quotes'
      const wanted = typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : expected
      return {path, message: `expected ${wanted}, got ${actual === 'string' && !envNames ? `the string ${got}` : got}`, hint, ...at(dataPath)}
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String)
      const guess = typeof error.data === 'string' && !envNames ? didYouMean(error.data, allowed) : undefined
      return {
        path,
        message: `expected one of ${allowed.join(', ')}, got ${got}`,
        hint: guess ? `did you mean "${guess}"?` : docs,
        ...at(dataPath),
      }
    }
    case 'const':
      return {path, message: `expected ${JSON.stringify(error.params.allowedValue)}, got ${got}`, hint: docs, ...at(dataPath)}
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {path, message: `expected ${range(parent)}, got ${got}`, hint: docs, ...at(dataPath)}
    case 'pattern': {
      const name = (error as ErrorObject & {propertyName?: string}).propertyName
      const expected = typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : `text matching /${String(error.params.pattern)}/`
      if (name !== undefined) {
        return {path, message: `key ${JSON.stringify(name)} is not ${expected}`, hint: docs, ...at([...dataPath, name], true)}
      }
      return {path, message: `expected ${expected}, got ${got}`, hint: docs, ...at(dataPath)}
    }
    case 'minLength':
      return {path, message: 'expected a non-empty string', hint: docs, ...at(dataPath)}
    case 'minItems':
      return {path, message: `expected a list of at least ${String(error.params.limit)} item(s)`, hint: docs, ...at(dataPath)}
    case 'uniqueItems': {
      const {i, j} = error.params as {i: number; j: number}
      const item = (error.data as unknown[])[j]
      return {path, message: `${shown(item, undefined)} is listed twice (items ${j} and ${i})`, hint: 'list each item once', ...at([...dataPath, i])}
    }
    case 'oneOf':
    case 'anyOf': {
      const branches = (error.schema as Array<{required?: string[]}>) ?? []
      const keys = branches.flatMap((branch) => branch.required ?? [])
      if (keys.length === branches.length && keys.length > 0) {
        const none = error.keyword === 'anyOf' || error.params.passingSchemas === null
        return {
          path,
          message: none ? `expected one of the keys ${keys.join(', ')}` : `expected only one of the keys ${keys.join(', ')}, not several`,
          hint: docs,
          ...at(dataPath),
        }
      }
      return {path, message: `does not match any allowed shape`, hint: docs, ...at(dataPath)}
    }
    default:
      return {path, message: error.message ?? `is invalid (${error.keyword})`, hint: docs, ...at(dataPath)}
  }
}

function range(schema: Record<string, unknown>): string {
  const kind = schema.type === 'integer' ? 'an integer' : 'a number'
  const low = schema.minimum ?? schema.exclusiveMinimum
  const high = schema.maximum ?? schema.exclusiveMaximum
  const lowText = schema.exclusiveMinimum === undefined ? `from ${String(low)}` : `above ${String(low)}`
  if (low !== undefined && high !== undefined) {
    return schema.exclusiveMaximum === undefined ? `${kind} ${lowText} to ${String(high)}` : `${kind} ${lowText} and below ${String(high)}`
  }
  if (low !== undefined) return schema.exclusiveMinimum === undefined ? `${kind} of at least ${String(low)}` : `${kind} above ${String(low)}`
  return schema.exclusiveMaximum === undefined ? `${kind} of at most ${String(high)}` : `${kind} below ${String(high)}`
}
