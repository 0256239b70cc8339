#!/usr/bin/env node
// `tk docker HOST -- ARGS` with HOST's tunnel up skips oclif (src/cli/docker-fast-path.ts);
// everything else, and that call whenever it cannot be served so, is oclif's.
const {runDockerFastPath} = await import('../dist/cli/docker-fast-path.js')
const code = await runDockerFastPath(process.argv.slice(2))
if (code === undefined) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
} else {
  process.exitCode = code
}
