/** How tk upgrade goes through a fleet: an upgrade rolls; a dry run, which changes nothing, asks every host at once. */
import {expect} from 'chai'

import {upgradeWindow} from '../../../src/upgrade/index.js'

describe('tk upgrade: the window of hosts worked on at once', () => {
  it('rolls an upgrade --serial hosts at a time and stops after --max-fail failures', () => {
    expect(upgradeWindow({serial: 2, maxFail: 1, concurrency: 16})).to.deep.equal({concurrency: 2, maxFail: 1})
  })

  it('asks hosts in parallel for a dry run, and reports every one of them (no --max-fail)', () => {
    expect(upgradeWindow({dryRun: true, serial: 1, maxFail: 1, concurrency: 16})).to.deep.equal({concurrency: 16})
  })
})
