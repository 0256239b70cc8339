/**
 * `tk ssh`: the local terminal joined to a remote pty — raw keys in, output
 * out, window size changes passed on — until the remote shell exits.
 */
import type {TransportOptions} from '../transport/connection.js'
import {SshHost} from '../transport/ssh-host.js'

export async function openShell(target: string, options: TransportOptions): Promise<number> {
  const host = await SshHost.connect(target, options)
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
    await host.close()
  }
}
