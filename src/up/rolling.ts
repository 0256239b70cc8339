/**
 * A rolling `tk up`: --serial N over every selected host, and serial: per
 * group in tk.yml, as windows of the fleet runner (src/fleet/runner.ts), the
 * same runner `tk upgrade --serial` goes through. A host is converged whole
 * (engine restart, container recreations, health waits) inside its window.
 * A rolling run stops at the first failure unless --max-fail says otherwise,
 * as tk upgrade does; a dry run changes nothing, so it does not roll.
 */
import type {TkConfig} from '../config/types.js'
import type {FleetRunOptions} from '../fleet/runner.js'
import type {Target} from '../targets/index.js'

export interface RollingRequest {
  dryRun: boolean
  /** tk up --serial N: at most N of the selected hosts at once. */
  serial?: number
  maxFail?: number
}

/** The runner's windows and max-fail for a run of tk up on these hosts. */
export function upWindows(targets: readonly Target[], config: Pick<TkConfig, 'groupSerial'>, request: RollingRequest): Pick<FleetRunOptions<unknown>, 'windows' | 'maxFail'> {
  if (request.dryRun) return request.maxFail === undefined ? {} : {maxFail: request.maxFail}
  const names = targets.map((target) => target.name)
  const windows: Array<{size: number; targets: ReadonlySet<string>}> = []
  if (request.serial !== undefined) windows.push({size: request.serial, targets: new Set(names)})
  for (const [group, size] of config.groupSerial ?? []) {
    const members = new Set(targets.filter((target) => target.host?.groups.includes(group)).map((target) => target.name))
    if (members.size > 0) windows.push({size, targets: members})
  }
  if (windows.length === 0) return request.maxFail === undefined ? {} : {maxFail: request.maxFail}
  return {windows, maxFail: request.maxFail ?? 1}
}
