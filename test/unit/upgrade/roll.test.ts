/** A rolling run: serial hosts at a time, in order, no new host after max-fail failures. */
import {expect} from 'chai'
import {setTimeout as sleep} from 'node:timers/promises'

import {rollHosts} from '../../../src/upgrade/roll.js'
import {HostStateError} from '../../../src/errors/index.js'

describe('rolling over hosts', () => {
  it('runs one host at a time by default, in order', async () => {
    let running = 0
    let most = 0
    const order: string[] = []
    const outcomes = await rollHosts(['a', 'b', 'c'], async (target) => {
      running++
      most = Math.max(most, running)
      order.push(target)
      await sleep(10)
      running--
      return target.toUpperCase()
    })
    expect(most).to.equal(1)
    expect(order).to.deep.equal(['a', 'b', 'c'])
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['ok', 'ok', 'ok'])
    for (let index = 1; index < outcomes.length; index++) expect(outcomes[index].startedAt! >= outcomes[index - 1].finishedAt!).to.equal(true)
  })

  it('runs up to --serial hosts at once', async () => {
    let running = 0
    let most = 0
    await rollHosts(['a', 'b', 'c', 'd', 'e'], async () => {
      running++
      most = Math.max(most, running)
      await sleep(10)
      running--
    }, {serial: 2})
    expect(most).to.equal(2)
  })

  it('starts no new host after --max-fail failures, lets running ones finish and skips the rest', async () => {
    const started: string[] = []
    const outcomes = await rollHosts(['a', 'b', 'c', 'd', 'e'], async (target) => {
      started.push(target)
      await sleep(target === 'a' ? 5 : 20)
      if (target === 'a') throw new HostStateError('a: engine down')
    }, {serial: 2, maxFail: 1})
    expect(started).to.deep.equal(['a', 'b'])
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['failed', 'ok', 'skipped', 'skipped', 'skipped'])
    expect(outcomes[2]).to.include({reason: 'not started: 1 host failed (--max-fail 1)'})

    const two = await rollHosts(['a', 'b', 'c'], async (target) => {
      if (target !== 'c') throw new HostStateError(`${target} failed`)
    }, {maxFail: 2})
    expect(two.map((outcome) => outcome.status)).to.deep.equal(['failed', 'failed', 'skipped'])
  })

  it('keeps a bug as a bug', async () => {
    const [outcome] = await rollHosts(['a'], async () => {
      throw new TypeError('oops')
    })
    expect(outcome.status).to.equal('failed')
    if (outcome.status === 'failed') expect(outcome.bug).to.be.instanceOf(TypeError)
  })
})
