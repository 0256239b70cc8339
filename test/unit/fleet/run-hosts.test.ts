import {expect} from 'chai'

import {fleetExitCode, runOnHosts} from '../../../src/fleet/run-hosts.js'
import {renderTable} from '../../../src/render/table.js'
import {ConnectionError} from '../../../src/errors/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('runOnHosts', () => {
  it('keeps going when one host fails, and keeps the order of the targets', async () => {
    const outcomes = await runOnHosts(['a', 'b', 'c'], async (target) => {
      await sleep(target === 'a' ? 30 : 1)
      if (target === 'b') throw new ConnectionError('b is unreachable')
      return target.toUpperCase()
    })
    expect(outcomes.map((outcome) => outcome.target)).to.deep.equal(['a', 'b', 'c'])
    expect(outcomes[0]).to.include({ok: true, value: 'A'})
    expect(outcomes[1]).to.deep.include({ok: false, error: {message: 'b is unreachable', hint: undefined, exitCode: 5}})
    expect(outcomes[2]).to.include({ok: true, value: 'C'})
  })

  it('never runs more hosts at once than the bound', async () => {
    let running = 0
    let peak = 0
    await runOnHosts(
      Array.from({length: 12}, (_, index) => `h${index}`),
      async () => {
        running++
        peak = Math.max(peak, running)
        await sleep(5)
        running--
      },
      {concurrency: 3},
    )
    expect(peak).to.equal(3)
  })

  it('marks an unexpected error as a bug and keeps it', async () => {
    const [outcome] = await runOnHosts(['x'], async () => {
      throw new TypeError('boom')
    })
    expect(outcome.ok).to.equal(false)
    if (!outcome.ok) {
      expect(outcome.error.message).to.equal('internal error: boom')
      expect(outcome.bug).to.be.instanceOf(TypeError)
    }
  })

  it('derives one exit code for the fleet', () => {
    expect(fleetExitCode([0, 0])).to.equal(0)
    expect(fleetExitCode([0, 5, 5])).to.equal(5)
    expect(fleetExitCode([1, 5])).to.equal(1)
  })
})

describe('renderTable', () => {
  it('pads columns to the widest cell, ignoring colour codes', () => {
    const table = renderTable(['HOST', 'RESULT'], [['web-1', '\u001B[32mpass\u001B[39m'], ['db', 'fail']])
    expect(table.split('\n')).to.deep.equal(['HOST   RESULT', 'web-1  \u001B[32mpass\u001B[39m', 'db     fail'])
  })
})
