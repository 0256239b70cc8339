import {execFileSync, spawn} from 'node:child_process'
import {lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {expect} from 'chai'
import ssh2 from 'ssh2'

import {ExitCode} from '../../../src/errors/exit-codes.js'
import {
  checkHostKey,
  fingerprint,
  KnownHosts,
  knownHostsName,
  keyTypeOf,
  parseKnownHosts,
  type HostKeyCheckOptions,
} from '../../../src/transport/known-hosts.js'

/** A fresh host key: the known_hosts form and the wire blob a server presents. */
function newKey(type: 'ed25519' | 'ecdsa' = 'ed25519'): {line: string; blob: Buffer} {
  const pair = type === 'ed25519' ? ssh2.utils.generateKeyPairSync('ed25519') : ssh2.utils.generateKeyPairSync('ecdsa', {bits: 256})
  const [keyType, base64] = pair.public.split(' ')
  return {line: `${keyType} ${base64}`, blob: Buffer.from(base64, 'base64')}
}

describe('transport known_hosts', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tk-kh-'))))
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('formats fingerprints as OpenSSH does (ssh-keygen -l as the oracle)', () => {
    const key = newKey()
    const file = join(dir, 'k.pub')
    writeFileSync(file, `${key.line}\n`)
    const theirs = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], {encoding: 'utf8'}).split(' ')[1]
    expect(fingerprint(key.blob)).to.equal(theirs)
    expect(keyTypeOf(key.blob)).to.equal('ssh-ed25519')
  })

  it('names hosts off port 22 as [host]:port', () => {
    expect(knownHostsName('Web', 22)).to.equal('web')
    expect(knownHostsName('::1', 2222)).to.equal('[::1]:2222')
  })

  it('finds keys for plain names, comma lists, [host]:port, wildcards, and honours negation', () => {
    const a = newKey()
    const b = newKey()
    const c = newKey()
    const d = newKey()
    const known = new KnownHosts(
      parseKnownHosts(
        [
          '# comment',
          `web1,10.0.0.1 ${a.line} comment here`,
          `[web2]:2222 ${b.line}`,
          `*.prod,!db.prod ${c.line}`,
          `Web?z ${d.line}`,
          'garbage line',
        ].join('\n'),
        'kh',
      ),
    )
    expect(known.lookup('web1', 22).map((e) => e.line)).to.deep.equal([2])
    expect(known.lookup('10.0.0.1', 22).map((e) => e.line)).to.deep.equal([2])
    expect(known.lookup('web1', 2222)).to.deep.equal([])
    expect(known.lookup('web2', 2222).map((e) => e.line)).to.deep.equal([3])
    expect(known.lookup('web2', 22)).to.deep.equal([])
    expect(known.lookup('app.prod', 22).map((e) => e.line)).to.deep.equal([4])
    expect(known.lookup('db.prod', 22)).to.deep.equal([])
    expect(known.lookup('webqz', 22).map((e) => e.line)).to.deep.equal([5])
    expect(known.verify('web1', 22, a.blob).status).to.equal('match')
    expect(known.verify('nowhere', 22, a.blob).status).to.equal('unknown')
  })

  it('matches hashed |1| entries made by ssh-keygen -H, for port 22 and [host]:port', () => {
    const a = newKey()
    const b = newKey()
    const file = join(dir, 'known_hosts')
    writeFileSync(file, `server.example.com ${a.line}\n[127.0.0.1]:2222 ${b.line}\n`)
    execFileSync('ssh-keygen', ['-H', '-f', file], {stdio: 'ignore'})
    const text = readFileSync(file, 'utf8')
    expect(text).to.not.include('server.example.com')
    expect(text).to.match(/^\|1\|/)
    const known = new KnownHosts(parseKnownHosts(text, file))
    expect(known.verify('server.example.com', 22, a.blob).status).to.equal('match')
    expect(known.verify('SERVER.example.com', 22, a.blob).status).to.equal('match')
    expect(known.verify('127.0.0.1', 2222, b.blob).status).to.equal('match')
    expect(known.verify('127.0.0.1', 22, b.blob).status).to.equal('unknown')
    expect(known.verify('server.example.com', 22, b.blob).status).to.equal('mismatch')
  })

  it('refuses a @revoked key, and never treats @cert-authority as a host key', () => {
    const a = newKey()
    const ca = newKey()
    const known = new KnownHosts(parseKnownHosts([`@revoked * ${a.line}`, `web ${a.line}`, `@cert-authority *.prod ${ca.line}`].join('\n'), 'kh'))
    expect(known.verify('web', 22, a.blob)).to.include({status: 'revoked'})
    expect(known.verify('x.prod', 22, ca.blob).status).to.equal('certificate-only')
    expect(known.lookup('x.prod', 22)).to.deep.equal([])
    expect(known.verify('x.dev', 22, ca.blob).status).to.equal('unknown')
  })

  describe('checkHostKey policies', () => {
    const options = (file: string, policy: HostKeyCheckOptions['policy'], warnings: string[] = []): HostKeyCheckOptions => ({
      policy,
      userFile: file,
      globalFiles: [],
      onWarning: (message) => warnings.push(message),
    })

    it('refuses a changed key always, naming both fingerprints and the old entry file:line', async () => {
      const old = newKey()
      const presented = newKey()
      const file = join(dir, 'known_hosts')
      writeFileSync(file, `# first line\nweb ${old.line}\n`)
      for (const policy of ['strict', 'accept-new', 'off'] as const) {
        const known = await KnownHosts.load([file])
        const outcome = await checkHostKey('deploy@web', 'web', 22, presented.blob, known, options(file, policy))
        expect(outcome.accepted).to.equal(false)
        expect(outcome.error?.exitCode).to.equal(ExitCode.HOST_KEY)
        expect(outcome.error?.message).to.include(fingerprint(old.blob)).and.include(fingerprint(presented.blob)).and.include(`${file}:2`)
        expect(outcome.error?.message).to.match(/^HOST KEY CHANGED/)
        expect(outcome.error?.message).to.not.include('\n')
      }
      expect(readFileSync(file, 'utf8')).to.equal(`# first line\nweb ${old.line}\n`)
    })

    it('refuses a host named by a @cert-authority line whose own key is not pinned, under every policy, writing nothing', async () => {
      const ca = newKey()
      const hostKey = newKey()
      const file = join(dir, 'known_hosts')
      const text = `@cert-authority *.prod ${ca.line}\n`
      writeFileSync(file, text)
      for (const policy of ['strict', 'accept-new', 'off'] as const) {
        const outcome = await checkHostKey('web.prod', 'web.prod', 22, hostKey.blob, await KnownHosts.load([file]), options(file, policy))
        expect(outcome.accepted, policy).to.equal(false)
        expect(outcome.error?.exitCode).to.equal(ExitCode.HOST_KEY)
        expect(outcome.error?.message).to.include('@cert-authority').and.include(`${file}:1`).and.include(fingerprint(hostKey.blob)).and.not.include('\n')
      }
      expect(readFileSync(file, 'utf8')).to.equal(text)
      // Its key pinned beside the CA line: connects.
      writeFileSync(file, `${text}web.prod ${hostKey.line}\n`)
      expect(await checkHostKey('web.prod', 'web.prod', 22, hostKey.blob, await KnownHosts.load([file]), options(file, 'accept-new'))).to.deep.equal({accepted: true})
    })

    it('accepts with a warning but records nothing when there is no user file (UserKnownHostsFile none)', async () => {
      const warnings: string[] = []
      const outcome = await checkHostKey('web', 'web', 22, newKey().blob, new KnownHosts([]), {policy: 'accept-new', globalFiles: [], onWarning: (message) => warnings.push(message)})
      expect(outcome).to.deep.equal({accepted: true})
      expect(warnings.join()).to.match(/^WARNING: .*UserKnownHostsFile is none/)
    })

    it('strict refuses an unknown key without writing anything', async () => {
      const key = newKey()
      const file = join(dir, 'known_hosts')
      const outcome = await checkHostKey('web', 'web', 22, key.blob, await KnownHosts.load([file]), options(file, 'strict'))
      expect(outcome.accepted).to.equal(false)
      expect(outcome.error?.exitCode).to.equal(ExitCode.HOST_KEY)
      expect(outcome.error?.message).to.include(fingerprint(key.blob)).and.include('strict')
      expect(() => statSync(file)).to.throw()
    })

    it('accept-new records the key ([host]:port form, ~/.ssh created 0700, file 0600), then enforces it', async () => {
      const key = newKey()
      const file = join(dir, 'home', '.ssh', 'known_hosts')
      const warnings: string[] = []
      const first = await checkHostKey('web', '127.0.0.1', 2222, key.blob, await KnownHosts.load([file]), options(file, 'accept-new', warnings))
      expect(first).to.include({accepted: true, recorded: file})
      expect(warnings.join()).to.include(file)
      expect(readFileSync(file, 'utf8')).to.equal(`[127.0.0.1]:2222 ${key.line}\n`)
      expect(statSync(join(dir, 'home', '.ssh')).mode & 0o777).to.equal(0o700)
      expect(statSync(file).mode & 0o777).to.equal(0o600)
      // OpenSSH itself finds the entry tk wrote.
      expect(execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file], {encoding: 'utf8'})).to.include(key.line)

      const again = await checkHostKey('web', '127.0.0.1', 2222, key.blob, await KnownHosts.load([file]), options(file, 'accept-new'))
      expect(again).to.deep.equal({accepted: true})
      const impostor = newKey()
      const changed = await checkHostKey('web', '127.0.0.1', 2222, impostor.blob, await KnownHosts.load([file]), options(file, 'accept-new'))
      expect(changed.accepted).to.equal(false)
      expect(changed.error?.message).to.include(`${file}:1`)
      expect(readFileSync(file, 'utf8').trim().split('\n')).to.have.length(1)
    })

    it('accept-new appends to an existing file and keeps its lines and mode; port 22 uses the plain name', async () => {
      const existing = newKey()
      const key = newKey('ecdsa')
      const file = join(dir, 'known_hosts')
      writeFileSync(file, `other ${existing.line}`, {mode: 0o644})
      await checkHostKey('web', 'web.example.com', 22, key.blob, await KnownHosts.load([file]), options(file, 'accept-new'))
      expect(readFileSync(file, 'utf8')).to.equal(`other ${existing.line}\nweb.example.com ${key.line}\n`)
      expect(statSync(file).mode & 0o777).to.equal(0o644)
    })

    it('concurrent accept-new records in one process lose no line', async () => {
      const file = join(dir, 'known_hosts')
      const keys = Array.from({length: 5}, () => newKey())
      await Promise.all(keys.map(async (key, i) => checkHostKey(`h${i}`, `h${i}`, 22, key.blob, await KnownHosts.load([file]), options(file, 'accept-new'))))
      expect(readFileSync(file, 'utf8').trim().split('\n')).to.have.length(5)
    })

    describe('appending beside other writers', () => {
      const WRITER = fileURLToPath(new URL('../../support/known-hosts-writer.ts', import.meta.url))
      const run = (command: string, args: string[]) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(command, args, {stdio: ['ignore', 'ignore', 'inherit']})
          child.on('error', reject)
          child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))))
        })
      /** Two tk processes recording 300 hosts each while an OpenSSH-like appender (a shell's >>) adds 300 lines. */
      const writeTogether = async (file: string, key: ReturnType<typeof newKey>) => {
        const base64 = key.line.split(' ')[1]
        const tk = (prefix: string) => run(process.execPath, ['--import', 'tsx', WRITER, file, prefix, '300', base64])
        // Stand-in for ssh's own appends: OpenSSH opens known_hosts O_APPEND and writes a line at once, as >> does.
        const openssh = run('sh', ['-c', `i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo "ossh-$i ${key.line}" >> "$1"; done`, 'sh', file])
        await Promise.all([tk('tka'), tk('tkb'), openssh])
        const names = new Set(readFileSync(file, 'utf8').split('\n').map((line) => line.split(' ')[0]))
        const missing = ['tka', 'tkb', 'ossh'].flatMap((prefix) => Array.from({length: 300}, (_, i) => `${prefix}-${i + 1}`).filter((name) => !names.has(name)))
        expect(missing, `${missing.length} of 900 entries lost`).to.deep.equal([])
      }

      it('loses no entry with two tk processes and OpenSSH appending at once', async function () {
        this.timeout(120_000)
        const file = join(dir, 'known_hosts')
        writeFileSync(file, '')
        await writeTogether(file, newKey())
        // Every line whole: OpenSSH reads each back.
        expect(execFileSync('ssh-keygen', ['-F', 'tkb-300', '-f', file], {encoding: 'utf8'})).to.include('tkb-300')
      })

      it('writes through a symlinked known_hosts, which stays a symlink', async function () {
        this.timeout(120_000)
        mkdirSync(join(dir, 'dotfiles'))
        mkdirSync(join(dir, '.ssh'))
        const real = join(dir, 'dotfiles', 'known_hosts')
        const link = join(dir, '.ssh', 'known_hosts')
        writeFileSync(real, '# kept in dotfiles\n', {mode: 0o644})
        symlinkSync('../dotfiles/known_hosts', link)
        const key = newKey()
        const outcome = await checkHostKey('web', 'web', 22, key.blob, await KnownHosts.load([link]), options(link, 'accept-new'))
        expect(outcome.accepted).to.equal(true)
        expect(lstatSync(link).isSymbolicLink()).to.equal(true)
        expect(readFileSync(real, 'utf8')).to.equal(`# kept in dotfiles\nweb ${key.line}\n`)
        expect(statSync(real).mode & 0o777).to.equal(0o644)
        await writeTogether(link, newKey())
        expect(lstatSync(link).isSymbolicLink()).to.equal(true)
      })

      it('records a host another process recorded meanwhile only once, and refuses a different key recorded meanwhile', async () => {
        const file = join(dir, 'known_hosts')
        const key = newKey()
        const stale = await KnownHosts.load([file])
        writeFileSync(file, `web ${key.line}\n`)
        const same = await checkHostKey('web', 'web', 22, key.blob, stale, options(file, 'accept-new'))
        expect(same.accepted).to.equal(true)
        expect(readFileSync(file, 'utf8')).to.equal(`web ${key.line}\n`)
        const other = await checkHostKey('web', 'web', 22, newKey().blob, await KnownHosts.load([join(dir, 'none')]), options(file, 'accept-new'))
        expect(other.accepted).to.equal(false)
        expect(other.error?.exitCode).to.equal(ExitCode.HOST_KEY)
        expect(other.error?.message).to.match(/^HOST KEY CHANGED/)
      })
    })

    it('off accepts an unknown key with a loud warning and records nothing', async () => {
      const key = newKey()
      const file = join(dir, 'known_hosts')
      const warnings: string[] = []
      const outcome = await checkHostKey('web', 'web', 22, key.blob, await KnownHosts.load([file]), options(file, 'off', warnings))
      expect(outcome).to.deep.equal({accepted: true})
      expect(warnings).to.have.length(1)
      expect(warnings[0]).to.match(/^WARNING: host key checking is OFF/).and.include(fingerprint(key.blob))
      expect(() => statSync(file)).to.throw()
    })

    it('reads the global file too, and never writes it', async () => {
      const key = newKey()
      const global = join(dir, 'ssh_known_hosts')
      const user = join(dir, 'known_hosts')
      writeFileSync(global, `web ${key.line}\n`)
      const outcome = await checkHostKey('web', 'web', 22, key.blob, await KnownHosts.load([user, global]), options(user, 'strict'))
      expect(outcome).to.deep.equal({accepted: true})
    })
  })
})
