#!/usr/bin/env node
// Switching a bookworm sandbox machine's engine docker.io -> docker-ce -> docker.io (issue 23):
// runs test/integration/engine-switch.test.ts (the stand-in of Docker's repository, a running
// container, a volume, a swarm) with TK_TEST_TIMINGS=1 and prints each tk provision's wall time
// and its steps' times, and the file's own wall time.
//   each switch, whole tk process       target: under 60 s on a quiet 2-core machine
//   re-run after a switch               target: under 3 s (nothing to do)
//   the whole test file                 target: under 3 min
// Run after `npm run build`, as root, with TK_SANDBOX_HOME set: node bench/engine-switch.js
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const started = process.hrtime.bigint()
const child = spawn('npx', ['mocha', 'test/integration/engine-switch.test.ts'], {cwd: root, env: {...process.env, TK_TEST_TIMINGS: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
let stdout = ''
let stderr = ''
child.stdout.on('data', (chunk) => (stdout += chunk))
child.stderr.on('data', (chunk) => (stderr += chunk))
const code = await new Promise((resolve) => child.on('close', resolve))
const seconds = Number(process.hrtime.bigint() - started) / 1e9
if (code !== 0) {
  console.error(`bench/engine-switch.js: the test file failed (exit ${code}):\n${stdout.slice(-3000)}${stderr.slice(-2000)}`)
  process.exit(1)
}
for (const line of stderr.split('\n').filter((text) => text.startsWith('tk-timing '))) {
  const [, label, wall, , steps] = line.split(' ')
  const parts = JSON.parse(steps).map(([id, ms]) => `${id} ${(ms / 1000).toFixed(2)}`)
  console.log(`${label.padEnd(16)} ${wall.padStart(6)} s   ${parts.join(', ')}`)
}
console.log(`${'test file'.padEnd(16)} ${seconds.toFixed(2).padStart(6)} s   (mocha, including the machine from the snapshot and the setup)`)
