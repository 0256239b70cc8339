/**
 * tk.yml's registries: and groups: serial, as read; the registry credentials
 * as the engine's X-Registry-Auth gets them; a docker credential helper run on
 * the workstation (a stand-in script on PATH, since no real helper has a
 * login here); the engine's pull answers (fakes: a real engine's error
 * answers are shown by test/integration/up-rolling.test.ts).
 */
import {expect} from 'chai'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {parseConfig} from '../../../src/config/index.js'
import {pullError, pullQuery} from '../../../src/up/provisioners/docker-api.js'
import {registryAuths, registryOfImage} from '../../../src/up/registry-auth.js'
import {upWindows} from '../../../src/up/rolling.js'

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfig(text, {file: '/fleet/tk.yml', displayName: 'tk.yml', env})
const rejects = async (pending: Promise<unknown>, pattern: RegExp) => {
  const error = await pending.then(() => undefined, (error_: Error) => error_)
  expect(error?.message).to.match(pattern)
}
const HOSTS = 'hosts:\n  - name: web-1\n    groups: [web]\n  - name: db-1\n'

describe('registries: and groups: in tk.yml', () => {
  it('takes a password only from ${ENV}, and keeps it as a secret', async () => {
    const config = await parse(`registries:\n  - server: reg.example:5000\n    username: fleet\n    password: \${REG_PW}\n${HOSTS}`, {REG_PW: 'pw-123'})
    expect(config.registries).to.deep.equal([{server: 'reg.example:5000', username: 'fleet', password: 'pw-123'}])
    expect(config.secrets).to.include('pw-123')
    await rejects(parse(`registries:\n  - server: reg.example\n    username: fleet\n    password: hunter2\n${HOSTS}`), /registries\[0\]\.password: a registry password is written in tk.yml itself/)
    await rejects(parse(`registries:\n  - server: reg.example\n    username: fleet\n${HOSTS}`), /needs username and password \(or credentialHelper\)/)
    await rejects(parse(`registries:\n  - server: reg.example\n    credentialHelper: pass\n    username: fleet\n${HOSTS}`), /not both/)
  })

  it('takes serial: for a group some host joins, and refuses one no host joins', async () => {
    expect((await parse(`groups:\n  web:\n    serial: 1\n${HOSTS}`)).groupSerial).to.deep.equal(new Map([['web', 1]]))
    await rejects(parse(`groups:\n  wbe:\n    serial: 1\n${HOSTS}`), /group "wbe" has no hosts/)
  })

  it('rolls only live runs, with max-fail 1 unless given', async () => {
    const config = await parse(`groups:\n  web:\n    serial: 1\n${HOSTS}`)
    const targets = config.hosts.map((host) => ({name: host.name, host}) as never)
    const live = upWindows(targets, config, {dryRun: false})
    expect(live.maxFail).to.equal(1)
    expect(live.windows?.map((window) => [window.size, [...window.targets]])).to.deep.equal([[1, ['web-1']]])
    expect(upWindows(targets, config, {dryRun: true})).to.deep.equal({})
    expect(upWindows(targets, config, {dryRun: false, serial: 2, maxFail: 3}).maxFail).to.equal(3)
  })
})

describe('registry credentials for the engine', () => {
  it('finds the registry an image names', () => {
    expect(registryOfImage('reg.example:5000/app:1')).to.equal('reg.example:5000')
    expect(registryOfImage('localhost/app')).to.equal('localhost')
    expect(registryOfImage('nginx:1.27')).to.equal('docker.io')
    expect(registryOfImage('library/nginx')).to.equal('docker.io')
  })

  it('gives X-Registry-Auth as base64url JSON for the image\'s registry only', async () => {
    const secrets: string[] = []
    const auth = await registryAuths([{server: 'reg.example:5000', username: 'fleet', password: 'pw-1234'}], secrets)
    const header = auth!('reg.example:5000/app:1')!
    expect(JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))).to.deep.equal({username: 'fleet', password: 'pw-1234', serveraddress: 'reg.example:5000'})
    // Padded: engines up to 20.10 decode with Go's base64.URLEncoding and take an unpadded header as no credentials.
    expect(header.length % 4).to.equal(0)
    expect(header).to.match(/^[\w-]+=*$/)
    expect(auth!('nginx')).to.equal(undefined)
    expect(secrets).to.deep.equal(['pw-1234'])
  })

  it('runs a credential helper here, with the server on stdin, and keeps its secret as a secret', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'tk-cred-'))
    const path = process.env.PATH
    try {
      // Stand-in for docker-credential-pass: answers for one server only.
      writeFileSync(join(bin, 'docker-credential-standin'), '#!/bin/sh\nread server\n[ "$server" = reg.example ] || { echo "credentials not found in native keychain"; exit 1; }\necho \'{"ServerURL":"reg.example","Username":"ci","Secret":"helper-secret"}\'\n')
      chmodSync(join(bin, 'docker-credential-standin'), 0o755)
      process.env.PATH = `${bin}:${path}`
      const secrets: string[] = []
      const auth = await registryAuths([{server: 'reg.example', credentialHelper: 'standin'}], secrets)
      expect(JSON.parse(Buffer.from(auth!('reg.example/app')!, 'base64url').toString('utf8'))).to.include({username: 'ci', password: 'helper-secret'})
      expect(secrets).to.deep.equal(['helper-secret'])
      const missing = await registryAuths([{server: 'other.example', credentialHelper: 'standin'}], []).catch((error: Error) => error)
      expect((missing as Error).message).to.equal('registry other.example: docker-credential-standin get failed: credentials not found in native keychain')
      const absent = await registryAuths([{server: 'reg.example', credentialHelper: 'nothere'}], []).catch((error: Error) => error)
      expect((absent as Error).message).to.equal('registry reg.example: cannot run docker-credential-nothere (not found on PATH)')
    } finally {
      process.env.PATH = path
      rmSync(bin, {recursive: true, force: true})
    }
  })

  it('reads the engine\'s pull answer: the stream\'s error, a status\'s message, or nothing when it pulled', () => {
    expect(pullQuery('reg.example:5000/app')).to.equal('fromImage=reg.example%3A5000%2Fapp&tag=latest')
    expect(pullError(200, '{"status":"Pulling from app"}\n{"status":"Digest: sha256:ab"}\n')).to.equal(undefined)
    expect(pullError(200, '{"status":"Pulling"}\n{"errorDetail":{"message":"unauthorized"},"error":"unauthorized: authentication required"}\n')).to.equal('unauthorized: authentication required')
    expect(pullError(500, '{"message":"Head \\"https://reg/v2/app/manifests/1\\": no basic auth credentials"}\n')).to.match(/no basic auth credentials$/)
  })
})
