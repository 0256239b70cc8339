/**
 * `tk ssh`: the local terminal joined to a remote pty — raw keys in, output
 * out, window size changes passed on — until the remote shell exits. As with
 * OpenSSH, there is a pty only when stdin is a terminal (unless told
 * otherwise): from a pipe or a file the remote shell reads its commands from
 * stdin, and the session ends when they end.
 */
import type {TransportOptions} from '../transport/connection.js'
import {HostConnector, selectTargets} from '../fleet/host-connector.js'
import {UsageError} from '../errors/index.js'

export async function openShell(name: string, options: TransportOptions & {config?: string; pty?: boolean}): Promise<number> {
  const targets = await selectTargets([name], options.config, {reachOnly: true})
  if (targets.length !== 1) throw new UsageError(`${name} names ${targets.length} hosts: tk ssh opens a shell on one`)
  const connector = new HostConnector(options)
  const host = await connector.get(targets[0])
  const {stdin, stdout} = process
  // A pty on a pipe would echo the input back, print the prompt's escape codes and never see an EOF.
  const pty = options.pty ?? Boolean(stdin.isTTY)
  // Keys go through raw only to a remote pty: with -T on a terminal, the local line discipline stays (Ctrl-D ends the input).
  const raw = pty && Boolean(stdin.isTTY)
  try {
    const session = await host.shell(pty ? {term: process.env.TERM || 'xterm-256color', rows: stdout.rows || 24, cols: stdout.columns || 80} : false)
    const onResize = () => session.setWindow(stdout.rows || 24, stdout.columns || 80)
    const wasRaw = stdin.isTTY ? stdin.isRaw : false
    if (raw) stdin.setRawMode(true)
    if (pty) stdout.on('resize', onResize)
    // The end of stdin ends the channel's input (an EOF to the remote shell), as with OpenSSH.
    stdin.pipe(session.stream)
    session.stream.pipe(stdout, {end: false})
    session.stream.stderr.pipe(process.stderr, {end: false})
    try {
      return await session.exit
    } finally {
      stdout.off('resize', onResize)
      stdin.unpipe(session.stream)
      if (raw) stdin.setRawMode(wasRaw)
      stdin.pause()
    }
  } finally {
    await connector.closeAll()
  }
}
