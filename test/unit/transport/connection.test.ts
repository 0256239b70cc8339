import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect} from 'chai'

import {ExitCode} from '../../../src/errors/exit-codes.js'
import {UserError} from '../../../src/errors/index.js'
import {connect, type TransportOptions} from '../../../src/transport/connection.js'
import {fingerprint} from '../../../src/transport/known-hosts.js'
import {SshHost} from '../../../src/transport/ssh-host.js'
import {SshPool} from '../../../src/transport/pool.js'
import type {ResolvedTarget} from '../../../src/transport/target.js'
import {FakeSshServer, newHostKey} from './fake-ssh-server.js'

const SECRET = 'correct-horse-battery-staple'

function target(port: number, user = 'tester'): ResolvedTarget {
  return {
    alias: '127.0.0.1',
    hostname: '127.0.0.1',
    user,
    port,
    identityFiles: [],
    identityFilesExplicit: false,
    identitiesOnly: false,
    hostKeyName: '127.0.0.1',
    hostKeyPort: port,
    hostKeys: {userFiles: [], globalFiles: []},
    proxyJump: [],
    warnings: [],
  }
}

async function failure(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise
  } catch (error) {
    return error as UserError
  }
  throw new Error('expected a failure')
}

describe('transport connection (in-process fake SSH server for edge cases)', function () {
  this.timeout(15_000)
  let dir: string
  let knownHostsFile: string
  let options: TransportOptions
  const warnings: string[] = []

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tk-conn-'))
    knownHostsFile = join(dir, 'known_hosts')
    warnings.length = 0
    options = {
      knownHostsFile,
      globalKnownHostsFiles: [],
      agentSocket: false,
      connectTimeoutMs: 5000,
      env: {TK_SSH_PASSWORD: SECRET},
      homeDir: dir,
      onWarning: (message) => warnings.push(message),
    }
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('fails at once, as CONNECTION "refused", on a port nothing listens on', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const started = Date.now()
    const error = await failure(connect(target(port), options))
    expect(Date.now() - started).to.be.below(1000)
    expect(error).to.be.instanceOf(UserError)
    expect(error.exitCode).to.equal(ExitCode.CONNECTION)
    expect(error.message).to.equal(`Connection to tester@127.0.0.1:${port} refused: nothing listens on port ${port}`)
  })

  describe('against a socket that accepts and never answers', () => {
    let silent: Server
    const sockets: Socket[] = []
    before(async () => {
      silent = createServer((socket) => {
        sockets.push(socket)
        socket.on('error', () => {})
      })
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    })
    after(async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    })

    it('fails within the connect timeout, as CONNECTION "timed out after N s"', async () => {
      const port = (silent.address() as AddressInfo).port
      const started = Date.now()
      const error = await failure(connect(target(port), {...options, connectTimeoutMs: 600}))
      const elapsed = Date.now() - started
      expect(elapsed).to.be.within(550, 3000)
      expect(error.exitCode).to.equal(ExitCode.CONNECTION)
      expect(error.message).to.equal(`Connection to tester@127.0.0.1:${port} timed out after 0.6 s (connected, but no SSH handshake)`)
    })
  })

  describe('with a fake server', () => {
    let server: FakeSshServer
    let port: number
    beforeEach(async () => {
      server = new FakeSshServer({passwords: [SECRET]})
      port = await server.listen()
    })
    afterEach(() => server.close())

    it('reports an auth failure as AUTH, listing the methods tried and never the password', async () => {
      const wrong = 'wrong-Pa55word-xyz'
      const error = await failure(connect(target(port), {...options, env: {TK_SSH_PASSWORD: wrong}}))
      expect(server.passwordsSeen).to.deep.equal([wrong])
      expect(error.exitCode).to.equal(ExitCode.AUTH)
      expect(error.message).to.equal(`Authentication as tester on tester@127.0.0.1:${port} failed: tried password; the server accepts password`)
      const everything = JSON.stringify({message: error.message, hint: error.hint, stack: error.stack, warnings})
      expect(everything).to.not.include(wrong)
    })

    it('asks the prompt callback for a password when the environment has none', async () => {
      const asked: string[] = []
      const connection = await connect(target(port), {
        ...options,
        env: {},
        prompt: async (request) => {
          asked.push(`${request.kind}: ${request.message}`)
          return SECRET
        },
      })
      await connection.close()
      expect(asked).to.deep.equal([`password: Password for tester@127.0.0.1:${port}: `])
    })

    it('refuses a server whose key differs from known_hosts, showing both fingerprints and file:line', async () => {
      const old = newHostKey()
      writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${old.line}\n`)
      const error = await failure(connect(target(port), options))
      expect(error.exitCode).to.equal(ExitCode.HOST_KEY)
      expect(error.message).to.include(fingerprint(old.blob)).and.include(fingerprint(server.hostKey.blob)).and.include(`${knownHostsFile}:1`)
      expect(server.passwordsSeen, 'no credential is sent to a host that failed verification').to.deep.equal([])
    })

    it('under strict, refuses an unknown host before authenticating', async () => {
      const error = await failure(connect(target(port), {...options, hostKeyPolicy: 'strict'}))
      expect(error.exitCode).to.equal(ExitCode.HOST_KEY)
      expect(error.message).to.include('not known').and.include(fingerprint(server.hostKey.blob))
      expect(server.passwordsSeen).to.deep.equal([])
    })

    it('by default (accept-new) records a new host, then refuses the same address with another key', async () => {
      const connection = await connect(target(port), options)
      await connection.close()
      expect(readFileSync(knownHostsFile, 'utf8')).to.equal(`[127.0.0.1]:${port} ${server.hostKey.line}\n`)
      const again = await connect(target(port), {...options, hostKeyPolicy: 'strict'})
      await again.close()

      const impostor = new FakeSshServer({passwords: [SECRET]})
      const impostorPort = await impostor.listen()
      try {
        writeFileSync(knownHostsFile, readFileSync(knownHostsFile, 'utf8').replace(`:${port}]`, `:${impostorPort}]`).replace(`]:${port}`, `]:${impostorPort}`))
        const error = await failure(connect(target(impostorPort), options))
        expect(error.exitCode).to.equal(ExitCode.HOST_KEY)
        expect(error.message).to.match(/^HOST KEY CHANGED/)
      } finally {
        await impostor.close()
      }
    })

    it('with a HostKeyAlias, checks and records the bare alias whatever the port, as OpenSSH does', async () => {
      const aliased = {...target(port), hostKeyName: 'web-prod', hostKeyPort: 22}
      // A key pinned under the alias alone is found on this non-22 port: strict connects.
      writeFileSync(knownHostsFile, `web-prod ${server.hostKey.line}\n`)
      await (await connect(aliased, {...options, hostKeyPolicy: 'strict'})).close()
      // Another key pinned there is a changed key, not an unknown host that accept-new would record.
      writeFileSync(knownHostsFile, `web-prod ${newHostKey().line}\n`)
      const error = await failure(connect(aliased, options))
      expect(error.message).to.match(/^HOST KEY CHANGED/)
      // An unknown alias is recorded bare.
      writeFileSync(knownHostsFile, '')
      await (await connect(aliased, options)).close()
      expect(readFileSync(knownHostsFile, 'utf8')).to.equal(`web-prod ${server.hostKey.line}\n`)
    })

    describe('SshHost over the connection', () => {
      let host: SshHost
      beforeEach(async () => {
        host = await SshHost.connect(target(port), options)
      })
      afterEach(() => host.close())

      it('runs a script and returns exit code, stdout and stderr', async () => {
        const result = await host.run('set -eu\necho out\necho err >&2\nexit 3')
        expect(result).to.deep.equal({code: 3, stdout: 'out\n', stderr: 'err\n'})
      })

      it('gives the script an empty stdin, or the stdin it was given', async () => {
        expect((await host.run('cat; echo done')).stdout).to.equal('done\n')
        expect((await host.run('tr a-z A-Z; echo "$0"', {stdin: 'hello\n'})).stdout).to.equal('HELLO\nsh\n')
      })

      it('streams output chunks to callbacks', async () => {
        const chunks: string[] = []
        const result = await host.run('echo one; sleep 0.05; echo two >&2', {onStdout: (c) => chunks.push(`o:${c}`), onStderr: (c) => chunks.push(`e:${c}`)})
        expect(chunks).to.deep.equal(['o:one\n', 'e:two\n'])
        expect(result).to.deep.equal({code: 0, stdout: '', stderr: ''})
      })

      it('stops a command at its timeout with code 124', async () => {
        const started = Date.now()
        const result = await host.run('sleep 5', {timeoutMs: 300})
        expect(Date.now() - started).to.be.below(2000)
        expect(result.code).to.equal(124)
        expect(result.timedOut).to.equal(true)
        expect(result.stderr).to.include('timed out after 0.3 s')
      })

      it('reads and stats files, with undefined for missing ones', async () => {
        const file = join(dir, "it's a file.txt")
        const bytes = Buffer.from([0, 1, 2, 255, 10, 10])
        writeFileSync(file, bytes, {mode: 0o640})
        expect(await host.readFile(file)).to.deep.equal(bytes)
        const stat = await host.stat(file)
        expect(stat).to.include({type: 'file', size: 6})
        expect(stat!.mode & 0o777).to.equal(0o640)
        expect(await host.stat(dir)).to.include({type: 'directory'})
        expect(await host.readFile(join(dir, 'missing'))).to.equal(undefined)
        expect(await host.stat(join(dir, 'missing'))).to.equal(undefined)
      })

      it('finds commands on PATH', async () => {
        expect(await host.hasCommand('sh')).to.equal(true)
        expect(await host.hasCommand('no-such-command-tk')).to.equal(false)
        expect(await host.hasCommand('sh; rm -rf /')).to.equal(false)
      })

      it('keeps at most maxChannels sessions open at once and queues the rest', async () => {
        const limited = await SshHost.connect(target(port), {...options, maxChannels: 3})
        try {
          const results = await Promise.all(Array.from({length: 12}, (_, i) => limited.run(`sleep 0.05; echo ${i}`)))
          expect(results.map((r) => r.stdout.trim())).to.deep.equal(Array.from({length: 12}, (_, i) => String(i)))
          expect(server.maxSessions).to.be.at.most(3)
        } finally {
          await limited.close()
        }
      })
    })

    it('the pool reuses one connection per target', async () => {
      const pool = new SshPool(options)
      try {
        const [a, b] = await Promise.all([pool.get(target(port)), pool.get(target(port))])
        expect(a.connection).to.equal(b.connection)
        await a.close() // a pooled handle does not close the shared connection
        expect((await b.run('echo ok')).stdout).to.equal('ok\n')
        expect(pool.size).to.equal(1)
      } finally {
        await pool.closeAll()
      }
    })
  })
})
