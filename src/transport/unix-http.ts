/**
 * An HTTP GET to a unix socket on the remote host through the SSH connection
 * (OpenSSH's direct-streamlocal channel), with node's own HTTP client: how tk
 * asks a host's engine API a question without starting the docker CLI there
 * (whose start-up, plugins and all, costs more than the question).
 */
import {request} from 'node:http'

import type {SshConnection} from './connection.js'

export interface UnixHttpResponse {
  status: number
  body: string
}

/**
 * The response, or undefined when the socket cannot be reached (none there,
 * no permission for the login user, forwarding refused) or does not answer
 * within the timeout.
 */
export function getOverUnixSocket(connection: SshConnection, socketPath: string, path: string, timeoutMs = 5000): Promise<UnixHttpResponse | undefined> {
  return requestOverUnixSocket(connection, socketPath, {method: 'GET', path, timeoutMs})
}

export interface UnixHttpRequest {
  method: 'GET' | 'POST'
  path: string
  /** Headers of the request; they travel in the SSH channel only (never on a command line on the host). */
  headers?: Record<string, string>
  timeoutMs: number
}

/** An HTTP request to a unix socket on the host, as the login user: the response, or undefined as for getOverUnixSocket. */
export async function requestOverUnixSocket(connection: SshConnection, socketPath: string, request_: UnixHttpRequest): Promise<UnixHttpResponse | undefined> {
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
    }, request_.timeoutMs)
    const done = (value: UnixHttpResponse | undefined) => {
      clearTimeout(timer)
      channel.close()
      resolve(value)
    }
    const headers = {Host: 'localhost', Connection: 'close', ...request_.headers}
    const req = request({path: request_.path, method: request_.method, headers, createConnection: () => channel as never}, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => done({status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}))
      response.on('error', () => done(undefined))
    })
    req.on('error', () => done(undefined))
    req.end()
  })
}
