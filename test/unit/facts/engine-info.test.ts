/** The engine section of a host's facts when it comes from the engine API's GET /info instead of the docker CLI. */
import {expect} from 'chai'

import {engineLinesFromInfo} from '../../../src/facts/host-facts.js'

describe('engineLinesFromInfo', () => {
  it('prints what docker info --format prints, from the API\'s JSON', () => {
    const body = JSON.stringify({ServerVersion: '20.10.24+dfsg1', Driver: 'overlay2', Images: 3, Containers: 2, ContainersRunning: 1, LiveRestoreEnabled: false, DockerRootDir: '/var/lib/docker'})
    expect(engineLinesFromInfo(body)).to.deep.equal([
      'server=20.10.24+dfsg1',
      'storage=overlay2 images=3 containers=2 running=1 live-restore=false',
      'root-dir=/var/lib/docker',
    ])
  })

  it('gives nothing for an answer that is not the engine\'s', () => {
    expect(engineLinesFromInfo('not json')).to.equal(undefined)
    expect(engineLinesFromInfo('{"message":"page not found"}')).to.equal(undefined)
  })
})
