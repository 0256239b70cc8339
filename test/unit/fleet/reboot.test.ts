import {expect} from 'chai'

import {isNewBoot, parseBootIdentity} from '../../../src/fleet/reboot.js'

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
