import {expect} from 'chai'

import {AptProgressReader, describeAptStatus} from '../../../src/engine/apt-progress.js'

describe("apt's own progress, told in a few words", () => {
  it('tells fetching by files and percent, unpacking and setting up by package', () => {
    expect(describeAptStatus('dlstatus:3:68.8244:Retrieving file 3 of 4')).to.equal('fetching 3 of 4 (68%)')
    expect(describeAptStatus('pmstatus:jq:29.4118:Unpacking jq (amd64)')).to.equal('unpacking jq (29%)')
    expect(describeAptStatus('pmstatus:jq:88.2353:Configuring jq (amd64)')).to.equal('setting up jq (88%)')
    expect(describeAptStatus('pmstatus:docker.io:12.5:Removing docker.io (amd64)')).to.equal('removing docker.io (12%)')
  })

  it('leaves out what says nothing to a person (dpkg starting, preparing) and lines that are not apt status', () => {
    expect(describeAptStatus('pmstatus:dpkg-exec:0.0000:Running dpkg')).to.equal(undefined)
    expect(describeAptStatus('pmstatus:jq:23.5294:Preparing jq (amd64)')).to.equal(undefined)
    expect(describeAptStatus('Setting up jq (1.6-2.1) ...')).to.equal(undefined)
  })

  it('splits a streamed stdout, lines cut across chunks, into progress and the rest', () => {
    const said: string[] = []
    const reader = new AptProgressReader((text) => said.push(text))
    reader.push('tk-apt-progress dlstatus:1:10.0:Retrieving fi')
    reader.push('le 1 of 2\nReading package lists...\ntk-apt-progress pmstatus:jq:5.0:Unpacking jq (amd64)\n')
    reader.push('Setting up jq (1.6-2.1) ...\n')
    expect(said).to.deep.equal(['fetching 1 of 2 (10%)', 'unpacking jq (5%)'])
    expect(reader.finish()).to.equal('Reading package lists...\nSetting up jq (1.6-2.1) ...')
  })
})
