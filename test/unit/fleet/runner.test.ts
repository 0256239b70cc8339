/** The one fleet runner: concurrency, serial windows, max-fail with skipped hosts, interruption, and what outcomes add up to. */
import {expect} from 'chai'
import {setTimeout as sleep} from 'node:timers/promises'

import {ConnectionError, HostStateError, PrivilegeError} from '../../../src/errors/index.js'
import {combineExitCodes, countOutcomes, fleetExitCode, outcomeError} from '../../../src/fleet/result.js'
import {type HostOutcome, runFleet} from '../../../src/fleet/runner.js'
import {renderTable} from '../../../src/render/table.js'

describe('runFleet', () => {
  it('keeps going when one host fails, and keeps the order of the targets', async () => {
    const outcomes = await runFleet(['a', 'b', 'c'], async (target) => {
      await sleep(target === 'a' ? 30 : 1)
      if (target === 'b') throw new ConnectionError('b is unreachable', {hint: 'is it up?'})
      return target.toUpperCase()
    })
    expect(outcomes.map((outcome) => outcome.target)).to.deep.equal(['a', 'b', 'c'])
    expect(outcomes[0]).to.include({status: 'ok', value: 'A'})
    expect(outcomes[1]).to.deep.include({status: 'failed', error: {message: 'b is unreachable', hint: 'is it up?', exitCode: 5, kind: 'connection'}})
    expect(outcomes[2]).to.include({status: 'ok', value: 'C'})
  })

  it('never runs more hosts at once than the bound', async () => {
    let running = 0
    let peak = 0
    await runFleet(
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

  it('as a rolling run of one at a time, starts each host after the last finished, in order', async () => {
    const order: string[] = []
    const outcomes = await runFleet(
      ['a', 'b', 'c'],
      async (target) => {
        order.push(target)
        await sleep(10)
      },
      {concurrency: 1},
    )
    expect(order).to.deep.equal(['a', 'b', 'c'])
    for (let index = 1; index < outcomes.length; index++) expect(outcomes[index].startedAt! >= outcomes[index - 1].finishedAt!).to.equal(true)
  })

  it('starts no new host after --max-fail failures, lets running ones finish and skips the rest, typed as skipped', async () => {
    const started: string[] = []
    const done: string[] = []
    const outcomes = await runFleet(
      ['a', 'b', 'c', 'd', 'e'],
      async (target) => {
        started.push(target)
        await sleep(target === 'a' ? 5 : 20)
        if (target === 'a') throw new HostStateError('a: engine down')
      },
      {concurrency: 2, maxFail: 1, onDone: (outcome) => done.push(`${outcome.target}:${outcome.status}`)},
    )
    expect(started).to.deep.equal(['a', 'b'])
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['failed', 'ok', 'skipped', 'skipped', 'skipped'])
    expect(outcomes[2]).to.deep.equal({target: 'c', status: 'skipped', reason: 'not started: 1 host failed (--max-fail 1)', durationMs: 0})
    expect(done).to.include.members(['c:skipped', 'd:skipped', 'e:skipped'])

    const two = await runFleet(['a', 'b', 'c'], async (target) => {
      if (target !== 'c') throw new HostStateError(`${target} failed`)
    }, {concurrency: 1, maxFail: 2})
    expect(two.map((outcome) => outcome.status)).to.deep.equal(['failed', 'failed', 'skipped'])
  })

  it('without --max-fail runs every host whatever fails', async () => {
    const outcomes = await runFleet(['a', 'b', 'c'], async () => {
      throw new HostStateError('no')
    }, {concurrency: 1})
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['failed', 'failed', 'failed'])
  })

  it('starts no new host once interrupted: the rest are skipped as interrupted', async () => {
    const abort = new AbortController()
    const outcomes = await runFleet(
      ['a', 'b', 'c'],
      async (target) => {
        if (target === 'a') abort.abort()
        await sleep(5)
      },
      {concurrency: 1, signal: abort.signal},
    )
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['ok', 'skipped', 'skipped'])
    expect(outcomes[1]).to.include({reason: 'not started: interrupted'})
  })

  it('marks an unexpected error as a bug and keeps it', async () => {
    const [outcome] = await runFleet(['x'], async () => {
      throw new TypeError('boom')
    })
    expect(outcome.status).to.equal('failed')
    if (outcome.status === 'failed') {
      expect(outcome.error).to.deep.equal({message: 'internal error: boom', exitCode: 1, kind: 'bug'})
      expect(outcome.bug).to.be.instanceOf(TypeError)
    }
  })
})

