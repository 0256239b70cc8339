import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer as createHttpServer, type Server} from 'node:http'
import {connect, createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {askEngineVersion, parseVersionResponse} from '../../../src/status/engine-api.js'

/** A unix socket opened as sshd would open it for a stream-local channel. */
const open = (path: string) =>
  new Promise<ReturnType<typeof connect>>((resolve, reject) => {
    const socket = connect(path, () => resolve(socket))
    socket.once('error', reject)
  })

describe('tk status: asking the engine its version over a socket', () => {
  let dir: string
  let server: Server | ReturnType<typeof createServer> | undefined
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tk-engine-api-'))
  })
  afterEach(async () => {
    if (server) await new Promise((resolve) => server!.close(resolve))
    server = undefined
    rmSync(dir, {recursive: true, force: true})
  })

  const listen = (made: Server | ReturnType<typeof createServer>) =>
    new Promise<string>((resolve) => {
      server = made
      const path = join(dir, 'docker.sock')
      made.listen(path, () => resolve(path))
    })

  it('reads Version from an HTTP server\'s answer to GET /version', async () => {
    const path = await listen(
      createHttpServer((request, response) => {
        expect(request.url).to.equal('/version')
        response.setHeader('Content-Type', 'application/json')
        response.end(JSON.stringify({Version: '27.3.1', ApiVersion: '1.47'}))
      }),
    )
    expect(await askEngineVersion(open, path)).to.deep.equal({version: '27.3.1'})
  })

  it('an error status is the engine\'s message', async () => {
    const path = await listen(
      createHttpServer((_request, response) => {
        response.statusCode = 500
        response.end(JSON.stringify({message: 'daemon is shutting down'}))
      }),
    )
    expect(await askEngineVersion(open, path)).to.deep.equal({error: 'the engine answered 500: daemon is shutting down'})
  })

  it('a socket that accepts but never answers is "no answer" after the timeout', async () => {
    const held: Array<{destroy(): void}> = []
    const path = await listen(createServer((socket) => held.push(socket)))
    const started = Date.now()
    expect(await askEngineVersion(open, path, 200)).to.deep.equal({error: 'no answer within 0.2 s'})
    expect(Date.now() - started).to.be.below(1000)
    for (const socket of held) socket.destroy()
  })

  it('no channel to the socket is undefined: the caller falls back to the docker CLI', async () => {
    expect(await askEngineVersion(open, join(dir, 'nothing.sock'))).to.equal(undefined)
  })

  it('judges odd answers', () => {
    expect(parseVersionResponse('')).to.deep.equal({error: 'the engine closed the connection without an answer'})
    expect(parseVersionResponse('SSH-2.0-OpenSSH_9.2\r\n')).to.deep.equal({error: 'the engine\'s socket did not answer in HTTP'})
    expect(parseVersionResponse('HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"ApiVersion":"1.47"}')).to.deep.equal({error: 'the engine\'s answer to GET /version has no version'})
    expect(parseVersionResponse('HTTP/1.0 200 OK\r\n\r\nnot json')).to.deep.equal({error: 'the engine\'s answer to GET /version has no version'})
    expect(parseVersionResponse('HTTP/1.1 404 Not Found\r\n\r\npage not found\n')).to.deep.equal({error: 'the engine answered 404: page not found'})
    expect(parseVersionResponse('HTTP/1.0 200 OK\r\n\r\n{"Version":"20.10.24+dfsg1"}\n')).to.deep.equal({version: '20.10.24+dfsg1'})
  })
})
