/**
 * An HTTP request to a unix socket on the remote host through the SSH
 * connection (OpenSSH's direct-streamlocal channel), with node's own HTTP
 * client: how tk asks a host's engine API a question, or hands it a secret
 * (a swarm join token, registry credentials), without starting the docker CLI
 * there (whose start-up, plugins and all, costs more than the question) and
 * without the secret ever being on a command line or in a file on the host.
 */
import {request} from 'node:http'

import type {SshConnection} from './connection.js'

export interface UnixHttpResponse {
  status: number
  body: string
}

export interface UnixHttpRequest {
  method?: 'GET' | 'POST' | 'DELETE'
  /** Path and query. */
  path: string
  /** Headers of the request; they travel in the SSH channel only (never on a command line on the host). */
  headers?: Record<string, string>
  /** Sent as JSON. It travels only inside the SSH channel: nothing on the host sees it but the socket's server. */
  body?: unknown
  /** Default 5 s. */
  timeoutMs?: number
}

/**
 * The response, or undefined when the socket cannot be reached (none there,
 * no permission for the login user, forwarding refused) or does not answer
 * within the timeout.
 */
export function getOverUnixSocket(connection: SshConnection, socketPath: string, path: string, timeoutMs = 5000): Promise<UnixHttpResponse | undefined> {
  return requestOverUnixSocket(connection, socketPath, {path, timeoutMs})
}

/** An HTTP request to a unix socket on the host, as the login user: the response, or undefined as for getOverUnixSocket. */
export async function requestOverUnixSocket(connection: SshConnection, socketPath: string, options: UnixHttpRequest): Promise<UnixHttpResponse | undefined> {
  const {path, method = 'GET', timeoutMs = 5000} = options
  const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8')
  let channel: Awaited<ReturnType<SshConnection['forwardOutStreamLocal']>>
  try {
    channel = await connection.forwardOutStreamLocal(socketPath)
  } catch {
    return undefined
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      req.destroy()
      resolve(undefined)
    }, timeoutMs)
    const done = (value: UnixHttpResponse | undefined) => {
      clearTimeout(timer)
      channel.close()
      resolve(value)
    }
    const headers: Record<string, string | number> = {Host: 'localhost', Connection: 'close', ...options.headers}
    if (body) Object.assign(headers, {'Content-Type': 'application/json', 'Content-Length': body.length})
    const req = request({path, method, headers, createConnection: () => channel as never}, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => done({status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}))
      response.on('error', () => done(undefined))
    })
    req.on('error', () => done(undefined))
    req.end(body)
  })
}