describe('what a fleet run adds up to', () => {
  const ok = (target: string, value: number): HostOutcome<number> => ({target, status: 'ok', value, durationMs: 1})
  const failed = (target: string, exitCode: number): HostOutcome<number> => ({target, status: 'failed', error: {message: 'x', exitCode}, cause: undefined, durationMs: 1})
  const skipped = (target: string): HostOutcome<number> => ({target, status: 'skipped', reason: 'not started', durationMs: 0})

  it('combines exit codes: 0, the shared code, or 1 when they differ', () => {
    expect(combineExitCodes([0, 0])).to.equal(0)
    expect(combineExitCodes([0, 5, 5])).to.equal(5)
    expect(combineExitCodes([1, 5])).to.equal(1)
  })

  it('counts a failed host with its code, a result with what the command says of it, a skipped host not at all', () => {
    expect(fleetExitCode([ok('a', 0), failed('b', new PrivilegeError('p').exitCode), skipped('c')])).to.equal(9)
    expect(fleetExitCode([ok('a', 0), ok('b', 3)], (value) => (value === 0 ? 0 : 1))).to.equal(1)
    expect(fleetExitCode([ok('a', 0), skipped('b')])).to.equal(0)
    expect(countOutcomes([ok('a', 0), failed('b', 5), skipped('c'), skipped('d')])).to.deep.equal({succeeded: 1, failed: 1, skipped: 2})
  })

  it('keeps a rolling window (serial: of a group) to its size within a wider concurrency, and skips its waiting hosts after a failure', async () => {
    const web = new Set(['w1', 'w2', 'w3'])
    let inWeb = 0
    let most = 0
    const started: string[] = []
    const outcomes = await runFleet(
      ['w1', 'db', 'w2', 'w3'],
      async (target) => {
        started.push(target)
        if (web.has(target)) inWeb++
        most = Math.max(most, inWeb)
        await sleep(10)
        if (web.has(target)) inWeb--
        if (target === 'w2') throw new HostStateError('w2 is broken')
      },
      {concurrency: 4, maxFail: 1, windows: [{size: 1, targets: web}]},
    )
    expect(most).to.equal(1)
    expect(started).to.deep.equal(['w1', 'db', 'w2'])
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['ok', 'ok', 'failed', 'skipped'])
  })

  it("gives a host that did not finish one error shape: its failure, or a skip with exit code 0", async () => {
    const outcomes = await runFleet(['a', 'b'], async (target) => {
      throw new HostStateError(`${target} is broken`)
    }, {concurrency: 1, maxFail: 1})
    const [failed, skipped] = outcomes
    if (failed.status === 'ok' || skipped.status === 'ok') throw new Error('both hosts should not have finished')
    expect(outcomeError(failed)).to.deep.include({message: 'a is broken', exitCode: 1, kind: 'failed'})
    expect(outcomeError(skipped)).to.deep.equal({message: 'not started: 1 host failed (--max-fail 1)', exitCode: 0})
  })
})

describe('renderTable', () => {
  it('pads columns to the widest cell, ignoring colour codes', () => {
    const table = renderTable(['HOST', 'RESULT'], [['web-1', '\u001B[32mpass\u001B[39m'], ['db', 'fail']])
    expect(table.split('\n')).to.deep.equal(['HOST   RESULT', 'web-1  \u001B[32mpass\u001B[39m', 'db     fail'])
  })
})
