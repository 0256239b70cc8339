/**
 * `tk ssh`: the local terminal joined to a remote pty — raw keys in, output
 * out, window size changes passed on — until the remote shell exits.
 */
import type {TransportOptions} from '../transport/connection.js'
import {HostConnector, selectTargets} from '../fleet/host-connector.js'
import {UsageError} from '../errors/index.js'

export async function openShell(name: string, options: TransportOptions & {config?: string}): Promise<number> {
  const targets = await selectTargets([name], options.config)
  if (targets.length !== 1) throw new UsageError(`${name} names ${targets.length} hosts: tk ssh opens a shell on one`)
  const connector = new HostConnector(options)
  const host = await connector.get(targets[0])
  const {stdin, stdout} = process
  try {
    const session = await host.shell({term: process.env.TERM || 'xterm-256color', rows: stdout.rows || 24, cols: stdout.columns || 80})
    const onResize = () => session.setWindow(stdout.rows || 24, stdout.columns || 80)
    const wasRaw = stdin.isTTY ? stdin.isRaw : false
    if (stdin.isTTY) stdin.setRawMode(true)
    stdout.on('resize', onResize)
    stdin.pipe(session.stream)
    session.stream.pipe(stdout, {end: false})
    session.stream.stderr.pipe(process.stderr, {end: false})
    try {
      return await session.exit
    } finally {
      stdout.off('resize', onResize)
      stdin.unpipe(session.stream)
      if (stdin.isTTY) stdin.setRawMode(wasRaw)
      stdin.pause()
    }
  } finally {
    await connector.closeAll()
  }
}
