/**
 * tk validates tk.yml with Ajv, compiled ahead of time from
 * schemas/tk.schema.json into src/config/schema-validator.generated.ts, so a
 * command that reads tk.yml does not pay for loading Ajv and compiling the
 * schema on every run (a few hundred ms). This test keeps the two in step:
 * after editing the schema, run
 *   TK_UPDATE_VALIDATOR=1 npx mocha test/unit/config/schema-validator.test.ts
 */
import {expect} from 'chai'
import {readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {Ajv} from 'ajv'
import standalone from 'ajv/dist/standalone/index.js'

const SCHEMA = new URL('../../../schemas/tk.schema.json', import.meta.url)
const GENERATED = fileURLToPath(new URL('../../../src/config/schema-validator.generated.ts', import.meta.url))

/** The Ajv options tk validates with; the generated module is compiled with exactly these. */
export function generateValidator(): string {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    strictTypes: false,
    allowUnionTypes: true,
    code: {source: true, esm: true, lines: true},
  })
  // VS Code's and yaml-language-server's keyword for a readable pattern error; tk's messages use it too.
  ajv.addKeyword({keyword: 'patternErrorMessage', schemaType: 'string'})
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')))
  const code = (standalone as unknown as {default: (ajv: Ajv, validate: unknown) => string}).default(ajv, validate)
  return [
    '// @ts-nocheck',
    '/* eslint-disable */',
    '// GENERATED from schemas/tk.schema.json by test/unit/config/schema-validator.test.ts; do not edit.',
    '// Regenerate: TK_UPDATE_VALIDATOR=1 npx mocha test/unit/config/schema-validator.test.ts',
    "import {createRequire} from 'node:module'",
    'const require = createRequire(import.meta.url)',
    code.replace(/^"use strict";/, ''),
    '',
  ].join('\n')
}

describe('tk.yml schema: the precompiled validator', () => {
  it('is generated from the current schemas/tk.schema.json', () => {
    const expected = generateValidator()
    if (process.env.TK_UPDATE_VALIDATOR === '1') writeFileSync(GENERATED, expected)
    expect(readFileSync(GENERATED, 'utf8') === expected, 'src/config/schema-validator.generated.ts is stale: regenerate it (see this file\'s header)').to.equal(true)
  })
})
