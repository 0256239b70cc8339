/** Runs `docker context ...` with the local docker CLI, for `tk context`. */
import {execFile} from 'node:child_process'

import {HostStateError} from '../errors/index.js'

/**
 * Runs `docker context ARGS`; resolves true on success. A failure is a
 * UserError with docker's message, or false with `allowFailure`.
 */
export function dockerContext(docker: string, args: string[], options: {allowFailure?: boolean} = {}): Promise<boolean> {
  return new Promise((resolve, reject) => {
    execFile(docker, ['context', ...args], {encoding: 'utf8'}, (error, _stdout, stderr) => {
      if (!error) return resolve(true)
      if (options.allowFailure) return resolve(false)
      const line = stderr.trim().split('\n').pop() || error.message
      reject(new HostStateError(`docker context ${args[0]} failed: ${line}`))
    })
  })
}
