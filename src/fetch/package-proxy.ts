/**
 * The workstation's package proxy: an HTTP proxy inside tk, on the
 * workstation's loopback only, that fetches a host's packages from the
 * workstation's network. It is an allow-list proxy, never an open one: a
 * request for a host outside the host's package sources is answered 403, and
 * CONNECT reaches only those hosts' port 443. It goes out the way the
 * workstation does: through its own http_proxy / https_proxy unless no_proxy
 * names the host (proxy-from-env reads them).
 *
 * Hand-written forwarding rather than a proxy-agent: apt's https goes through
 * CONNECT, which needs a raw tunnel (a socket), not an http.Agent; and the
 * plain http forward is one request piped to another.
 */
import {appendFileSync} from 'node:fs'
import {Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {connect as tcpConnect, type Socket} from 'node:net'
import type {Duplex} from 'node:stream'

import {getProxyForUrl} from 'proxy-from-env'

import type {SourceAllowList} from './allow-list.js'

/** Where a proxy's lines go when TK_FETCH_PROXY_LOG names a file: one line per request, for tests and for finding a refused host. */
export const PROXY_LOG_ENV = 'TK_FETCH_PROXY_LOG'

export interface ProxyCounts {
  /** Requests and tunnels passed on. */
  passed: number
  /** Refused: outside the allow-list. */
  refused: number
}

export interface PackageProxy {
  /** The port it listens on, on 127.0.0.1. */
  port: number
  counts: ProxyCounts
  /** The hosts refused so far, for the message when apt fails. */
  refusedHosts: Set<string>
  /** Hands it a connection that arrived another way (a channel of an SSH remote forward). */
  accept(stream: Duplex): void
  close(): Promise<void>
}

export interface PackageProxyOptions {
  allowList: SourceAllowList
  /** For log lines: whose packages these are. */
  label: string
  /** The workstation's environment (http_proxy, https_proxy, no_proxy, TK_FETCH_PROXY_LOG). */
  env?: NodeJS.ProcessEnv
}

// Hop-by-hop headers (RFC 9110 7.6.1) and the proxy's own: not passed on.
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

function forwardHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_HEADERS.has(name.toLowerCase())))
}

/** The workstation's own proxy for a URL (its environment), or undefined to go direct. */
function upstreamFor(url: string, env: NodeJS.ProcessEnv): URL | undefined {
  // proxy-from-env reads process.env: the given environment's proxy variables stand in for it during the call.
  const names = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY', 'all_proxy', 'ALL_PROXY', 'npm_config_proxy', 'npm_config_https_proxy', 'npm_config_no_proxy']
  const saved = names.map((name) => [name, process.env[name]] as const)
  if (env !== process.env) for (const name of names) if (env[name] === undefined) delete process.env[name]; else process.env[name] = env[name]
  try {
    const proxy = getProxyForUrl(url)
    return proxy ? new URL(proxy) : undefined
  } finally {
    if (env !== process.env) for (const [name, value] of saved) if (value === undefined) delete process.env[name]; else process.env[name] = value
  }
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {}
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`
  return {'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}`}
}

