import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {EXT3_FLAGS, FLAGS} from '../../../src/check/flags.js'

describe('docs/check.md', () => {
  it('documents every kernel flag tk checks', () => {
    const docs = readFileSync(new URL('../../../docs/check.md', import.meta.url), 'utf8')
    const undocumented = [...FLAGS, ...EXT3_FLAGS].filter((spec) => !docs.includes(`\`CONFIG_${spec.flag}\``)).map((spec) => spec.flag)
    expect(undocumented).to.deep.equal([])
  })
})
