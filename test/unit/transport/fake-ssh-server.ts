/**
 * An in-process SSH server on 127.0.0.1 for unit tests of the transport's edge
 * cases (auth failure, host key changes, channel limits). Exec requests run
 * with the local /bin/sh, as sshd would hand them to the login shell. It is a
 * fake: the proof that the transport works is the sandbox integration tests.
 */
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import ssh2 from 'ssh2'

export interface FakeServerOptions {
  /** Passwords accepted (for any user); none means password auth is offered but always fails. */
  passwords?: string[]
  hostKey?: HostKeyPair
}

export interface HostKeyPair {
  private: string
  /** The "type base64" known_hosts form. */
  line: string
  blob: Buffer
}

/**
 * A fresh ed25519 host key, made by OpenSSH's ssh-keygen: ssh2's own
 * generateKeyPairSync now and then makes a private key its Server then
 * refuses as "Malformed OpenSSH private key" (seen in about one CI run in ten).
 */
export function newHostKey(): HostKeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'tk-fake-hostkey-'))
  try {
    const file = join(dir, 'key')
    const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], {encoding: 'utf8'})
    if (made.status !== 0) throw new Error(`ssh-keygen failed: ${made.stderr}`)
    const [type, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(' ')
    return {private: readFileSync(file, 'utf8'), line: `${type} ${base64}`, blob: Buffer.from(base64, 'base64')}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

export class FakeSshServer {
  readonly hostKey: HostKeyPair
  /** Passwords the server was sent, to prove what the client offered. */
  readonly passwordsSeen: string[] = []
  /** Highest number of sessions open at once. */
  maxSessions = 0
  private sessions = 0
  private readonly server: InstanceType<typeof ssh2.Server>

  constructor(options: FakeServerOptions = {}) {
    this.hostKey = options.hostKey ?? newHostKey()
    const passwords = options.passwords ?? []
    this.server = new ssh2.Server({hostKeys: [this.hostKey.private]}, (client) => {
      client.on('error', () => {})
      client.on('authentication', (ctx) => {
        if (ctx.method === 'password') {
          this.passwordsSeen.push(ctx.password)
          if (passwords.includes(ctx.password)) return ctx.accept()
        }
        ctx.reject(['password'])
      })
      client.on('ready', () => {
        client.on('session', (acceptSession) => {
          const session = acceptSession()
          session.on('exec', (accept, _reject, info) => {
            const stream = accept()
            this.sessions++
            this.maxSessions = Math.max(this.maxSessions, this.sessions)
            const child = spawn('/bin/sh', ['-c', info.command], {stdio: ['pipe', 'pipe', 'pipe']})
            stream.pipe(child.stdin)
            child.stdin.on('error', () => {})
            child.stdout.pipe(stream, {end: false})
            child.stderr.pipe(stream.stderr, {end: false})
            stream.on('close', () => child.kill('SIGTERM'))
            child.on('close', (code, signal) => {
              this.sessions--
              if (signal) stream.exit(signal.replace(/^SIG/, ''), false, '')
              else stream.exit(code ?? 0)
              stream.end()
            })
          })
        })
      })
    })
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port)))
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
