/** Relays this process's stdin and stdout to a TCP port (OpenSSH's ProxyCommand side of tk ssh-proxy). */
import {connect} from 'node:net'

export function relayStdio(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({host, port})
    socket.once('connect', () => {
      process.stdin.pipe(socket)
      socket.pipe(process.stdout)
    })
    socket.once('error', reject)
    // The server closed: ssh sees end of file on our stdout, and nothing keeps this process.
    socket.once('close', () => {
      process.stdin.unpipe(socket)
      process.stdin.destroy()
      resolve()
    })
    // ssh closed our stdin: no more bytes for the server.
    process.stdin.once('end', () => socket.end())
  })
}
