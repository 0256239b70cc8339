/** Which names tk takes as users on a host (--docker-user, tk.yml's engine.users): the flag and the schema agree. */
import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {ACCOUNT_NAME, ACCOUNT_NAME_MAX, accountNameProblem} from '../../../src/config/account-name.js'
import {SCHEMA_FILE_URL} from '../../../src/config/schema-file.js'

describe('user names on hosts', () => {
  it('takes the names Debian gives users', () => {
    for (const name of ['deploy', 'ci-runner', '_svc', 'ann.lee', 'build01', 'host$', 'a'.repeat(32)]) expect(accountNameProblem(name), name).to.equal(undefined)
  })

  it('refuses what cannot be a user: shell syntax, spaces, upper case, a leading digit or dash, over 32 characters', () => {
    for (const name of ['bob;touch /tmp/x', 'bob touch', '$(id)', 'a`b`', 'Bob', '1bob', '-bob', '.bob', 'bo$b', '', 'a'.repeat(33), "o'neil"]) {
      expect(accountNameProblem(name), name).to.be.a('string')
    }
  })

  it('is the rule of tk.yml schema', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE_URL, 'utf8'))
    expect(schema.definitions.accountName.pattern).to.equal(ACCOUNT_NAME.source.replace('\\$?', '[$]?'))
    expect(schema.definitions.accountName.maxLength).to.equal(ACCOUNT_NAME_MAX)
    expect(schema.definitions.engine.properties.users.items).to.deep.equal({$ref: '#/definitions/accountName'})
  })
})
