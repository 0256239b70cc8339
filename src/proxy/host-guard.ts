/**
 * The guard of a tunnel's TCP port against DNS rebinding: a web page whose
 * name is made to resolve to 127.0.0.1 reaches the port with its own name in
 * the Host header, and the engine API on the other side is root on the host.
 * Every request on a connection is read up to the end of its head and let
 * through only when its Host is a local name and it carries no Origin (real
 * engine clients send none; browsers send one with cross-site and POST
 * requests); anything else ends the connection with a 403.
 *
 * Bytes pass unchanged: only the request heads are parsed, and bodies are
 * counted (Content-Length, or the chunked encoding's sizes) to find the next
 * head on a kept-alive connection. After a request that takes the connection
 * over (an Upgrade, as docker attach, exec and build's session ask, or the
 * attach and exec-start endpoints, which hijack it), the rest is the
 * client's raw stream and is passed as it is. Responses are never read.
 * Node's HTTP server is not used for this because it re-encodes what it
 * passes on, and the hijacked streams must stay byte for byte.
 */
import {Transform, type TransformCallback} from 'node:stream'

/** Host names a local engine client sends (the port, if any, is not checked). */
export const LOCAL_HOST_NAMES = ['localhost', '127.0.0.1', '[::1]', 'api.moby.localhost'] as const

/** A request head longer than this is refused (dockerd's own limit is 1 MiB; clients send under 8 KiB). */
const MAX_HEAD_BYTES = 64 * 1024
/** A chunk-size or trailer line longer than this is refused. */
const MAX_LINE_BYTES = 4096

/** The one line a refused client reads. */
export const REFUSED_BODY = `tk tunnel: request refused: the Host must be ${LOCAL_HOST_NAMES.join(', ')} (with any port), and browsers' requests (an Origin header) are not served\n`

export function refusedResponse(): string {
  return `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(REFUSED_BODY)}\r\nConnection: close\r\n\r\n${REFUSED_BODY}`
}

/** Whether a Host header's value names this machine as engine clients do. */
export function isLocalHost(value: string | undefined): boolean {
  if (value === undefined) return false
  const host = value.trim().toLowerCase()
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '')
  const rest = host.slice(name.length)
  return (LOCAL_HOST_NAMES as readonly string[]).includes(name) && /^(:\d{1,5})?$/.test(rest)
}

type Framing = {kind: 'head'} | {kind: 'body'; left: number} | {kind: 'chunk-size'} | {kind: 'chunk-data'; left: number} | {kind: 'trailer'} | {kind: 'raw'}

/** Endpoints that hijack the connection even without an Upgrade header. */
const HIJACKING = /^(\/v[\d.]+)?\/(containers\/[^/]+\/attach|exec\/[^/]+\/start)$/

/** What a request head says: why it is refused, or how its body is framed. */
export function inspectHead(head: string): {refused: string} | {framing: Framing} {
  const [requestLine, ...lines] = head.split('\r\n').filter((line) => line !== '')
  const parts = requestLine?.split(' ') ?? []
  if (parts.length !== 3 || !/^HTTP\/1\.[01]$/.test(parts[2])) return {refused: 'not an HTTP/1.x request'}
  const headers = new Map<string, string[]>()
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) return {refused: 'a malformed header line'}
    const name = line.slice(0, colon).trim().toLowerCase()
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()])
  }
  const one = (name: string) => headers.get(name)?.[0]
  const host = headers.get('host')
  if (host?.length !== 1 || !isLocalHost(host[0])) return {refused: `Host ${JSON.stringify((host ?? ['(none)']).join(', ').slice(0, 80))} is not local`}
  if (headers.has('origin')) return {refused: 'a browser\'s request (Origin header)'}

  const path = parts[1].split('?')[0]
  const connection = (headers.get('connection') ?? []).join(',').toLowerCase()
  if (headers.has('upgrade') || /\bupgrade\b/.test(connection) || HIJACKING.test(path)) return {framing: {kind: 'raw'}}
  const encoding = (headers.get('transfer-encoding') ?? []).join(',').toLowerCase()
  if (encoding !== '') {
    if (!/(^|,)\s*chunked\s*$/.test(encoding)) return {refused: 'a body whose length cannot be found'}
    return {framing: {kind: 'chunk-size'}}
  }
  const lengths = new Set(headers.get('content-length') ?? [])
  if (lengths.size > 1) return {refused: 'conflicting Content-Length headers'}
  const length = one('content-length')
  if (length === undefined) return {framing: {kind: 'head'}}
  if (!/^\d{1,15}$/.test(length)) return {refused: 'a malformed Content-Length'}
  return Number(length) === 0 ? {framing: {kind: 'head'}} : {framing: {kind: 'body', left: Number(length)}}
}

/**
 * The client-to-engine half of a tunnel connection through the guard. On a
 * refused request nothing of it is passed on, `onRefused` is called with the
 * reason, and the stream passes nothing more.
 */
export class RequestGuard extends Transform {
  private framing: Framing = {kind: 'head'}
  private pending: Buffer = Buffer.alloc(0)
  private refused = false

  constructor(private readonly onRefused: (reason: string) => void) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.refused) return done()
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk
    this.pending = Buffer.alloc(0)
    while (data.length > 0 && !this.refused) {
      const framing = this.framing
      if (framing.kind === 'raw') {
        this.push(data)
        break
      }
      if (framing.kind === 'body' || framing.kind === 'chunk-data') {
        const take = Math.min(framing.left, data.length)
        this.push(data.subarray(0, take))
        data = data.subarray(take)
        framing.left -= take
        if (framing.left === 0) this.framing = framing.kind === 'body' ? {kind: 'head'} : {kind: 'chunk-size'}
        continue
      }
      const end = framing.kind === 'head' ? data.indexOf('\r\n\r\n') : data.indexOf('\r\n')
      // Empty lines before a request line are allowed (RFC 9112 2.2): passed on as they are.
      if (framing.kind === 'head' && data.subarray(0, 2).toString('latin1') === '\r\n') {
        this.push(data.subarray(0, 2))
        data = data.subarray(2)
        continue
      }
      if (end === -1) {
        if (data.length > (framing.kind === 'head' ? MAX_HEAD_BYTES : MAX_LINE_BYTES)) this.refuse(framing.kind === 'head' ? 'a request head over 64 KiB' : 'a malformed chunked body')
        else this.pending = data
        break
      }
      const size = end + (framing.kind === 'head' ? 4 : 2)
      const piece = data.subarray(0, size)
      const text = piece.toString('latin1')
      if (framing.kind === 'head') {
        const verdict = inspectHead(text)
        if ('refused' in verdict) {
          this.refuse(verdict.refused)
          break
        }
        this.framing = verdict.framing
      } else if (framing.kind === 'chunk-size') {
        const sizeText = text.split(';')[0].trim()
        if (!/^[0-9a-f]{1,12}$/i.test(sizeText)) {
          this.refuse('a malformed chunked body')
          break
        }
        const chunkSize = Number.parseInt(sizeText, 16)
        this.framing = chunkSize === 0 ? {kind: 'trailer'} : {kind: 'chunk-data', left: chunkSize + 2}
      } else if (text === '\r\n') {
        this.framing = {kind: 'head'}
      }
      this.push(piece)
      data = data.subarray(size)
    }
    done()
  }

  private refuse(reason: string): void {
    this.refused = true
    this.pending = Buffer.alloc(0)
    this.onRefused(reason)
  }
}
