/**
 * The sandbox's private engine leaves a system engine's docker0 alone. dockerd started with
 * --bridge=none deletes a docker0 it finds (found when the README's first command ran on a
 * machine whose own docker.io had started: that engine's `docker run` then failed with "could
 * not find bridge docker0"). tk's engine now has a default bridge of its own, one per sandbox
 * home, kept when the engine stops (its subnet stays reserved under the rules dockerd leaves).
 * The docker0 here is a stand-in made by the test when the machine has none (this machine runs
 * no system engine), removed afterwards; a real one is only looked at. The test's home is one
 * fixed path, so that its bridge is the same one on every run.
 */
import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'

import {expect} from 'chai'

import {chooseEngine} from '../../src/providers/sandbox/engine-choice.js'
import {bridgeName, SandboxEngine} from '../../src/providers/sandbox/engine.js'
import {sandboxHome} from '../../src/providers/sandbox/home.js'

const linkExists = (name: string) => spawnSync('ip', ['link', 'show', name], {stdio: 'ignore'}).status === 0
const ipv4 = (name: string) => /inet (\S+)/.exec(spawnSync('ip', ['-4', '-o', 'addr', 'show', 'dev', name], {encoding: 'utf8'}).stdout)?.[1]

describe('the sandbox engine and a system engine\'s docker0', function () {
  this.timeout(180_000)
  const root = '/var/lib/tk-test-engine-bridge'
  const home = sandboxHome(root, chooseEngine({}))
  let madeDocker0 = false
  let engine: SandboxEngine | undefined

  before(function () {
    if (process.getuid?.() !== 0) this.skip()
    if (!linkExists('docker0')) {
      expect(spawnSync('ip', ['link', 'add', 'name', 'docker0', 'type', 'bridge']).status, 'making the stand-in docker0').to.equal(0)
      madeDocker0 = true
    }
  })

  after(async () => {
    await engine?.stop()
    if (madeDocker0) spawnSync('ip', ['link', 'delete', 'docker0'])
    rmSync(root, {recursive: true, force: true})
  })

  it('starts on a bridge of its own, leaves docker0 in place, and keeps its bridge and its address across a stop and a start', async () => {
    engine = await SandboxEngine.ensure(home)
    expect(engine.startedHere).to.equal(true)
    expect(linkExists('docker0'), 'docker0 after the sandbox engine started').to.equal(true)
    const name = bridgeName(home)
    const network = await engine.docker.getNetwork('bridge').inspect()
    expect(network.Options?.['com.docker.network.bridge.name']).to.equal(name)
    // No MASQUERADE for the empty bridge's subnet: dockerd leaves the rule behind when it stops, and it
    // would rewrite the sources of a later network given an overlapping subnet.
    expect(spawnSync('iptables', ['-t', 'nat', '-S', 'POSTROUTING'], {encoding: 'utf8'}).stdout).not.to.include(name)
    const address = ipv4(name)
    expect(address, `${name}'s address`).to.match(/^\d+\.\d+\.\d+\.\d+\/\d+$/)
    expect(await engine.stop()).to.equal(true)
    expect(ipv4(name), 'the bridge after the engine stopped').to.equal(address)
    expect(linkExists('docker0'), 'docker0 after the sandbox engine stopped').to.equal(true)
    engine = await SandboxEngine.ensure(home)
    expect(ipv4(name), 'the bridge after a new start').to.equal(address)
    expect(linkExists('docker0')).to.equal(true)
  })
})
