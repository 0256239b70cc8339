import {expect} from 'chai'
import {chmodSync, mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {engineSocketFromDaemonJson} from '../../../src/proxy/engine-socket.js'
import {Backoff} from '../../../src/proxy/backoff.js'
import {defaultSocketPath, ensurePrivateDir, fileNameFor, MAX_SOCKET_PATH, type PathEnvironment} from '../../../src/proxy/paths.js'

const where = (env: NodeJS.ProcessEnv, home = '/home/ann'): PathEnvironment => ({env, home, tmp: '/tmp', uid: 1000})

describe('tunnel paths', () => {
  it('puts the default socket under $XDG_RUNTIME_DIR/tk, named after the host', () => {
    expect(defaultSocketPath('admin@web-1:2222', where({XDG_RUNTIME_DIR: '/run/user/1000'}))).to.equal('/run/user/1000/tk/admin@web-1_2222.sock')
  })

  it('falls back to ~/.local/state/tk/run without $XDG_RUNTIME_DIR, and to $TMPDIR/tk-UID when that path is too long', () => {
    expect(defaultSocketPath('web-1', where({}))).to.equal('/home/ann/.local/state/tk/run/web-1.sock')
    // The same name in two tk.yml projects is two machines: two sockets.
    const staging = defaultSocketPath('web-1', where({}), '/home/ann/staging/tk.yml')
    const prod = defaultSocketPath('web-1', where({}), '/home/ann/prod/tk.yml')
    expect(staging).to.match(/^\/home\/ann\/\.local\/state\/tk\/run\/web-1-[0-9a-f]{8}\.sock$/)
    expect(prod).to.match(/^\/home\/ann\/\.local\/state\/tk\/run\/web-1-[0-9a-f]{8}\.sock$/)
    expect(staging).not.to.equal(prod)
    const deep = `/home/${'x'.repeat(90)}`
    expect(defaultSocketPath('web-1', where({}, deep))).to.equal('/tmp/tk-1000/web-1.sock')
  })

  it('keeps any host name a single safe file name of bounded length', () => {
    expect(fileNameFor('[::1]:22')).to.equal('___1__22')
    expect(fileNameFor('../etc')).to.equal('__etc')
    const long = fileNameFor(`admin@${'a'.repeat(200)}.example`)
    expect(long.length).to.be.at.most(64)
    expect(Buffer.byteLength(defaultSocketPath(`admin@${'a'.repeat(200)}`, where({XDG_RUNTIME_DIR: '/run/user/1000'})))).to.be.at.most(MAX_SOCKET_PATH)
  })

  it('makes private directories 0700 and refuses one open to others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-paths-'))
    try {
      const made = join(dir, 'a', 'b')
      ensurePrivateDir(made)
      expect(statSync(made).mode & 0o777).to.equal(0o700)
      chmodSync(made, 0o755)
      expect(() => ensurePrivateDir(made)).to.throw(/open to other users \(mode 755\)/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('the remote engine socket', () => {
  it('is daemon.json\'s first unix:// host, else /var/run/docker.sock', () => {
    expect(engineSocketFromDaemonJson(undefined)).to.equal('/var/run/docker.sock')
    expect(engineSocketFromDaemonJson('{"hosts": ["tcp://0.0.0.0:2376", "unix:///run/engine/docker.sock"]}')).to.equal('/run/engine/docker.sock')
    expect(engineSocketFromDaemonJson('{"hosts": ["fd://"]}')).to.equal('/var/run/docker.sock')
    expect(engineSocketFromDaemonJson('{"log-driver": "local"}')).to.equal('/var/run/docker.sock')
    expect(engineSocketFromDaemonJson('not json')).to.equal('/var/run/docker.sock')
  })
})

describe('reconnect backoff', () => {
  it('doubles from 250 ms up to 30 s, jittered down by at most 20%, and starts over after a success', () => {
    const backoff = new Backoff({random: () => 0})
    const delays = Array.from({length: 10}, () => backoff.next())
    expect(delays).to.deep.equal([250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000])
    backoff.reset()
    expect(backoff.next()).to.equal(250)
    expect(new Backoff({random: () => 1}).next()).to.equal(200)
  })
})
