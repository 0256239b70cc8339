/**
 * ${ENV_VAR} references in tk.yml: secrets and per-machine values stay out of
 * the file and are filled in when tk reads it. ${NAME:-fallback} gives a
 * fallback; $${ is a literal "${". A bare $NAME is left alone. Shell inline
 * scripts are not expanded: their $VARS belong to the remote shell (pass
 * values to them through the provisioner's env, which is expanded).
 */
import {ConfigError, formatPath, type ConfigPath} from './errors.js'

const REFERENCE = /\$\$\{|\$\{([^}]*)\}?/g
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export interface EnvExpansion {
  /** The value with every reference replaced. */
  value: string
  /** Names of the variables used. */
  names: string[]
  /** The variables' values that were put in. */
  values: string[]
  /** Unset variables left as written (`defer`). */
  deferred: string[]
}

/** Expands one string; throws a ConfigError naming the variable and where it is used. */
export function expandString(text: string, env: NodeJS.ProcessEnv, path: ConfigPath, file: string, options: {defer?: boolean} = {}): EnvExpansion {
  const where = formatPath(path)
  const names: string[] = []
  const values: string[] = []
  const deferred: string[] = []
  const value = text.replace(REFERENCE, (whole, inner: string | undefined) => {
    if (whole === '$${') return '${'
    if (!whole.endsWith('}')) {
      throw new ConfigError(`${file}: ${where}: "\${" without a closing "}"`, {path: where, hint: 'write ${NAME}, or $${ for a literal "${"'})
    }
    const body = inner ?? ''
    const fallbackAt = body.indexOf(':-')
    const name = fallbackAt === -1 ? body : body.slice(0, fallbackAt)
    if (!NAME.test(name)) {
      throw new ConfigError(`${file}: ${where}: "\${${body}}" is not an environment variable reference`, {
        path: where,
        hint: 'write ${NAME} or ${NAME:-fallback} (letters, digits and _), or $${ for a literal "${"',
      })
    }
    names.push(name)
    const set = env[name]
    if (set !== undefined && set !== '') {
      values.push(set)
      return set
    }
    if (fallbackAt !== -1) return body.slice(fallbackAt + 2)
    if (options.defer) {
      // Left as written: a command that does not use this value need not have it (tk status without the provisioners' secrets).
      deferred.push(name)
      return whole
    }
    throw new ConfigError(`${file}: ${where}: environment variable ${name} is ${set === '' ? 'empty' : 'not set'}`, {
      path: where,
      hint: `export ${name} before running tk, or write \${${name}:-fallback}`,
    })
  })
  return {value, names, values, deferred}
}

/** Where a value came (wholly or partly) from the environment: data path -> variable names. */
export type EnvOrigins = Map<string, string[]>

/** Keys whose strings are not expanded, as [parent key, key]: a shell provisioner's inline script. */
function isExempt(path: ConfigPath): boolean {
  return path.length === 3 && path[0] === 'provisioners' && path[2] === 'inline'
}

/**
 * Where secrets live and nothing but tk up and tk provision reads them: a
 * provisioner's env (a docker provisioner's container env too) and the
 * engine's daemon options. With `deferSecrets`, a variable unset there is
 * left as written instead of refused, so that tk status, exec, destroy and
 * the other commands that only reach hosts run without every secret set.
 */
function isSecretsOnly(path: ConfigPath): boolean {
  if (path[0] === 'provisioners') return path[2] === 'env' || (path[2] === 'container' && path[3] === 'env')
  if (path[0] === 'engine') return path[1] === 'daemon'
  return path[0] === 'hosts' && path[2] === 'engine' && path[3] === 'daemon'
}

/**
 * Expands every string value (not keys) in the parsed file, in place.
 * Returns where values came from the environment and the values put in.
 */
export function expandEnv(
  data: unknown,
  env: NodeJS.ProcessEnv,
  file: string,
  /** "FILE:LINE:COL" of a value, for messages. */
  fileAt: (path: ConfigPath) => string = () => file,
  options: {deferSecrets?: boolean} = {},
): {origins: EnvOrigins; values: Array<{path: ConfigPath; value: string}>; deferred: string[]} {
  const origins: EnvOrigins = new Map()
  const values: Array<{path: ConfigPath; value: string}> = []
  const deferred = new Set<string>()
  const visit = (node: unknown, path: ConfigPath): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('$') || isExempt(path)) return node
      const expansion = expandString(node, env, path, fileAt(path), {defer: options.deferSecrets && isSecretsOnly(path)})
      if (expansion.names.length > 0) origins.set(formatPath(path), expansion.names)
      for (const value of expansion.values) values.push({path, value})
      for (const name of expansion.deferred) deferred.add(name)
      return expansion.value
    }
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) node[index] = visit(node[index], [...path, index])
      return node
    }
    if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>
      for (const key of Object.keys(record)) record[key] = visit(record[key], [...path, key])
      return node
    }
    return node
  }
  visit(data, [])
  return {origins, values, deferred: [...deferred].sort()}
}
