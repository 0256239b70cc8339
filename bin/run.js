#!/usr/bin/env node
// `tk docker HOST -- ARGS` with HOST's tunnel up skips oclif (src/cli/docker-fast-path.ts);
// everything else, and that call whenever it cannot be served so, is oclif's.
// Only a docker command pays for the look: the module is imported for nothing else.
const args = process.argv.slice(2)
let code
if (args[0] === 'docker') {
  const {runDockerFastPath} = await import('../dist/cli/docker-fast-path.js')
  code = await runDockerFastPath(args)
}
if (code === undefined) {
  const {execute} = await import('@oclif/core/execute')
  await execute({dir: import.meta.url})
} else {
  process.exitCode = code
}
