import {expect} from 'chai'

import {startAgainOnPickedPortClash} from '../../../src/providers/sandbox/machines.js'

/** The engine's refusal as dockerode gives it (HTTP 500 with the engine's message in json). */
const refusal = (message: string) => Object.assign(new Error(`(HTTP code 500) server error - ${message}`), {json: {message}})

describe('sandbox machine start on a port another engine holds', () => {
  it('starts again when the engine-picked SSH port is taken, and stops after the first success', async () => {
    const messages = ['Bind for 127.0.0.1:32778 failed: port is already allocated', 'listen tcp4 127.0.0.1:32779: bind: address already in use']
    let calls = 0
    await startAgainOnPickedPortClash(async () => {
      calls++
      if (messages.length > 0) throw refusal(messages.shift()!)
    }, async () => true, [8080])
    expect(calls).to.equal(3)
  })

  it('gives up after the given number of tries with the engine\'s own error', async () => {
    let calls = 0
    const attempt = startAgainOnPickedPortClash(async () => {
      calls++
      throw refusal('Bind for 127.0.0.1:32778 failed: port is already allocated')
    }, async () => true, [], 3)
    await attempt.then(
      () => expect.fail('resolved'),
      (error: Error) => expect(error.message).to.include('port is already allocated'),
    )
    expect(calls).to.equal(3)
  })

  it('does not try again for a port tk.yml publishes, an SSH port asked for, or another error', async () => {
    for (const [message, picked, fixed] of [
      ['Bind for 127.0.0.1:8080 failed: port is already allocated', true, [8080]],
      ['Bind for 127.0.0.1:2222 failed: port is already allocated', false, []],
      ['cgroup mountpoint does not exist', true, []],
    ] as Array<[string, boolean, number[]]>) {
      let calls = 0
      await startAgainOnPickedPortClash(async () => {
        calls++
        throw refusal(message)
      }, async () => picked, fixed).catch(() => {})
      expect(calls, message).to.equal(1)
    }
  })
})
