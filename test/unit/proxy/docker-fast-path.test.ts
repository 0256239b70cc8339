import {expect} from 'chai'

import {fastDockerHost} from '../../../src/cli/docker-fast-path.js'

describe('tk docker before oclif loads', () => {
  it('takes exactly docker HOST -- ARGS', () => {
    expect(fastDockerHost(['docker', 'web-1', '--', 'ps'], {})).to.equal('web-1')
    expect(fastDockerHost(['docker', 'admin@10.0.0.5:2222', '--', 'run', '--rm', '-it', 'debian'], {})).to.equal('admin@10.0.0.5:2222')
  })

  it('leaves every other shape to oclif: flags, groups, several hosts, no docker arguments, other commands', () => {
    expect(fastDockerHost(['docker', '--remote', 'web-1', '--', 'ps'], {})).to.equal(undefined)
    expect(fastDockerHost(['docker', 'web-1', '--remote', '--', 'ps'], {})).to.equal(undefined)
    expect(fastDockerHost(['docker', '@web', '--', 'ps'], {})).to.equal(undefined)
    expect(fastDockerHost(['docker', 'web-1', 'web-2', '--', 'ps'], {})).to.equal(undefined)
    expect(fastDockerHost(['docker', 'web-1', '--'], {})).to.equal(undefined)
    expect(fastDockerHost(['docker', 'web-1'], {})).to.equal(undefined)
    expect(fastDockerHost(['docker', '--help'], {})).to.equal(undefined)
    expect(fastDockerHost(['exec', 'web-1', '--', 'ps'], {})).to.equal(undefined)
    expect(fastDockerHost([], {})).to.equal(undefined)
  })

  it('leaves --remote given through TK_DOCKER_REMOTE to oclif, and ignores a false one', () => {
    expect(fastDockerHost(['docker', 'web-1', '--', 'ps'], {TK_DOCKER_REMOTE: '1'})).to.equal(undefined)
    expect(fastDockerHost(['docker', 'web-1', '--', 'ps'], {TK_DOCKER_REMOTE: 'true'})).to.equal(undefined)
    expect(fastDockerHost(['docker', 'web-1', '--', 'ps'], {TK_DOCKER_REMOTE: 'false'})).to.equal('web-1')
    expect(fastDockerHost(['docker', 'web-1', '--', 'ps'], {TK_DOCKER_REMOTE: ''})).to.equal('web-1')
  })
})
