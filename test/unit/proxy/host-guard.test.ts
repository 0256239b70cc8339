/**
 * The tunnel's TCP guard against DNS rebinding, request by request on a byte
 * stream: heads checked, bodies counted, hijacked streams passed raw. What
 * real clients send was read off Debian's docker CLI 20.10, docker 28 and
 * dockerode (docs/tunnel.md); the refused cases are what a browser sends.
 */
import {expect} from 'chai'

import {inspectHead, isLocalHost, RequestGuard} from '../../../src/proxy/host-guard.js'

/** Feeds the chunks through a guard: what came out, and why it refused (if it did). */
async function through(chunks: string[]): Promise<{passed: string; refused?: string}> {
  let refused: string | undefined
  const guard = new RequestGuard((reason) => (refused = reason))
  let passed = ''
  guard.on('data', (chunk: Buffer) => (passed += chunk.toString('latin1')))
  for (const chunk of chunks) guard.write(Buffer.from(chunk, 'latin1'))
  guard.end()
  await new Promise((resolve) => guard.once('end', resolve))
  return {passed, refused}
}

const head = (host: string, extra = '', line = 'GET /_ping HTTP/1.1') => `${line}\r\nHost: ${host}\r\nUser-Agent: t\r\n${extra}\r\n`

describe('tunnel host guard', () => {
  it('accepts the names engine clients send, with or without a port, and nothing else', () => {
    for (const host of ['localhost', 'localhost:2375', '127.0.0.1:2375', '[::1]:2375', '[::1]', 'api.moby.localhost', 'LOCALHOST:1']) expect(isLocalHost(host), host).to.equal(true)
    for (const host of ['evil.example', 'evil.example:2375', 'localhost.evil.example', '127.0.0.1.nip.io:2375', 'docker', '127.0.0.2', '[::1]x', 'localhost:abc', '', undefined]) {
      expect(isLocalHost(host), String(host)).to.equal(false)
    }
  })

  it('refuses a foreign Host, a missing or doubled one, and any request with an Origin', () => {
    expect(inspectHead(head('evil.example:2375'))).to.deep.equal({refused: 'Host "evil.example:2375" is not local'})
    expect(inspectHead('GET / HTTP/1.0\r\n\r\n')).to.have.property('refused')
    expect(inspectHead(head('localhost', 'Host: evil.example\r\n'))).to.have.property('refused')
    expect(inspectHead(head('127.0.0.1:2375', 'Origin: http://evil.example:2375\r\n'))).to.deep.equal({refused: "a browser's request (Origin header)"})
  })

  it('frames bodies by Content-Length and chunks, and takes upgrades and hijacking endpoints as raw', () => {
    expect(inspectHead(head('localhost'))).to.deep.equal({framing: {kind: 'head'}})
    expect(inspectHead(head('localhost', 'Content-Length: 12\r\n', 'POST /containers/create HTTP/1.1'))).to.deep.equal({framing: {kind: 'body', left: 12}})
    expect(inspectHead(head('localhost', 'Transfer-Encoding: chunked\r\n', 'POST /build HTTP/1.1'))).to.deep.equal({framing: {kind: 'chunk-size'}})
    expect(inspectHead(head('localhost', 'Connection: Upgrade\r\nUpgrade: tcp\r\n', 'POST /v1.41/containers/x/attach?stream=1 HTTP/1.1'))).to.deep.equal({framing: {kind: 'raw'}})
    expect(inspectHead(head('localhost', '', 'POST /v1.41/exec/abc/start HTTP/1.1'))).to.deep.equal({framing: {kind: 'raw'}})
    expect(inspectHead(head('localhost', 'Content-Length: 1\r\nContent-Length: 2\r\n', 'POST /x HTTP/1.1'))).to.have.property('refused')
    expect(inspectHead(head('localhost', 'Transfer-Encoding: gzip\r\n', 'POST /x HTTP/1.1'))).to.have.property('refused')
  })

  it('passes kept-alive requests byte for byte, split anywhere, and refuses a later foreign one without passing any of it', async () => {
    const body = '{"Image":"x"}'
    const first = `${head('127.0.0.1:2375', `Content-Length: ${body.length}\r\n`, 'POST /containers/create HTTP/1.1')}${body}`
    const second = `${head('localhost:2375', 'Transfer-Encoding: chunked\r\n', 'POST /build HTTP/1.1')}5\r\nhello\r\n3;ext=1\r\n!!!\r\n0\r\nX-Trailer: y\r\n\r\n`
    const third = head('[::1]:2375')
    const stream = first + second + third
    // Every split point of the stream: the framing must not depend on how TCP cut it.
    for (let at = 0; at <= stream.length; at += 7) {
      // eslint-disable-next-line no-await-in-loop
      const {passed, refused} = await through([stream.slice(0, at), stream.slice(at)])
      expect(refused, `split at ${at}`).to.equal(undefined)
      expect(passed).to.equal(stream)
    }
    // A body that looks like a head is a body; the rebinding request after it is refused, nothing of it passed.
    const inner = head('evil.example')
    const sneaky = `${head('localhost', `Content-Length: ${inner.length}\r\n`, 'POST /x HTTP/1.1')}${inner}`
    const evil = head('evil.example')
    const {passed, refused} = await through([sneaky, evil])
    expect(passed).to.equal(sneaky)
    expect(refused).to.equal('Host "evil.example" is not local')
  })

  it('after an upgrade, passes the hijacked stream as it is, even what looks like a foreign request', async () => {
    const upgrade = head('localhost', 'Connection: Upgrade\r\nUpgrade: tcp\r\n', 'POST /v1.41/containers/x/attach?stdin=1 HTTP/1.1')
    const stdin = head('evil.example')
    const {passed, refused} = await through([upgrade, stdin, 'more'])
    expect(refused).to.equal(undefined)
    expect(passed).to.equal(upgrade + stdin + 'more')
  })

  it('refuses an endless head instead of buffering it', async () => {
    const {refused} = await through(['GET / HTTP/1.1\r\nX: ', 'a'.repeat(70 * 1024)])
    expect(refused).to.equal('a request head over 64 KiB')
  })
})
