/**
 * The local end of a tunnel: a unix socket (mode 0600) or a loopback TCP
 * port. A socket file left by a dead tunnel is removed; one a live process
 * still answers on is never taken over.
 */
import {chmodSync, lstatSync, unlinkSync} from 'node:fs'
import {createConnection, createServer, type Server, type Socket} from 'node:net'
import {dirname} from 'node:path'

import {EnvironmentError, UsageError} from '../errors/index.js'
import {MAX_SOCKET_PATH} from './paths.js'

export type Endpoint = {kind: 'unix'; path: string} | {kind: 'tcp'; host: string; port: number}

export function endpointUrl(endpoint: Endpoint): string {
  return endpoint.kind === 'unix' ? `unix://${endpoint.path}` : `tcp://${endpoint.host}:${endpoint.port}`
}

/** Whether something accepts connections on the unix socket at `path`. */
export function socketAnswers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path)
    const done = (answer: boolean) => {
      clearTimeout(timer)
      probe.destroy()
      resolve(answer)
    }
    const timer = setTimeout(() => done(true), timeoutMs) // a socket that neither accepts nor refuses is someone's
    probe.once('connect', () => done(true))
    probe.once('error', () => done(false))
  })
}

/** Removes a stale socket at `path`; throws when the path is live or not a socket. */
export async function clearStaleSocket(path: string, liveHint?: string): Promise<void> {
  let stat
  try {
    stat = lstatSync(path)
  } catch {
    return
  }
  if (!stat.isSocket()) throw new EnvironmentError(`${path} exists and is not a socket: refusing to replace it`, {hint: 'pass another --socket'})
  if (await socketAnswers(path)) {
    throw new EnvironmentError(`${path} is in use by a live process${liveHint ? ` (${liveHint})` : ''}`, {
      hint: 'stop that tunnel first (tk tunnel ls, tk tunnel stop HOST) or pass another --socket',
    })
  }
  unlinkSync(path)
}

/** Listens on the endpoint; a unix socket is created with mode 0600. */
export async function listen(endpoint: Endpoint, onConnection: (socket: Socket) => void): Promise<{server: Server; endpoint: Endpoint}> {
  // allowHalfOpen: docker's hijacked connections close their write side first (stdin EOF) and still read.
  const server = createServer({allowHalfOpen: true, pauseOnConnect: true}, onConnection)
  if (endpoint.kind === 'unix') {
    if (Buffer.byteLength(endpoint.path) > MAX_SOCKET_PATH) {
      throw new UsageError(`socket path ${endpoint.path} is too long for a unix socket (${MAX_SOCKET_PATH} bytes at most)`)
    }
    // The socket is created 0600 from the start: no window in which others may connect.
    const previous = process.umask(0o177)
    try {
      await listenOn(server, endpoint.path)
    } finally {
      process.umask(previous)
    }
    chmodSync(endpoint.path, 0o600)
    return {server, endpoint}
  }
  await listenOn(server, endpoint.port, endpoint.host)
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : endpoint.port
  return {server, endpoint: {...endpoint, port}}
}

function listenOn(server: Server, pathOrPort: string | number, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = typeof pathOrPort === 'string' ? pathOrPort : `${host}:${pathOrPort}`
      if (error.code === 'EADDRINUSE') reject(new EnvironmentError(`${where} is already in use`))
      else if (error.code === 'EACCES' || error.code === 'ENOENT') {
        reject(new EnvironmentError(`cannot listen on ${where}: ${error.code === 'ENOENT' ? `no directory ${typeof pathOrPort === 'string' ? dirname(pathOrPort) : ''}` : 'permission denied'}`))
      } else reject(error)
    }
    server.once('error', onError)
    const done = () => {
      server.off('error', onError)
      resolve()
    }
    if (typeof pathOrPort === 'string') server.listen(pathOrPort, done)
    else server.listen(pathOrPort, host, done)
  })
}
