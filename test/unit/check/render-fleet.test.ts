/** tk check on several hosts, as a person reads it: shared warnings once, each host's own problems, one row a host. */
import {expect} from 'chai'

import type {CheckReport, CheckResult} from '../../../src/check/index.js'
import type {HostOutcome} from '../../../src/fleet/runner.js'
import {renderFleetCheck} from '../../../src/render/check.js'
import {makeStyle} from '../../../src/render/style.js'

const plain = makeStyle(false)

const flag = (id: string, status: CheckResult['status'], feature?: string): CheckResult => ({
  id,
  group: status === 'fail' ? 'necessary' : 'optional',
  feature,
  kind: 'flag',
  state: status === 'pass' ? 'enabled' : 'missing',
  status,
  required: status === 'fail',
  hint: status === 'pass' ? undefined : `rebuild the kernel with ${id}=y`,
})

const report = (target: string, checks: CheckResult[]): CheckReport => ({
  target,
  mode: 'host',
  kernel: {version: '6.1.0', configSource: '/boot/config-6.1.0'},
  cgroup: {version: 2, controllers: []},
  checks,
  storageDrivers: {usable: ['overlay2'], legacy: []},
  verdict: checks.some((check) => check.status === 'fail') ? 'fail' : 'pass',
  summary: {
    passed: checks.filter((check) => check.status === 'pass').length,
    warnings: checks.filter((check) => check.status === 'warn').length,
    failed: checks.filter((check) => check.status === 'fail').length,
  },
})

const ok = (value: CheckReport): HostOutcome<CheckReport> => ({target: value.target, status: 'ok', value, durationMs: 1200})

describe('tk check on several hosts', () => {
  const shared = [flag('CONFIG_NAMESPACES', 'pass'), flag('CONFIG_IP_VS', 'warn', 'IPVS'), flag('CONFIG_BTRFS_FS', 'warn', 'btrfs')]
  const outcomes = [
    ok(report('web-1', shared)),
    ok(report('web-2', [...shared, flag('CONFIG_VXLAN', 'warn', 'overlay network')])),
    ok(report('db-1', [...shared, flag('CONFIG_CGROUPS', 'fail')])),
    {target: 'db-2', status: 'failed', error: {message: 'db-2: connection refused', exitCode: 5}, cause: undefined, durationMs: 30} as HostOutcome<CheckReport>,
  ]

  it('tells the warnings every host shares once, then each host\'s failures and own warnings, then the table', () => {
    const text = renderFleetCheck(outcomes, plain)
    expect(text.match(/warn CONFIG_IP_VS/g)).to.have.length(1)
    expect(text).to.contain('Warnings on all 3 hosts:\n  warn CONFIG_IP_VS: missing (for IPVS)')
    expect(text).to.contain('web-2:\n  warn CONFIG_VXLAN: missing (for overlay network)')
    expect(text).to.contain('db-1: not ready\n  FAIL CONFIG_CGROUPS: missing')
    expect(text).not.to.match(/^web-1:/m)
    expect(text).not.to.contain('CONFIG_NAMESPACES')
    expect(text).to.contain('db-2: connection refused')
    expect(text).to.match(/^HOST +RESULT +KERNEL/m)
    expect(text).to.contain("(each host's whole report: tk check --verbose)")
  })

  it('prints every report whole with verbose', () => {
    const text = renderFleetCheck(outcomes, plain, {verbose: true})
    expect(text.match(/^Checking /gm)).to.have.length(3)
    expect(text.match(/CONFIG_NAMESPACES/g)).to.have.length(3)
  })

  it('prints one host\'s whole report, without a table', () => {
    const text = renderFleetCheck([outcomes[0]], plain)
    expect(text).to.contain('CONFIG_NAMESPACES')
    expect(text).not.to.match(/^HOST +RESULT/m)
  })
})
