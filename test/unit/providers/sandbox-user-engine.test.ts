/**
 * Which engine the sandbox uses, and which user engines it refuses, from
 * what `docker info` says. A rootless dockerd cannot run on this machine (the
 * suite runs as root in a container), so its refusal is shown here on the
 * SecurityOptions a rootless engine reports: a stand-in for a real one.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {EnvironmentError, UsageError} from '../../../src/errors/index.js'
import {chooseEngine, unreachableEngine, userEngineRefusal} from '../../../src/providers/sandbox/engine-choice.js'
import {stopSandboxEngine} from '../../../src/providers/sandbox/fleet.js'
import {sandboxHome} from '../../../src/providers/sandbox/home.js'
import {checkSubordinateIds, subordinateIds} from '../../../src/providers/sandbox/requirements.js'

describe("the sandbox's engine", () => {
  describe('choosing it', () => {
    it('is the private engine for root and the user\'s own for anyone else, unless TK_SANDBOX_ENGINE says', () => {
      expect(chooseEngine({}, 0)).to.deep.equal({kind: 'private'})
      expect(chooseEngine({}, 1000)).to.deep.equal({kind: 'user', socket: '/var/run/docker.sock', from: 'the default socket'})
      expect(chooseEngine({DOCKER_HOST: 'unix:///run/user/1000/d.sock'}, 1000)).to.deep.equal({kind: 'user', socket: '/run/user/1000/d.sock', from: 'DOCKER_HOST'})
      expect(chooseEngine({TK_SANDBOX_ENGINE: 'user'}, 0)).to.include({kind: 'user'})
      expect(chooseEngine({TK_SANDBOX_ENGINE: 'private'}, 1000)).to.deep.equal({kind: 'private'})
    })

    it('refuses a value it does not know and an engine on another machine, in one line', () => {
      expect(() => chooseEngine({TK_SANDBOX_ENGINE: 'shared'}, 1000)).to.throw(UsageError, 'TK_SANDBOX_ENGINE=shared is not an engine: use private')
      expect(() => chooseEngine({DOCKER_HOST: 'tcp://10.0.0.5:2376'}, 1000)).to.throw(EnvironmentError, 'DOCKER_HOST=tcp://10.0.0.5:2376 is not a local engine')
    })

    it("on the user's engine the home's socket is that engine's, and it is marked shared", () => {
      const home = sandboxHome('/home/ann/.local/state/tk/sandbox', {kind: 'user', socket: '/var/run/docker.sock', from: 'the default socket'})
      expect(home.engine).to.include({socket: '/var/run/docker.sock', shared: true})
      expect(sandboxHome('/var/lib/tk-sandbox', {kind: 'private'}).engine).to.include({socket: '/var/lib/tk-sandbox/engine/docker.sock', shared: false})
    })
  })

  it("is never stopped by tk when it is the user's", async () => {
    const saved = {engine: process.env.TK_SANDBOX_ENGINE, host: process.env.DOCKER_HOST}
    process.env.TK_SANDBOX_ENGINE = 'user'
    process.env.DOCKER_HOST = 'unix:///run/tk-test-none.sock'
    try {
      const error = await stopSandboxEngine().catch((caught) => caught)
      expect(error).to.be.instanceOf(EnvironmentError)
      expect(error.message).to.equal('the sandbox uses your own Docker engine (/run/tk-test-none.sock): tk stops only the private engine it starts')
    } finally {
      for (const [name, value] of [['TK_SANDBOX_ENGINE', saved.engine], ['DOCKER_HOST', saved.host]] as const) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  })

  describe('refusing one that cannot run systemd machines', () => {
    // What a rootless dockerd 27 reports (docker info --format '{{json .SecurityOptions}}').
    const rootless = {OSType: 'linux', CgroupVersion: '2', SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns']}
    const rootful = {OSType: 'linux', CgroupVersion: '2', SecurityOptions: ['name=apparmor', 'name=seccomp,profile=builtin', 'name=cgroupns']}

    it('refuses a rootless engine, saying why', () => {
      expect(userEngineRefusal(rootless, false)).to.match(/^it is a rootless engine: .*systemd as PID 1/)
    })

    it('refuses cgroup v1 without the name=systemd hierarchy, and Windows containers', () => {
      expect(userEngineRefusal({...rootful, CgroupVersion: '1'}, false)).to.contain('cgroup v1 without the name=systemd hierarchy')
      expect(userEngineRefusal({...rootful, CgroupVersion: '1'}, true)).to.equal(undefined)
      expect(userEngineRefusal({...rootful, OSType: 'windows'}, true)).to.contain('windows containers')
    })

    it('takes a rootful engine', () => {
      expect(userEngineRefusal(rootful, false)).to.equal(undefined)
    })

    it('says what to do when the socket does not let the user in, or nothing answers', () => {
      const choice = {kind: 'user', socket: '/var/run/docker.sock', from: 'the default socket'} as const
      const denied = unreachableEngine(choice, Object.assign(new Error('connect EACCES'), {code: 'EACCES'}), 'ann')
      expect(denied.message).to.equal('the Docker engine at /var/run/docker.sock (the default socket) does not let ann in')
      expect(denied.hint).to.contain('usermod -aG docker ann')
      expect(unreachableEngine(choice, Object.assign(new Error('connect ENOENT'), {code: 'ENOENT'}), 'ann').message).to.equal('no Docker engine answers at /var/run/docker.sock (the default socket)')
    })
  })

  describe("the user's subordinate ids (mmdebstrap --mode=unshare)", () => {
    let dir: string
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tk-subid-'))))
    afterEach(() => rmSync(dir, {recursive: true, force: true}))
    const files = (subuid: string, subgid: string) => {
      writeFileSync(join(dir, 'subuid'), subuid)
      writeFileSync(join(dir, 'subgid'), subgid)
      return {subuid: join(dir, 'subuid'), subgid: join(dir, 'subgid')}
    }

    it('counts the ranges of the user, by name or by uid', () => {
      expect(subordinateIds('bob:100000:65536\nann:165536:65536\n1001:231072:10\n', {name: 'ann', uid: 1001})).to.equal(65_546)
    })

    it('names the file that lacks them and what an admin runs', async () => {
      const error = await checkSubordinateIds({name: 'ann', uid: 1001}, files('ann:100000:65536\n', 'bob:100000:65536\n')).catch((caught) => caught)
      expect(error).to.be.instanceOf(EnvironmentError)
      expect(error.message).to.equal(`building sandbox images as ann needs 65536 subordinate ids, missing in ${join(dir, 'subgid')} (none)`)
      expect(error.hint).to.contain('usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ann')
      await checkSubordinateIds({name: 'ann', uid: 1001}, files('ann:100000:65536\n', 'ann:100000:65536\n'))
    })
  })
})
