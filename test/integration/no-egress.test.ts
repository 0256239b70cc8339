/**
 * The premise of the no-egress tests (test/support/no-egress.ts), checked on a
 * real machine: once cut off it reaches neither Debian's archive, nor the
 * workstation's bridge address, nor another machine, and fails at once; SSH in
 * keeps working, and so does its own loopback (where an SSH remote forward
 * listens).
 */
import {expect} from 'chai'
import {createServer, type Server} from 'node:net'

import {canConnect, cutOffEgress, gatewayOf, restoreEgress} from '../support/no-egress.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'

describe('a sandbox machine cut off from everything but itself (the no-egress test harness)', function () {
  this.timeout(5 * 60_000)
  let fixture: SandboxFixture
  let machine: TestMachine
  let neighbour: TestMachine
  let listener: Server
  let port: number
  let gateway: string

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm']})
    ;[machine, neighbour] = await Promise.all([fixture.machine({release: 'bookworm'}), fixture.machine({release: 'bookworm'})])
    gateway = await gatewayOf(machine)
    // A listener on every workstation address: what a proxy on the bridge address would be.
    listener = createServer((socket) => socket.end())
    await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve))
    port = (listener.address() as {port: number}).port
  })

  after(async () => {
    await new Promise((resolve) => listener?.close(resolve))
    await Promise.all([machine?.remove(), neighbour?.remove()])
  })

  it('reaches the workstation and its neighbour before, nothing but itself after, and all again once restored', async () => {
    expect(await canConnect(machine, gateway, port), 'the workstation before').to.equal(true)
    expect(await canConnect(machine, neighbour.name, 22), 'the neighbour before').to.equal(true)

    await cutOffEgress(machine)
    const started = Date.now()
    expect(await canConnect(machine, gateway, port), 'the workstation after').to.equal(false)
    const neighbourAddress = (await neighbour.ssh('admin', "hostname -I | awk '{print $1}'")).stdout.trim()
    expect(await canConnect(machine, neighbourAddress, 22), 'the neighbour after').to.equal(false)
    const apt = await machine.ssh('admin', 'sudo -n apt-get -q -o Acquire::Retries=0 update 2>&1; echo "exit $?"')
    expect(apt.stdout, apt.stdout).to.match(/^Err:/m)
    expect(apt.stdout, apt.stdout).to.match(/Temporary failure resolving|Could not resolve|Connection refused|Network is unreachable|Permission denied/)
    expect(Date.now() - started, 'refused at once, not after timeouts').to.be.below(20_000)

    // Its own loopback, where an SSH remote forward listens, still works; SSH in still works.
    const local = await machine.ssh('admin', "sh -c 'timeout 5 bash -c \"exec 3<>/dev/tcp/127.0.0.1/22\" && echo ok'")
    expect(local.stdout.trim()).to.equal('ok')

    await restoreEgress(machine)
    expect(await canConnect(machine, gateway, port), 'the workstation once restored').to.equal(true)
  })
})
