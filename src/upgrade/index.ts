/**
 * `tk upgrade` as a service: connects to the hosts and rolls the upgrade
 * across them, `serial` at a time, stopping after `maxFail` failures.
 */
import {lockHolder, whoAmI, withHostLock} from '../fleet/host-lock.js'
import {HostConnector} from '../fleet/host-connector.js'
import type {Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {upgradeHost, type UpgradeHostOptions, type UpgradeResult, type UpgradeStepOutcome} from './execute.js'
import {rollHosts, type RollOutcome} from './roll.js'

export {UpgradeFailed, type UpgradeResult, type UpgradeStepOutcome} from './execute.js'
export type {PackageMove} from './plan.js'
export type {RollOutcome} from './roll.js'

export interface UpgradeFleetOptions extends Omit<UpgradeHostOptions, 'onStep'> {
  serial?: number
  maxFail?: number
  transport: TransportOptions
  onStart?: (target: string) => void
  onStep?: (target: string, outcome: UpgradeStepOutcome) => void
  onDone?: (outcome: RollOutcome<UpgradeResult>) => void
  /** Seconds to wait for another tk run's lock on a host; 0 fails at once. Default 300. */
  waitSeconds?: number
  /** Another run holds a host's lock: who, for the user. */
  onWait?: (target: string, holder: string) => void
}

export async function upgradeHosts(targets: Target[], options: UpgradeFleetOptions): Promise<Array<RollOutcome<UpgradeResult>>> {
  const connector = new HostConnector(options.transport)
  const byName = new Map(targets.map((target) => [target.name, target]))
  const by = whoAmI()
  try {
    return await rollHosts(
      targets.map((target) => target.name),
      async (name) => {
        const host = await connector.get(byName.get(name)!)
        const root = host.asRoot()
        // The host's lock (tk up, tk provision): no other run restarts the engine while packages change.
        const locking = {dryRun: options.dryRun, waitSeconds: options.waitSeconds, holder: lockHolder(by, 'tk upgrade'), onWait: (holder: string) => options.onWait?.(name, holder)}
        return withHostLock(name, host, root, locking, () => upgradeHost(name, root, options))
      },
      {serial: options.serial, maxFail: options.maxFail, onStart: options.onStart, onDone: options.onDone},
    )
  } finally {
    await connector.closeAll()
  }
}
