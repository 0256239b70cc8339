/**
 * Captures the facts script's real output on sandbox machines, bare and
 * after `tk provision`, into test/fixtures/host-facts/<release>-<bare|engine>.txt
 * (what test/unit/facts/host-facts.test.ts reads). Needs a built tk (npm run build).
 *
 *   TK_SANDBOX_HOME=/var/lib/tk-sb-mine npx tsx test/support/capture-host-facts.ts [release ...]
 */
import {writeFileSync} from 'node:fs'

import {hostFactsScript} from '../../src/facts/host-facts.js'
import {RELEASES, type Release} from '../../src/providers/sandbox/index.js'
import {runTk} from '../run-tk.js'
import {sandboxFixture, teardownSandbox, type TestMachine} from './sandbox.js'
import {cleanEnv, sandboxFlags, target} from './tk-hosts.js'

const releases = (process.argv.length > 2 ? process.argv.slice(2) : RELEASES) as Release[]
const fixtureFile = (release: Release, state: 'bare' | 'engine') => new URL(`../fixtures/host-facts/${release}-${state}.txt`, import.meta.url)

// As tk runs it over SSH for a provision plan (TK_DAEMON_FACTS=1), except that the script asks
// the docker CLI for the engine section itself (no TK_ENGINE_API=1): one text holds every section.
async function capture(machine: TestMachine): Promise<string> {
  const run = await machine.ssh('admin', 'sh -s', {input: `TK_DAEMON_FACTS=1\n${await hostFactsScript()}`})
  if (run.code !== 0) throw new Error(`the facts script failed on ${machine.name} (exit ${run.code}): ${run.stderr}`)
  return run.stdout
}

try {
  const fixture = await sandboxFixture({releases})
  await Promise.all(
    releases.map(async (release) => {
      const machine = await fixture.machine({release, keep: true})
      writeFileSync(fixtureFile(release, 'bare'), await capture(machine))
      const provision = await runTk(['provision', target(machine), ...sandboxFlags(fixture), '--json'], {env: cleanEnv})
      if (provision.code !== 0) throw new Error(`tk provision failed on ${release}: ${provision.stderr}${provision.stdout}`)
      writeFileSync(fixtureFile(release, 'engine'), await capture(machine))
      process.stdout.write(`${release}: captured bare and engine\n`)
    }),
  )
} finally {
  await teardownSandbox()
}
