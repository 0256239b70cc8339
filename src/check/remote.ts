/**
 * `tk check` over SSH on many hosts: one connection each, every fact in one
 * round trip (host-scripts/check-facts.sh), hosts in parallel.
 */
import {runOnHosts, type HostOutcome} from '../fleet/run-hosts.js'
import {HostConnector} from '../fleet/host-connector.js'
import type {Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {checkHostWithScript, readCheckFactsScript, type CheckReport} from './index.js'

export async function checkHosts(targets: Target[], options: {concurrency?: number; transport: TransportOptions}): Promise<Array<HostOutcome<CheckReport>>> {
  const script = await readCheckFactsScript()
  const connector = new HostConnector(options.transport)
  const byName = new Map(targets.map((target) => [target.name, target]))
  try {
    return await runOnHosts(
      targets.map((target) => target.name),
      async (name) => {
        const host = await connector.get(byName.get(name)!)
        const report = await checkHostWithScript(host, script)
        // Name the report by what the user typed, not the resolved address.
        return {...report, target: name}
      },
      {concurrency: options.concurrency},
    )
  } finally {
    await connector.closeAll()
  }
}
