import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createConnection, createServer, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Duplex, PassThrough} from 'node:stream'

import {clearStaleSocket, listen} from '../../../src/proxy/local-endpoint.js'
import {ping, splice} from '../../../src/proxy/tunnel.js'

describe('the tunnel\'s local socket', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tk-endpoint-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('is created with mode 0600', async () => {
    const path = join(dir, 'a.sock')
    const {server} = await listen({kind: 'unix', path}, (socket) => socket.destroy())
    try {
      expect(statSync(path).mode & 0o777).to.equal(0o600)
    } finally {
      server.close()
    }
  })

  it('replaces a stale socket left by a dead process, and never a live one or a non-socket', async () => {
    const path = join(dir, 'stale.sock')
    // A process killed with SIGKILL leaves its socket file behind.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`])
    await new Promise((resolve) => child.stdout.once('data', resolve))
    let live: Error | undefined
    await clearStaleSocket(path, 'tk tunnel to web, pid 1').catch((error: Error) => (live = error))
    expect(live?.message).to.equal(`${path} is in use by a live process (tk tunnel to web, pid 1)`)
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('close', resolve))
    expect(existsSync(path)).to.equal(true)
    await clearStaleSocket(path)
    expect(existsSync(path)).to.equal(false)

    const file = join(dir, 'file')
    writeFileSync(file, 'x')
    let refused: Error | undefined
    await clearStaleSocket(file).catch((error: Error) => (refused = error))
    expect(refused?.message).to.match(/exists and is not a socket/)
  })

  it('listens on a loopback port, 0 picking a free one', async () => {
    const {server, endpoint} = await listen({kind: 'tcp', host: '127.0.0.1', port: 0}, (socket) => socket.end('hi'))
    try {
      expect(endpoint.kind === 'tcp' && endpoint.port).to.be.greaterThan(0)
    } finally {
      server.close()
    }
  })
})

describe('splicing a local connection to an engine stream', () => {
  it('passes a half-close on: the engine still answers after the client closed its write side', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-splice-'))
    const path = join(dir, 's.sock')
    // The "engine": echoes everything upper-cased once its input ends (like `docker run -i` with stdin closed).
    const toEngine: Buffer[] = []
    const remote = new PassThrough()
    const duplex = new Duplex({
      write(chunk, _encoding, callback) {
        toEngine.push(chunk)
        callback()
      },
      final(callback) {
        remote.end(Buffer.concat(toEngine).toString().toUpperCase())
        callback()
      },
      read() {},
    })
    remote.on('data', (chunk) => duplex.push(chunk))
    remote.on('end', () => duplex.push(null))
    const {server} = await listen({kind: 'unix', path}, (socket: Socket) => splice(socket, duplex))
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const client = createConnection({path, allowHalfOpen: true})
        let text = ''
        client.on('data', (chunk) => (text += chunk))
        client.on('end', () => resolve(text))
        client.on('error', reject)
        client.end('hello engine')
      })
      expect(answer).to.equal('HELLO ENGINE')
    } finally {
      server.close()
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('ping expects the engine\'s 200 OK to GET /_ping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-ping-'))
    const path = join(dir, 'e.sock')
    let status = '200 OK'
    const fake = createServer((socket) => socket.once('data', () => socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 2\r\n\r\nOK`)))
    await new Promise<void>((resolve) => fake.listen(path, resolve))
    try {
      await ping(createConnection(path))
      status = '403 Forbidden'
      let error: Error | undefined
      await ping(createConnection(path)).catch((e: Error) => (error = e))
      expect(error?.message).to.equal('the engine answered /_ping with HTTP/1.1 403 Forbidden')
    } finally {
      fake.close()
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
