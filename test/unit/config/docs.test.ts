import {expect} from 'chai'
import {readFileSync} from 'node:fs'

const docs = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8')
const daemonDocs = readFileSync(new URL('../../../docs/daemon-config.md', import.meta.url), 'utf8')
const schema = JSON.parse(readFileSync(new URL('../../../schemas/tk.schema.json', import.meta.url), 'utf8'))

/** Every property name anywhere in the schema. */
function keys(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) keys(item, out)
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>
    const properties = (record.properties ?? {}) as Record<string, unknown>
    for (const key of Object.keys(properties)) out.add(key)
    // daemon.json's own keys are dockerd's, listed in docs/daemon-config.md.
    for (const [key, value] of Object.entries(record)) {
      if (key !== 'properties') keys(value, out)
      else for (const [name, property] of Object.entries(properties)) if (name !== 'daemon') keys(property, out)
    }
  }
  return out
}

describe('docs/config.md', () => {
  it('describes every key of the schema', () => {
    const missing = [...keys(schema)].filter((key) => !docs.includes(`\`${key}\``) && !docs.includes(`\`container.${key}\``))
    expect(missing).to.deep.equal([])
  })

  it('leaves daemon.json keys to docs/daemon-config.md, which lists every one', () => {
    const daemon = (schema.definitions.engine?.properties?.daemon ?? {}) as {properties?: object}
    const daemonKeys = Object.keys(daemon.properties ?? {})
    expect(daemonKeys).to.include('log-driver')
    expect(daemonKeys.filter((key) => !daemonDocs.includes(`| \`${key}\` |`))).to.deep.equal([])
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
