/**
 * Asks a host's engine its version through the SSH connection tk already
 * has: a stream-local channel to the engine's socket carries one HTTP/1.0
 * `GET /version`. sshd opens the socket as the login user, so nothing starts
 * on the host — the docker CLI would cost ~0.1 s of start-up there, more
 * than the rest of a status together.
 */
import type {Duplex} from 'node:stream'

import type {EngineAnswer} from './facts.js'

/** How long the engine gets to answer; a daemon that takes longer is "not answering". */
export const ENGINE_ANSWER_TIMEOUT_MS = 3000

/** Opens a stream to a unix socket on the host; rejects when the server forbids it or cannot connect. */
export type OpenSocket = (path: string) => Promise<Duplex>

/**
 * The engine's answer, or undefined when no channel to the socket could be
 * opened (AllowStreamLocalForwarding no, or nothing listening): the caller
 * then asks with the docker CLI on the host, which tells the two apart.
 */
export async function askEngineVersion(open: OpenSocket, socket: string, timeoutMs = ENGINE_ANSWER_TIMEOUT_MS): Promise<EngineAnswer | undefined> {
  let channel: Duplex
  try {
    channel = await open(socket)
  } catch {
    return undefined
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let settled = false
    const finish = (answer: EngineAnswer) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      channel.destroy()
      resolve(answer)
    }
    const timer = setTimeout(() => finish({error: `no answer within ${timeoutMs / 1000} s`}), timeoutMs)
    channel.on('data', (chunk: Buffer) => chunks.push(chunk))
    channel.on('error', (error: Error) => finish({error: error.message}))
    // HTTP/1.0: the engine closes the stream after its answer, and never chunks it.
    channel.on('end', () => finish(parseVersionResponse(Buffer.concat(chunks).toString('utf8'))))
    channel.on('close', () => finish(parseVersionResponse(Buffer.concat(chunks).toString('utf8'))))
    channel.write('GET /version HTTP/1.0\r\nHost: docker\r\nUser-Agent: tk-status\r\n\r\n')
  })
}

/** The version from the engine's HTTP answer to GET /version, or what was wrong with the answer. */
export function parseVersionResponse(text: string): EngineAnswer {
  if (text === '') return {error: 'the engine closed the connection without an answer'}
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)
  if (!status) return {error: 'the engine\'s socket did not answer in HTTP'}
  const split = text.indexOf('\r\n\r\n')
  const body = split === -1 ? '' : text.slice(split + 4)
  if (status[1] !== '200') {
    let message = body.trim()
    try {
      message = (JSON.parse(body) as {message?: string}).message ?? message
    } catch {}
    return {error: `the engine answered ${status[1]}${message ? `: ${message.split('\n')[0]}` : ''}`}
  }
  try {
    const version = (JSON.parse(body) as {Version?: unknown}).Version
    if (typeof version === 'string' && version !== '') return {version}
  } catch {}
  return {error: 'the engine\'s answer to GET /version has no version'}
}
