import {expect} from 'chai'
import {EventEmitter} from 'node:events'

import {IdleWatch} from '../../../src/proxy/idle.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('a tunnel\'s idle watch', () => {
  it('calls back once no connection has been open for the whole timeout', async () => {
    let idle = 0
    const watch = new IdleWatch(60, () => idle++)
    await sleep(120)
    expect(idle).to.equal(1)
    watch.stop()
  })

  it('never while a connection is open, however long; the timeout starts again when the last one closes', async () => {
    let idle = 0
    const watch = new IdleWatch(60, () => idle++)
    const first = new EventEmitter()
    const second = new EventEmitter()
    watch.track(first)
    watch.track(second)
    await sleep(150)
    expect(idle).to.equal(0)
    first.emit('close')
    await sleep(100)
    expect(idle, 'one connection is still open').to.equal(0)
    second.emit('close')
    await sleep(30)
    expect(idle, 'the timeout starts when the last closes').to.equal(0)
    await sleep(80)
    expect(idle).to.equal(1)
    watch.stop()
  })

  it('is silent once stopped', async () => {
    let idle = 0
    const watch = new IdleWatch(40, () => idle++)
    watch.stop()
    watch.track(new EventEmitter())
    await sleep(80)
    expect(idle).to.equal(0)
  })
})