/** Starts the proxy on 127.0.0.1 at a port the system picks. */
export async function startPackageProxy(options: PackageProxyOptions): Promise<PackageProxy> {
  const env = options.env ?? process.env
  const logFile = env[PROXY_LOG_ENV]
  const counts: ProxyCounts = {passed: 0, refused: 0}
  const refusedHosts = new Set<string>()
  const agent = new Agent({keepAlive: true, maxSockets: 8})
  const sockets = new Set<Duplex>()
  const log = (verdict: 'passed' | 'refused', method: string, where: string) => {
    counts[verdict]++
    if (logFile) appendFileSync(logFile, `${options.label} ${verdict} ${method} ${where}\n`, {mode: 0o600})
  }
  const refuse = (host: string) => {
    refusedHosts.add(host)
    return `tk: ${host} is not among the package sources of ${options.label}, so tk's proxy does not fetch from it\n`
  }

  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    let url: URL
    try {
      url = new URL(request.url ?? '')
    } catch {
      response.writeHead(400, {'content-type': 'text/plain'}).end('tk: a proxy request needs an absolute http:// URL\n')
      return
    }
    if (!options.allowList.allowsRequest(url)) {
      log('refused', request.method ?? 'GET', url.host)
      response.writeHead(403, {'content-type': 'text/plain'}).end(refuse(url.hostname))
      return
    }
    log('passed', request.method ?? 'GET', url.host)
    const upstream = upstreamFor(url.href, env)
    const outgoing = httpRequest(
      upstream
        ? {host: upstream.hostname, port: upstream.port || 80, path: url.href, method: request.method, headers: {...forwardHeaders(request.headers), host: url.host, ...proxyAuthorization(upstream)}, agent}
        : {host: url.hostname, port: url.port || 80, path: `${url.pathname}${url.search}`, method: request.method, headers: {...forwardHeaders(request.headers), host: url.host}, agent},
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardHeaders(answer.headers))
        answer.pipe(response)
      },
    )
    outgoing.on('error', (error) => {
      if (response.headersSent) response.destroy()
      else response.writeHead(502, {'content-type': 'text/plain'}).end(`tk: cannot fetch ${url.host} from the workstation: ${error.message}\n`)
    })
    request.pipe(outgoing)
  }

  const onConnect = (request: IncomingMessage, client: Duplex, head: Buffer) => {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(request.url ?? '')
    const host = match?.[1] ?? ''
    const port = Number(match?.[2] ?? 0)
    client.on('error', () => client.destroy())
    if (!match || !options.allowList.allowsTunnel(host, port)) {
      log('refused', 'CONNECT', request.url ?? '')
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${refuse(host || String(request.url))}`)
      return
    }
    log('passed', 'CONNECT', `${host}:${port}`)
    const fail = (message: string) => client.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\ntk: cannot reach ${host}:${port} from the workstation: ${message}\n`)
    const splice = (remote: Socket, rest: Buffer) => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n')
      if (rest.length > 0) client.write(rest)
      if (head.length > 0) remote.write(head)
      remote.pipe(client)
      client.pipe(remote)
      remote.on('close', () => client.destroy())
      client.on('close', () => remote.destroy())
    }
    const upstream = upstreamFor(`https://${host}:${port}/`, env)
    if (!upstream) {
      const remote = tcpConnect({host, port}, () => {
        remote.off('error', onError)
        remote.on('error', () => client.destroy())
        splice(remote, Buffer.alloc(0))
      })
      const onError = (error: Error) => fail(error.message)
      remote.once('error', onError)
      return
    }
    // The workstation's own proxy: a CONNECT to it first, then the same splice once it says 200.
    const remote = tcpConnect({host: upstream.hostname, port: Number(upstream.port || 80)})
    let answer = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk])
      const end = answer.indexOf('\r\n\r\n')
      if (end < 0) return
      remote.off('data', onData)
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer.subarray(0, end).toString('latin1'))?.[1]
      if (status !== '200') {
        remote.destroy()
        fail(`the workstation's proxy ${upstream.host} answered ${status ?? 'something other than HTTP'}`)
        return
      }
      splice(remote, answer.subarray(end + 4))
    }
    remote.on('data', onData)
    remote.once('error', (error) => (client.writable ? fail(error.message) : client.destroy()))
    const auth = proxyAuthorization(upstream)['proxy-authorization']
    remote.write(`CONNECT ${host}:${port} HTTP/1.1\r\nhost: ${host}:${port}\r\n${auth ? `proxy-authorization: ${auth}\r\n` : ''}\r\n`)
  }

  const server: Server = createServer(onRequest)
  server.on('connect', onConnect)
  server.on('connection', (socket: Duplex) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const {port} = server.address() as {port: number}
  return {
    port,
    counts,
    refusedHosts,
    accept(stream) {
      // A forwarded channel goes to the listening port, as any client would: the server sees a real socket.
      const socket = tcpConnect({host: '127.0.0.1', port})
      socket.on('error', () => stream.destroy())
      stream.on('error', () => socket.destroy())
      stream.pipe(socket).pipe(stream)
      stream.on('close', () => socket.destroy())
      socket.on('close', () => stream.destroy())
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      agent.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
