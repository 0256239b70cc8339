/**
 * The sandbox's private engine leaves a system engine's docker0 alone. dockerd started with
 * --bridge=none deletes a docker0 it finds (found when the README's first command ran on a
 * machine whose own docker.io had started: that engine's `docker run` then failed with "could
 * not find bridge docker0"). tk's engine now has a default bridge of its own, per sandbox home,
 * removed when the engine stops. The docker0 here is a stand-in made by the test when the
 * machine has none (this machine runs no system engine), removed afterwards; a real one is
 * only looked at.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {expect} from 'chai'

import {chooseEngine} from '../../src/providers/sandbox/engine-choice.js'
import {bridgeName, SandboxEngine} from '../../src/providers/sandbox/engine.js'
import {sandboxHome} from '../../src/providers/sandbox/home.js'

const linkExists = (name: string) => spawnSync('ip', ['link', 'show', name], {stdio: 'ignore'}).status === 0

describe('the sandbox engine and a system engine\'s docker0', function () {
  this.timeout(180_000)
  const root = mkdtempSync(join('/var/lib', 'tk-bridge-test-'))
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

  it('starts on a bridge of its own, leaves docker0 in place, and removes its bridge when it stops', async () => {
    engine = await SandboxEngine.ensure(home)
    expect(engine.startedHere).to.equal(true)
    expect(linkExists('docker0'), 'docker0 after the sandbox engine started').to.equal(true)
    const name = bridgeName(home)
    expect(linkExists(name)).to.equal(true)
    const network = await engine.docker.getNetwork('bridge').inspect()
    expect(network.Options?.['com.docker.network.bridge.name']).to.equal(name)
    expect(await engine.stop()).to.equal(true)
    engine = undefined
    expect(linkExists(name), 'the engine\'s bridge after it stopped').to.equal(false)
    expect(linkExists('docker0'), 'docker0 after the sandbox engine stopped').to.equal(true)
  })
})
