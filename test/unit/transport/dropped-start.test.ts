import {expect} from 'chai'

import {ConnectionError} from '../../../src/errors/index.js'
import {DroppedStart, retryDroppedStarts} from '../../../src/transport/connection.js'

// Fakes: how often a server drops a start, and what tk then does. That a real sshd's drop past
// MaxStartups is seen as a DroppedStart is shown on a real one in test/integration/scale.test.ts.
describe('logins dropped before the SSH banner', () => {
  it('are tried again, and the drops are not said when a later try gets in', async () => {
    let tries = 0
    const value = await retryDroppedStarts('web-1', async () => {
      tries++
      if (tries < 3) throw new DroppedStart('web-1 closed the connection before the SSH handshake')
      return 'connected'
    })
    expect(value).to.equal('connected')
    expect(tries).to.equal(3)
  })

  it('give one line that names the likely cause when every try is dropped', async () => {
    let tries = 0
    const failure = await retryDroppedStarts(
      'web-1',
      async () => {
        tries++
        throw new DroppedStart('web-1 closed the connection before the SSH handshake')
      },
      3,
    ).catch((error: unknown) => error)
    expect(tries).to.equal(3)
    expect(failure).to.be.instanceOf(ConnectionError)
    expect(failure).not.to.be.instanceOf(DroppedStart)
    expect((failure as ConnectionError).message).to.match(/dropped 3 times in a row/)
    expect((failure as ConnectionError).hint).to.match(/MaxStartups/)
  })

  it('never try again after any other failure (a refused key is not tried twice)', async () => {
    let tries = 0
    const failure = await retryDroppedStarts('web-1', async () => {
      tries++
      throw new ConnectionError('Connection to web-1 refused: nothing listens on port 22')
    }).catch((error: unknown) => error)
    expect(tries).to.equal(1)
    expect((failure as Error).message).to.match(/refused/)
  })
})
