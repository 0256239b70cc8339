/** tk.yml's `engine:` for one host, as the desired engine `tk provision`'s steps work towards. */
import type {EngineConfig} from '../config/types.js'
import {isJsonObject} from '../engine/daemon-config.js'
import {parseEngineRange} from '../engine/version-range.js'
import {UsageError} from '../errors/index.js'
import {DEFAULT_DESIRED, type DesiredEngine, type InstallScript} from './desired-engine.js'

export interface UpEngineOptions {
  /** For method: script, the install script's text and where it came from. */
  script?: InstallScript
  skipCheck: boolean
  /** The flag that gives the install script, for the message when none was given. */
  scriptFlag?: string
  /** tk up --force, --allow-downgrade: for a switch between docker.io and docker-ce. */
  force?: boolean
  allowDowngrade?: boolean
}

export function desiredEngine(host: string, engine: EngineConfig, options: UpEngineOptions): DesiredEngine {
  if (engine.method === 'script' && !options.script) {
    throw new UsageError(`${host}: engine method is script, and no install script was given`, {
      hint: `pass ${options.scriptFlag ?? '--install-script'} FILE|URL (e.g. a copy of get.docker.com), or use method: distro`,
    })
  }
  const daemon = engine.daemon
  const hasDaemonOptions = isJsonObject(daemon) && Object.keys(daemon).length > 0
  return {
    ...DEFAULT_DESIRED,
    method: engine.method,
    ...(engine.methodNamed ? {methodNamed: true} : {}),
    ...(options.force ? {force: true} : {}),
    ...(options.allowDowngrade ? {allowDowngrade: true} : {}),
    ...(engine.method === 'script' ? {script: options.script} : {}),
    ...(engine.repository === undefined ? {} : {repository: engine.repository}),
    compose: engine.compose,
    ...(engine.fetch === 'workstation' ? {fetch: engine.fetch} : {}),
    dockerUsers: engine.users,
    skipCheck: options.skipCheck,
    ...(engine.version === undefined ? {} : {engineVersion: parseEngineRange(engine.version, 'engine.version in tk.yml')}),
    ...(hasDaemonOptions ? {daemonConfig: {patch: daemon, sources: ['tk.yml'], ...(engine.daemonSecretPaths ? {secretPaths: engine.daemonSecretPaths} : {})}} : {}),
  }
}
