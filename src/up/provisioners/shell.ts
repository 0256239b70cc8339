/**
 * The `shell` provisioner: a script (inline in tk.yml, or a file of the repo)
 * run on the host as root or as the login user, with the environment tk.yml
 * gives it. `run: once` runs it when it has never run or its text or
 * environment changed; `run: always` runs it on every `tk up`; `tk up --rerun
 * NAME` runs it again on purpose. tk cannot observe what a script did, so it
 * has no drift check.
 */
import {readFile} from 'node:fs/promises'

import type {ShellProvisioner} from '../../config/types.js'
import {HostStateError, InputError} from '../../errors/index.js'
import {shQuote} from '../../transport/sh-quote.js'
import {hostScript} from '../../transport/host-scripts.js'
import {sha256, specText} from '../spec-hash.js'
import {hideSecrets, unchangedRun, type ProvisionerRunner} from './types.js'

export async function shellText(provisioner: ShellProvisioner): Promise<string> {
  if (provisioner.inline !== undefined) return provisioner.inline
  try {
    return await readFile(provisioner.script!, 'utf8')
  } catch (error) {
    throw new InputError(`provisioner ${provisioner.name}: cannot read ${provisioner.script}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
  }
}

/** What a shell provisioner's spec hash is taken of: its script, environment (values and all) and who runs it. */
export function shellSpecText(provisioner: ShellProvisioner, text: string): string {
  return specText({type: 'shell', text: sha256(text), env: provisioner.env, privileged: provisioner.privileged})
}

export const runShellProvisioner: ProvisionerRunner<ShellProvisioner> = async (provisioner, context) => {
  const text = await shellText(provisioner)
  // Environment values may be secrets: only their keyed hash reaches the host's state.
  const spec = context.specs.digest(shellSpecText(provisioner, text))
  const hash = spec.value
  const recorded = context.state.provisioners[provisioner.name]
  const who = provisioner.privileged ? 'root' : 'the login user'
  const again = context.rerun?.has(provisioner.name) ?? false
  const unchanged = provisioner.run === 'once' && !again ? unchangedRun(spec, recorded, (record) => `ran ${record.appliedAt}; unchanged since`) : undefined
  if (unchanged) return unchanged
  const why = again ? '--rerun' : provisioner.run === 'always' ? 'run: always' : recorded ? 'its script or environment changed' : 'never ran here'
  if (context.dryRun) return {result: provisioner.run === 'always' && !again ? 'skipped' : 'would-change', detail: `would run as ${who} (${why})`, specHash: hash}

  const exports = Object.entries(provisioner.env).map(([key, value]) => `${key}=${shQuote(value)}; export ${key}`)
  const wrapper = [...exports, `set -- ${provisioner.privileged ? '/root' : '"$HOME"'}`, await hostScript('run-user-script.sh')].join('\n')
  const host = provisioner.privileged ? context.hosts.root : context.hosts.login
  const started = performance.now()
  // The script goes on stdin after the wrapper (so neither it nor the environment is ever in a command line).
  const result = await host.run(wrapper, {stdin: text})
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  if (result.code !== 0) {
    const output = hideSecrets(`${result.stderr}\n${result.stdout}`, context.secrets).trim().split('\n').slice(-3).join(' | ')
    throw new HostStateError(`${context.target}: shell provisioner ${provisioner.name} exited ${result.code}${output ? `: ${output}` : ''}`)
  }
  const last = hideSecrets(result.stdout, context.secrets).trim().split('\n').pop()
  return {result: provisioner.run === 'always' && !again ? 'ran' : 'changed', detail: `ran as ${who} in ${seconds}s (${why})${last ? `: ${last.slice(0, 100)}` : ''}`, specHash: hash}
}
