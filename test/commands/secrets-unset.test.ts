/**
 * Commands that only reach hosts run without the secrets of provisioners and
 * daemon options set; commands that apply tk.yml refuse them as before.
 * (The host is a port nothing listens on: reaching it fails as a connection, exit 5, not on the variable.)
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'

describe('tk.yml secrets a command does not use', function () {
  this.timeout(60_000)
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tk-secrets-unset-'))
    writeFileSync(
      join(dir, 'tk.yml'),
      [
        'hosts:',
        '  - {name: a, address: 127.0.0.1, port: 1, user: admin}',
        'engine:',
        '  daemon: {proxies: {http-proxy: "http://u:${TK_TEST_PROXY_PW}@proxy:3128"}}',
        'provisioners:',
        '  - {name: x, type: shell, inline: echo, env: {TOKEN: "${TK_TEST_SECRET}"}}',
        '',
      ].join('\n'),
    )
  })
  after(() => rmSync(dir, {recursive: true, force: true}))
  const env = {TK_CONFIG: '', TK_TEST_PROXY_PW: '', TK_TEST_SECRET: '', SSH_AUTH_SOCK: ''}

  for (const argv of [['status'], ['exec', 'a', '--', 'true'], ['check', 'a']]) {
    it(`tk ${argv.join(' ')} reaches for the host (exit 5) instead of stopping on the unset variables`, async () => {
      const {code, stdout, stderr} = await runTk(argv, {cwd: dir, env})
      expect(code, stderr).to.equal(5)
      expect(stdout + stderr).to.contain('refused')
      expect(stdout + stderr).not.to.contain('not set')
    })
  }

  for (const argv of [['up', '--dry-run'], ['provision', 'a', '--dry-run'], ['config', 'validate']]) {
    it(`tk ${argv.join(' ')}, which applies or checks tk.yml, refuses them in one line (exit 4)`, async () => {
      const {code, stderr} = await runTk(argv, {cwd: dir, env})
      expect(code, stderr).to.equal(4)
      expect(stderr.trimEnd().split('\n')).to.have.length(1)
      expect(stderr).to.match(/environment variable TK_TEST_(PROXY_PW|SECRET) is (not set|empty)/)
    })
  }
})
