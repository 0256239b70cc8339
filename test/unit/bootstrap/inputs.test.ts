/**
 * tk bootstrap's inputs, refused before any host is touched: the admin's name
 * (never root, never shell syntax) and the public key file (one OpenSSH
 * public key line; a private key is refused, so it is never sent anywhere).
 * Edge cases a real host cannot show: no sandbox machine needed.
 */
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {adminFor, readPublicKey} from '../../../src/bootstrap/index.js'
import {InputError, UsageError} from '../../../src/errors/index.js'
import type {Target} from '../../../src/targets/index.js'

const raw = (address: string): Target => ({name: address, raw: true, address, groups: [], provider: 'ssh', sshOptions: {}})

describe('tk bootstrap inputs', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tk-bootstrap-unit-'))
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ann@laptop', '-f', join(dir, 'id')])
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('the admin: --user, else the tk.yml host\'s user; refuses root and names that cannot be users', () => {
    expect(adminFor(raw('root@203.0.113.10'), 'ann')).to.equal('ann')
    expect(adminFor({...raw('web-1'), raw: false, user: 'deploy'}, undefined)).to.equal('deploy')
    expect(() => adminFor(raw('root@203.0.113.10'), 'root')).to.throw(UsageError, /not root/)
    expect(() => adminFor(raw('root@203.0.113.10'), 'ann;id')).to.throw(UsageError, /cannot be a user name/)
  })

  it('reads one public key line, comment and all', async () => {
    expect(await readPublicKey(join(dir, 'id.pub'))).to.equal(readFileSync(join(dir, 'id.pub'), 'utf8').trim())
  })

  it('refuses a private key, two keys, a missing file and junk, each with one line', async () => {
    const two = join(dir, 'two.pub')
    writeFileSync(two, `${readFileSync(join(dir, 'id.pub'), 'utf8')}${readFileSync(join(dir, 'id.pub'), 'utf8')}`)
    const junk = join(dir, 'junk.pub')
    writeFileSync(junk, 'ssh-ed25519 not-base64!\n')
    for (const [file, message] of [
      [join(dir, 'id'), /is not one OpenSSH public key line/],
      [two, /is not one OpenSSH public key line/],
      [junk, /is not one OpenSSH public key line/],
      [join(dir, 'missing.pub'), /Cannot read the public key .*ENOENT/],
    ] as const) {
      const error = await readPublicKey(file).then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(error, file).to.be.instanceOf(InputError)
      expect((error as Error).message).to.match(message).and.not.include('\n')
    }
  })
})
