/**
 * `tk check` as a service: find the kernel config, gather facts, judge them.
 * Commands call these; nothing here knows about oclif or output.
 */
import {readFile, stat} from 'node:fs/promises'

import {InputError} from '../errors/index.js'
import type {Host} from '../transport/host.js'
import {hostScript} from '../transport/host-scripts.js'
import {evaluateChecks, type CheckReport} from './evaluate.js'
import {CONFIG_CANDIDATES, gatherCheckFacts, parseFactsScriptOutput, type RawCheckFacts} from '../facts/check-facts.js'
import {KernelConfig} from './kernel-config.js'

export type {CheckReport, CheckResult, CheckStatus} from './evaluate.js'

const PASS_A_FILE = 'pass one with --kernel-config FILE (plain or gzip)'

/** Judges a kernel config file alone, gating flags on the version in its header. */
export async function checkConfigFile(path: string): Promise<CheckReport> {
  let bytes: Buffer
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw new InputError(`${path} is a directory, not a kernel config file`, {hint: PASS_A_FILE})
    bytes = await readFile(path)
  } catch (error) {
    if (error instanceof InputError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new InputError(`kernel config ${path} does not exist`, {hint: PASS_A_FILE})
    if (code === 'EACCES') throw new InputError(`kernel config ${path} is not readable (permission denied)`, {hint: 'run as a user who can read it'})
    throw new InputError(`cannot read kernel config ${path}: ${(error as Error).message}`)
  }
  const config = KernelConfig.fromBytes(bytes, path)
  if (!config.headerVersion) {
    throw new InputError(
      `${path} has no "# Linux/<arch> <version> Kernel Configuration" header, so its kernel version is unknown`,
      {hint: 'use the .config the kernel build wrote, or /boot/config-<version> from the kernel package'},
    )
  }
  return evaluateChecks({target: path, config})
}

/** Judges a running host from its facts. */
export function judgeHostFacts(target: string, facts: RawCheckFacts): CheckReport {
  if (!facts.configPath || !facts.configBytes) {
    throw new InputError(
      `no kernel config found on ${target}: looked in ${CONFIG_CANDIDATES(facts.unameRelease).join(', ')}`,
      {hint: PASS_A_FILE},
    )
  }
  const config = KernelConfig.fromBytes(facts.configBytes, facts.configPath)
  return evaluateChecks({target, config, facts})
}

/** Checks a host through the host interface (the fast path for the local machine). */
export async function checkHost(host: Host): Promise<CheckReport> {
  return judgeHostFacts(host.name, await gatherCheckFacts(host))
}

/** Checks a host by running host-scripts/check-facts.sh there: one round trip. */
export async function checkHostWithScript(host: Host, script: string): Promise<CheckReport> {
  const result = await host.run(script)
  if (result.code !== 0) throw new Error(`the check facts script failed on ${host.name} (exit ${result.code}): ${result.stderr.trim()}`)
  return judgeHostFacts(host.name, parseFactsScriptOutput(result.stdout))
}

/** host-scripts/check-facts.sh, as the one loader of host scripts reads it. */
export function readCheckFactsScript(): Promise<string> {
  return hostScript('check-facts.sh')
}
