import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import type {HostFacts} from '../../../src/facts/host-facts.js'
import {DEFAULT_DESIRED} from '../../../src/provision/desired-engine.js'
import {planProvision} from '../../../src/provision/plan.js'
import {KERNEL_CONFIGS} from '../../fixtures/kernel-configs/index.js'

/**
 * A fresh Debian 12 host with no engine: forwarding is off (nothing has turned
 * it on yet) and IPv6 is disabled. Real hosts show these states only by
 * chance, so the facts are written out here.
 */
function freshHost(): HostFacts {
  return {
    check: {
      unameRelease: '6.1.0-50-amd64',
      unameMachine: 'x86_64',
      osRelease: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
      configPath: '/boot/config-6.1.0-50-amd64',
      configBytes: readFileSync(KERNEL_CONFIGS.bookworm),
      mounts: 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n',
      cgroupControllers: 'cpuset cpu io memory hugetlb pids rdma misc',
      cgroupV1: {present: []},
      memswAccounting: false,
      apparmorEnabled: 'Y',
      commands: ['apparmor_parser'],
      devices: [],
      filesystems: 'nodev\toverlay\n',
      rootMaxKeys: '1000000',
      sysctls: {'net.ipv4.ip_forward': '0'},
      cmdline: '',
      virtualization: [],
    },
    os: {id: 'debian', idLike: [], versionId: '12', codename: 'bookworm'},
    arch: 'x86_64',
    user: {name: 'admin', uid: 1000},
    init: 'systemd',
    packageManager: 'apt-get',
    engine: {packages: {}, binaries: {}, cliPlugins: [], service: {active: false, enabled: false, socketActive: false}, daemon: {canValidate: false}},
    users: {},
    loadedModules: [],
  }
}

describe('tk provision and the forwarding sysctls', () => {
  it('provisions a host whose forwarding is off before the engine exists, with the sysctls among the warnings', () => {
    const plan = planProvision('fresh', freshHost(), DEFAULT_DESIRED)
    expect(plan.steps[0]).to.include({id: 'check', action: 'ok'})
    const forwarding = plan.check!.checks.filter((check) => check.feature === 'bridge')
    expect(forwarding.map((check) => `${check.id}=${check.state}/${check.status}`)).to.deep.equal([
      'net.ipv4.ip_forward=disabled/warn',
      'net.ipv6.conf.all.forwarding=unreadable/warn',
      'net.ipv6.conf.default.forwarding=unreadable/warn',
    ])
    expect(plan.steps.find((step) => step.id === 'install')?.action).to.equal('change')
  })
})
