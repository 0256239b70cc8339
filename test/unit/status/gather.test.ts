/**
 * gatherStatus over the real transport against the in-process fake SSH
 * server, which runs the status script with this machine's /bin/sh: the
 * shapes of reached, refused and refused-credential hosts without sandbox
 * machines (test/integration/status.test.ts has the real ones).
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {release, tmpdir} from 'node:os'
import {join} from 'node:path'

import {ExitCode} from '../../../src/errors/exit-codes.js'
import {formatAddress, gatherStatus, problemReason} from '../../../src/status/gather.js'
import {rawTarget} from '../../../src/targets/index.js'
import type {TransportOptions} from '../../../src/transport/connection.js'
import {FakeSshServer} from '../transport/fake-ssh-server.js'
import {closedPort, isolatedTransport} from '../transport/loopback.js'

const SECRET = 'status-test-password'

describe('tk status: gathering over SSH (fake server)', function () {
  this.timeout(20_000)
  let dir: string
  let server: FakeSshServer
  let port: number
  let transport: TransportOptions

  before(async () => {
    server = new FakeSshServer({passwords: [SECRET]})
    port = await server.listen()
  })
  after(() => server.close())
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tk-status-'))
    transport = isolatedTransport(dir, {TK_SSH_PASSWORD: SECRET})
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('a reached host has its facts and its address as reached; a closed port is a row, "refused"', async () => {
    const closed = await closedPort()
    const result = await gatherStatus([rawTarget(`tester@127.0.0.1:${port}`), rawTarget(`tester@127.0.0.1:${closed}`)], {transport})
    const [up, down] = result.hosts
    expect(up).to.include({name: `tester@127.0.0.1:${port}`, address: `tester@127.0.0.1:${port}`, reachable: true})
    expect(up.problem).to.equal(undefined)
    expect(up.facts?.kernel).to.equal(release())
    expect(down).to.include({name: `tester@127.0.0.1:${closed}`, address: `tester@127.0.0.1:${closed}`, reachable: false})
    expect(down.facts).to.equal(undefined)
    expect(down.problem).to.include({reason: 'refused', exitCode: ExitCode.CONNECTION})
    expect(result.summary).to.deep.equal({reachable: 1, unreachable: 1})
    expect(result.exitCode).to.equal(ExitCode.CONNECTION)
  })

  it('a refused password is "auth"; failures of different classes exit 1', async () => {
    const closed = await closedPort()
    const result = await gatherStatus([rawTarget(`tester@127.0.0.1:${port}`), rawTarget(`tester@127.0.0.1:${closed}`)], {
      transport: {...transport, env: {TK_SSH_PASSWORD: 'wrong'}},
    })
    expect(result.hosts.map((host) => host.problem?.reason)).to.deep.equal(['auth', 'refused'])
    expect(result.exitCode).to.equal(ExitCode.FAILED)
  })

  it('a host key that is not known, under the strict policy, is "host key"', async () => {
    const result = await gatherStatus([rawTarget(`tester@127.0.0.1:${port}`)], {transport: {...transport, hostKeyPolicy: 'strict'}})
    expect(result.hosts[0].problem).to.include({reason: 'host key', exitCode: ExitCode.HOST_KEY})
    expect(result.exitCode).to.equal(ExitCode.HOST_KEY)
  })
})

describe('tk status: naming problems and addresses', () => {
  it('names a failure in a word from its class and the transport\'s wording', () => {
    const reason = (message: string, exitCode: number = ExitCode.CONNECTION) => problemReason({message, exitCode})
    expect(reason('Connection to a@b:2222 timed out after 10 s (connected, but no SSH handshake)')).to.equal('timeout')
    expect(reason('Cannot resolve host name "nope"')).to.equal('dns')
    expect(reason('Cannot reach a@b: no route to host')).to.equal('no route')
    expect(reason('Connection to a@b was reset during the SSH handshake')).to.equal('reset')
    expect(reason('Connection to a@b closed during the SSH handshake')).to.equal('closed')
    expect(reason('something new')).to.equal('error')
    expect(reason('sandbox-1 is a sandbox machine: this command reaches ssh hosts only for now', ExitCode.UNSUPPORTED)).to.equal('unsupported')
    expect(reason('bad target', ExitCode.INPUT)).to.equal('error')
  })

  it('writes the port even when it is 22, and brackets an IPv6 address', () => {
    expect(formatAddress({user: 'admin', hostname: 'web-1', port: 22})).to.equal('admin@web-1:22')
    expect(formatAddress({user: 'root', hostname: 'fd00::7', port: 2222})).to.equal('root@[fd00::7]:2222')
  })
})
