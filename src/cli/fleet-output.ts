/**
 * The end of every command that worked on many hosts: the exit code the
 * fleet result adds up to becomes the process's, and what is returned (and
 * printed by --json) is the result without it and without the runner's
 * outcomes (renderers read those).
 */
import type {FleetResult} from '../fleet/result.js'

export function finishFleet<R extends FleetResult<unknown, unknown>>(result: R): Omit<R, 'exitCode' | 'outcomes'> {
  if (result.exitCode !== 0) process.exitCode = result.exitCode
  const {exitCode: _exitCode, outcomes: _outcomes, ...rest} = result
  return rest
}
