/**
 * `tk check` over SSH on many hosts: one connection each, every fact in one
 * round trip (provisioners/check-facts.sh), hosts in parallel.
 */
import {runOnHosts, type HostOutcome} from '../fleet/run-hosts.js'
import {SshPool} from '../transport/pool.js'
import type {TransportOptions} from '../transport/connection.js'
import {checkHostWithScript, readCheckFactsScript, type CheckReport} from './index.js'

export async function checkHosts(
  targets: string[],
  options: {concurrency?: number; transport?: TransportOptions},
): Promise<Array<HostOutcome<CheckReport>>> {
  const script = await readCheckFactsScript()
  const pool = new SshPool(options.transport)
  try {
    return await runOnHosts(
      targets,
      async (target) => {
        const host = await pool.get(target)
        const report = await checkHostWithScript(host, script)
        // Name the report by what the user typed, not the resolved address.
        return {...report, target}
      },
      {concurrency: options.concurrency},
    )
  } finally {
    await pool.closeAll()
  }
}
