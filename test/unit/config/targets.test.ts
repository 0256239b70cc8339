import {expect} from 'chai'

import {ExitCode} from '../../../src/errors/exit-codes.js'
import {loadConfigFile, parseConfig, type TkConfig} from '../../../src/config/index.js'
import {UserError} from '../../../src/errors/index.js'
import {allTargets, looksLikeName, resolveTargets} from '../../../src/targets/index.js'
import {CONFIG_FIXTURES, FULL_ENV} from '../../fixtures/config/index.js'

describe('targets: command-line names -> hosts', () => {
  let config: TkConfig
  before(async () => (config = await loadConfigFile(CONFIG_FIXTURES.full, {env: FULL_ENV})))

  const names = (args: string[]) => resolveTargets(config, args).map((target) => target.name)

  it('a host name gives that host as tk.yml describes it', () => {
    const [db1] = resolveTargets(config, ['db1'])
    expect(db1).to.deep.include({
      name: 'db1',
      raw: false,
      address: 'prod-db',
      user: 'admin',
      port: 22,
      identityFile: '~/.ssh/db_ed25519',
      groups: ['db', 'eu'],
      provider: 'ssh',
      sshOptions: {hostKeyPolicy: 'strict', connectTimeout: 5},
    })
    expect(db1.host?.engine.compose).to.equal(false)
  })

  it('@group and the bare group name select the group\'s hosts in file order', () => {
    expect(names(['@web'])).to.deep.equal(['web1', 'web2'])
    expect(names(['eu'])).to.deep.equal(['web1', 'db1'])
  })

  it('@all selects every host', () => {
    expect(names(['@all'])).to.deep.equal(['web1', 'web2', 'db1', 'lab1'])
    expect(allTargets(config).map((target) => target.name)).to.deep.equal(['web1', 'web2', 'db1', 'lab1'])
  })

  it('keeps the order given and each host once', () => {
    expect(names(['db1', '@web', 'web1', '@eu', 'db1'])).to.deep.equal(['db1', 'web1', 'web2'])
  })

  it('passes raw targets through unchanged, with the file\'s SSH settings', () => {
    const targets = resolveTargets(config, ['root@192.0.2.9:2222', '[2001:db8::1]:22', 'box.example.org', 'ops@alias', 'root@192.0.2.9:2222'])
    expect(targets.map((target) => [target.name, target.raw, target.address])).to.deep.equal([
      ['root@192.0.2.9:2222', true, 'root@192.0.2.9:2222'],
      ['[2001:db8::1]:22', true, '[2001:db8::1]:22'],
      ['box.example.org', true, 'box.example.org'],
      ['ops@alias', true, 'ops@alias'],
    ])
    expect(targets[0]).to.deep.include({groups: [], provider: 'ssh', sshOptions: {hostKeyPolicy: 'strict', connectTimeout: 5}})
    expect(targets[0].host).to.equal(undefined)
  })

  it('mixes names, groups and raw targets', () => {
    expect(names(['@db', 'ops@192.0.2.1', 'lab1'])).to.deep.equal(['db1', 'ops@192.0.2.1', 'lab1'])
  })

  it('gives sandbox hosts their release', () => {
    expect(resolveTargets(config, ['lab1'])[0]).to.deep.include({provider: 'sandbox', release: 'trixie', address: 'lab1'})
  })

  function refusal(args: string[], from: TkConfig | null = config): UserError {
    try {
      resolveTargets(from ?? undefined, args)
    } catch (error) {
      expect(error).to.be.instanceOf(UserError)
      expect((error as UserError).exitCode).to.equal(ExitCode.INPUT)
      return error as UserError
    }
    throw new Error('expected a refusal')
  }

  it('refuses an unknown bare name, listing the known hosts and groups, with a did-you-mean', () => {
    const error = refusal(['wbe1'])
    expect(error.message).to.equal(`unknown host or group "wbe1" in ${config.displayName} (hosts: web1, web2, db1, lab1; groups: @web, @eu, @db, @lab)`)
    expect(error.hint).to.equal('did you mean "web1"?')
    expect(refusal(['zzz']).hint).to.equal('use a name from tk.yml, or user@host for a machine not in it')
  })

  it('refuses an unknown group', () => {
    const error = refusal(['@webb'])
    expect(error.message).to.match(/^unknown group "@webb" in /)
    expect(error.hint).to.equal('did you mean "@web"?')
  })

  it('shortens the list of known names for a large fleet', async () => {
    const big = await parseConfig(`hosts:\n${Array.from({length: 30}, (_, index) => `  - name: h${index}\n`).join('')}`, {file: '/f/tk.yml', displayName: 'tk.yml', env: {}})
    expect(refusal(['nope'], big).message).to.match(/hosts: h0, h1, .*, h11 and 18 more; groups: none\)$/)
  })

  it('without a tk.yml every argument is raw, and a group is an error', () => {
    expect(resolveTargets(undefined, ['myalias', 'root@h:2']).map((target) => [target.name, target.raw])).to.deep.equal([
      ['myalias', true],
      ['root@h:2', true],
    ])
    expect(refusal(['@web'], null).message).to.equal('"@web" names a group, but there is no tk.yml here or above')
  })

  it('tells names from addresses', () => {
    expect(['web1', 'db_2', 'prod-db'].every(looksLikeName)).to.equal(true)
    expect(['a.b', 'u@h', 'h:22', '[::1]', ''].some(looksLikeName)).to.equal(false)
  })
})
