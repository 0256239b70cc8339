import {expect} from 'chai'
import {readFileSync} from 'node:fs'

const docs = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8')
const schema = JSON.parse(readFileSync(new URL('../../../schemas/tk.schema.json', import.meta.url), 'utf8'))

/** Every property name anywhere in the schema. */
function keys(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) keys(item, out)
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>
    if (record.properties && typeof record.properties === 'object') for (const key of Object.keys(record.properties)) out.add(key)
    for (const value of Object.values(record)) keys(value, out)
  }
  return out
}

describe('docs/config.md', () => {
  it('describes every key of the schema', () => {
    const missing = [...keys(schema)].filter((key) => !docs.includes(`\`${key}\``) && !docs.includes(`\`container.${key}\``))
    expect(missing).to.deep.equal([])
  })

  it('lists every enum value the schema allows', () => {
    const values = new Set<string>()
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk)
      else if (node && typeof node === 'object') {
        const record = node as Record<string, unknown>
        if (Array.isArray(record.enum)) for (const value of record.enum) values.add(String(value))
        Object.values(record).forEach(walk)
      }
    }
    walk(schema)
    expect([...values].filter((value) => !docs.includes(`\`${value}\``))).to.deep.equal([])
  })
})
