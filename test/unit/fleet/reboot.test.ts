import {expect} from 'chai'

import type {HostSession} from '../../../src/fleet/host-session.js'
import {isNewBoot, parseBootIdentity, rebootHost} from '../../../src/fleet/reboot.js'

describe('telling a new boot', () => {
  const boot = {bootId: '56a6af92-380d-4db4-9488-8a4b2c682d58', initStarted: '3317721', kernel: '6.1.0-28-amd64'}

  it('reads the boot id, PID 1\'s start and the kernel the host prints', () => {
    expect(parseBootIdentity('56a6af92-380d-4db4-9488-8a4b2c682d58\n3317721\n6.1.0-28-amd64\n')).to.deep.equal(boot)
  })

  it('refuses what is not a boot identity, in one line', () => {
    expect(() => parseBootIdentity('sh: 1: cannot open /proc/1/stat\n')).to.throw(/unexpected boot identity/)
  })

  it('is a new boot when the kernel booted again, or (a container) PID 1 started again; not when neither changed', () => {
    expect(isNewBoot(boot, {...boot, bootId: '0b5e3c51-1b0e-4d35-9c1e-2b4c4b1f0a77'})).to.equal(true)
    expect(isNewBoot(boot, {...boot, initStarted: '3319653'})).to.equal(true)
    expect(isNewBoot(boot, {...boot})).to.equal(false)
  })
})

describe('the phases of a reboot', () => {
  it('says each phase once, however many tries the host is down for (a fake session: three failed tries, then a new boot)', async () => {
    const identity = (bootId: string) => ({code: 0, stdout: `${bootId}\n100\n6.1.0-28-amd64\n`, stderr: ''})
    const before = identity('56a6af92-380d-4db4-9488-8a4b2c682d58')
    const after = identity('0b5e3c51-1b0e-4d35-9c1e-2b4c4b1f0a77')
    let tries = 0
    const run = async (script: string) => (script.includes('boot_id') ? before : {code: 0, stdout: 'systemctl reboot\n', stderr: ''})
    const session = {
      name: 'web-1',
      target: {name: 'web-1', provider: 'ssh'},
      open: async () => ({root: {run}}),
      async reconnect() {
        tries++
        if (tries <= 3) throw new Error('connect ECONNREFUSED 127.0.0.1:2222')
        return {login: {run: async (script: string) => (script.includes('boot_id') ? after : {code: 0, stdout: 'running\n', stderr: ''})}}
      },
    } as unknown as HostSession
    const phases: string[] = []
    const report = await rebootHost(session, {timeoutMs: 5000, pollMs: 1, onProgress: (text) => phases.push(text)})
    expect(phases).to.deep.equal(['going down', 'down', 'booting'])
    expect(report.systemState).to.equal('running')
    expect(report.downAfterMs).to.be.a('number')
  })
})
