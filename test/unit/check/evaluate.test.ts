import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {evaluateChecks, type CheckReport} from '../../../src/check/evaluate.js'
import type {RawCheckFacts} from '../../../src/facts/check-facts.js'
import {checkConfigFile} from '../../../src/check/index.js'
import {KernelConfig} from '../../../src/check/kernel-config.js'
import {KERNEL_CONFIGS} from '../../fixtures/kernel-configs/index.js'

const byId = (report: CheckReport, id: string) => report.checks.find((check) => check.id === id)
const ids = (report: CheckReport) => report.checks.map((check) => check.id)

/** A config built from the bookworm fixture with some flags removed and a header of our choosing. */
function edited(options: {drop?: string[]; header?: string}): KernelConfig {
  let text = readFileSync(KERNEL_CONFIGS.bookworm, 'utf8')
  for (const flag of options.drop ?? []) text = text.replace(new RegExp(`^CONFIG_${flag}=.*$`, 'm'), `# CONFIG_${flag} is not set`)
  if (options.header) text = text.replace(/^# Linux\/x86 .* Kernel Configuration$/m, options.header)
  return KernelConfig.parse(text, 'edited')
}

/** Facts of a running host, cgroup v2, everything in order; tests change what they need. */
function hostFacts(overrides: Partial<RawCheckFacts> = {}): RawCheckFacts {
  return {
    unameRelease: '6.1.0-28-amd64',
    unameMachine: 'x86_64',
    osRelease: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    configPath: '/boot/config-6.1.0-28-amd64',
    mounts: 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n',
    cgroupControllers: 'cpuset cpu io memory hugetlb pids rdma misc',
    cgroupV1: {present: []},
    memswAccounting: false,
    apparmorEnabled: 'Y',
    commands: ['apparmor_parser'],
    devices: [],
    filesystems: 'nodev\tsysfs\nnodev\toverlay\n',
    rootMaxKeys: '1000000',
    sysctls: {'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1', 'net.ipv6.conf.default.forwarding': '1'},
    cmdline: 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet',
    virtualization: [],
    ...overrides,
  }
}

describe('tk check judging real Debian kernel configs', () => {
  for (const release of ['bullseye', 'bookworm', 'trixie'] as const) {
    it(`passes ${release} amd64, with overlay2 and btrfs usable`, async () => {
      const report = await checkConfigFile(KERNEL_CONFIGS[release])
      expect(report.verdict, JSON.stringify(report.checks.filter((c) => c.status === 'fail'))).to.equal('pass')
      expect(report.mode).to.equal('config-file')
      expect(report.storageDrivers.usable).to.deep.equal(['overlay2', 'btrfs'])
      expect(byId(report, 'CONFIG_64BIT')?.state).to.equal('enabled')
      expect(byId(report, 'CONFIG_OVERLAY_FS')?.state).to.equal('module')
    })
  }

  it('fails the 32-bit bookworm 686-pae kernel on CONFIG_64BIT alone', async () => {
    const report = await checkConfigFile(KERNEL_CONFIGS.bookworm686)
    expect(report.verdict).to.equal('fail')
    const failed = report.checks.filter((check) => check.status === 'fail').map((check) => check.id)
    expect(failed).to.deep.equal(['CONFIG_64BIT'])
  })

  it('gates flags on the version in the config header, not on the running kernel', async () => {
    const bullseye = await checkConfigFile(KERNEL_CONFIGS.bullseye)
    const trixie = await checkConfigFile(KERNEL_CONFIGS.trixie)
    // MEMCG_SWAP_ENABLED is asked for up to 5.8 only; CGROUP_BPF from 4.15 on.
    expect(ids(bullseye)).to.include('CONFIG_CGROUP_BPF').and.not.include('CONFIG_MEMCG_SWAP_ENABLED')
    expect(ids(trixie)).to.include('CONFIG_CGROUP_BPF').and.not.include('CONFIG_NF_NAT_IPV4')
  })

  // Expected states read from the real configs in test/fixtures/kernel-configs
  // (grep '^CONFIG_IP_SCTP=' etc.): every Debian kernel builds them as modules.
  const NEW_UPSTREAM_FLAGS = ['IP_SCTP', 'NFT_CT', 'NFT_FIB_IPV4', 'NFT_FIB_IPV6', 'NFT_FIB', 'NFT_MASQ', 'NFT_NAT', 'NF_TABLES']
  for (const release of ['bullseye', 'bookworm', 'trixie', 'bookworm686'] as const) {
    it(`reports SCTP and the nftables flags of ${release} as optional features, as modules`, async () => {
      const report = await checkConfigFile(KERNEL_CONFIGS[release])
      for (const flag of NEW_UPSTREAM_FLAGS) {
        expect(byId(report, `CONFIG_${flag}`), flag).to.include({group: 'optional', state: 'module', status: 'pass', required: false})
      }
      // Where upstream lists them: SCTP after IP_NF_TARGET_REDIRECT, nftables after SECURITY_APPARMOR.
      const order = ids(report)
      expect(order.indexOf('CONFIG_IP_SCTP')).to.equal(order.indexOf('CONFIG_IP_NF_TARGET_REDIRECT') + 1)
      expect(order.slice(order.indexOf('CONFIG_SECURITY_APPARMOR') + 1, order.indexOf('CONFIG_SECURITY_APPARMOR') + 8)).to.deep.equal(NEW_UPSTREAM_FLAGS.slice(1).map((flag) => `CONFIG_${flag}`))
    })
  }

  it("reports MEMCG_SWAP from 5.8 as a note that never warns, and asks for both swap flags before 5.8", async () => {
    // bullseye's 5.10: upstream asks for neither (Debian's copy still asks for MEMCG_SWAP).
    const bullseye = await checkConfigFile(KERNEL_CONFIGS.bullseye)
    expect(byId(bullseye, 'CONFIG_MEMCG_SWAP')).to.include({state: 'enabled', status: 'info'})
    expect(ids(bullseye)).to.not.include('CONFIG_MEMCG_SWAP_ENABLED')
    const trixie = await checkConfigFile(KERNEL_CONFIGS.trixie)
    expect(byId(trixie, 'CONFIG_MEMCG_SWAP')).to.include({state: 'missing', status: 'info'})
    // 5.8 itself is past the gate (upstream's 2025 fix: "-le 8" became "-lt 8").
    const at58 = evaluateChecks({target: 't', config: edited({drop: ['MEMCG_SWAP'], header: '# Linux/x86 5.8.0 Kernel Configuration'})})
    expect(byId(at58, 'CONFIG_MEMCG_SWAP')).to.include({status: 'info'})
    expect(ids(at58)).to.not.include('CONFIG_MEMCG_SWAP_ENABLED')
    const at57 = evaluateChecks({target: 't', config: edited({header: '# Linux/x86 5.7.19 Kernel Configuration'})})
    expect(byId(at57, 'CONFIG_MEMCG_SWAP')).to.include({state: 'missing', status: 'warn'})
    expect(byId(at57, 'CONFIG_MEMCG_SWAP_ENABLED')).to.include({state: 'missing', status: 'warn'})
  })

  it('reports runtime checks of a config file as not applicable, and still every flag', async () => {
    const report = await checkConfigFile(KERNEL_CONFIGS.bookworm)
    for (const id of ['cgroup-hierarchy', 'apparmor', 'root-maxkeys', 'overlay-filesystem', 'zfs-device', 'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding']) {
      expect(byId(report, id)?.status, id).to.equal('n/a')
    }
    expect(report.checks.filter((check) => check.kind === 'flag').length).to.be.greaterThan(80)
  })
})

describe('tk check judging edge cases', () => {
  it('fails when no storage driver is available, where check-config.sh exits 0', () => {
    const report = evaluateChecks({target: 't', config: edited({drop: ['OVERLAY_FS', 'BTRFS_FS']})})
    expect(report.verdict).to.equal('fail')
    expect(report.storageDrivers.usable).to.deep.equal([])
    expect(byId(report, 'storage-driver')).to.include({status: 'fail', state: 'none'})
    expect(byId(report, 'storage-driver')?.detail).to.match(/legacy devicemapper/)
  })

  it('fails a 3.2 kernel and asks for the flags old kernels need', () => {
    const report = evaluateChecks({target: 't', config: edited({header: '# Linux/x86 3.2.0 Kernel Configuration'})})
    expect(byId(report, 'kernel-version')).to.include({status: 'fail', state: '3.2.0'})
    for (const id of ['CONFIG_DEVPTS_MULTIPLE_INSTANCES', 'CONFIG_NF_NAT_IPV4', 'CONFIG_NF_NAT_NEEDED', 'CONFIG_MEMCG_KMEM', 'CONFIG_RESOURCE_COUNTERS', 'CONFIG_NETPRIO_CGROUP', 'CONFIG_IOSCHED_CFQ']) {
      expect(ids(report), id).to.include(id)
    }
    expect(ids(report)).to.not.include('CONFIG_CGROUP_BPF')
    expect(ids(report)).to.not.include('CONFIG_CGROUP_NET_PRIO')
    // overlay2 needs 4.0: the flag is there but the driver is not usable.
    expect(report.storageDrivers.usable).to.not.include('overlay2')
  })

  it('warns below 4.15 but passes 3.10 on the version check', () => {
    const report = evaluateChecks({target: 't', config: edited({header: '# Linux/x86 3.10.0 Kernel Configuration'})})
    expect(byId(report, 'kernel-version')).to.include({status: 'warn'})
  })

  it('passes a cgroup v2 host with all controllers', () => {
    const config = edited({})
    const report = evaluateChecks({target: 'h', config, facts: hostFacts()})
    expect(report.cgroup).to.deep.equal({version: 2, controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc']})
    expect(byId(report, 'cgroup-hierarchy')).to.include({state: 'cgroupv2', status: 'pass'})
    expect(byId(report, 'apparmor')).to.include({status: 'pass'})
    expect(report.verdict).to.equal('pass')
  })

  it('warns on missing v2 controllers, and does not need v1-only flags under v2', () => {
    const config = edited({drop: ['CGROUP_DEVICE', 'CGROUP_FREEZER']})
    const report = evaluateChecks({target: 'h', config, facts: hostFacts({cgroupControllers: 'cpuset cpu pids'})})
    expect(byId(report, 'cgroup-hierarchy')).to.include({status: 'warn'})
    expect(byId(report, 'cgroup-hierarchy')?.detail).to.contain('io, memory')
    expect(byId(report, 'CONFIG_CGROUP_DEVICE')).to.include({state: 'missing', status: 'warn', required: false})
    expect(report.verdict).to.equal('pass')
  })

  it('needs CGROUP_BPF under cgroup v2 but v1-only flags under v1', () => {
    const config = edited({drop: ['CGROUP_BPF', 'CGROUP_DEVICE']})
    const v2 = evaluateChecks({target: 'h', config, facts: hostFacts()})
    expect(byId(v2, 'CONFIG_CGROUP_BPF')).to.include({status: 'fail'})
    expect(byId(v2, 'CONFIG_CGROUP_DEVICE')).to.include({status: 'warn'})
    const v1Mounts = 'tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n'
    const v1 = evaluateChecks({target: 'h', config, facts: hostFacts({mounts: v1Mounts, cgroupControllers: undefined, cgroupV1: {subsystemDir: '/sys/fs/cgroup/memory', present: ['memory']}})})
    expect(v1.cgroup.version).to.equal(1)
    expect(byId(v1, 'CONFIG_CGROUP_BPF')).to.include({status: 'warn'})
    expect(byId(v1, 'CONFIG_CGROUP_DEVICE')).to.include({status: 'fail'})
    expect(byId(v1, 'cgroup-hierarchy')).to.include({state: 'properly mounted', status: 'warn'})
  })

  it('fails a cgroup v1 host whose subsystems share a single mount point', () => {
    const mounts = 'cgroup /cgroup cgroup rw,cpu,memory,devices 0 0\n'
    const report = evaluateChecks({target: 'h', config: edited({}), facts: hostFacts({mounts, cgroupControllers: undefined, cgroupV1: {subsystemDir: '/cgroup', present: []}})})
    expect(byId(report, 'cgroup-hierarchy')).to.include({state: 'single mountpoint!', status: 'fail'})
  })

  it('fails when AppArmor is on but apparmor_parser is missing, with the package to install', () => {
    const report = evaluateChecks({target: 'h', config: edited({}), facts: hostFacts({commands: []})})
    expect(byId(report, 'apparmor')).to.include({status: 'fail'})
    expect(byId(report, 'apparmor')?.hint).to.contain('apt-get install apparmor')
  })

  it('fails a 32-bit running host', () => {
    const report = evaluateChecks({target: 'h', config: edited({}), facts: hostFacts({unameMachine: 'i686'})})
    expect(byId(report, 'architecture')).to.include({status: 'fail', state: 'i686'})
  })

  it('counts zfs as usable only with its device and both commands', () => {
    const withZfs = evaluateChecks({target: 'h', config: edited({drop: ['OVERLAY_FS', 'BTRFS_FS']}), facts: hostFacts({devices: ['/dev/zfs'], commands: ['apparmor_parser', 'zfs', 'zpool']})})
    expect(withZfs.storageDrivers.usable).to.deep.equal(['zfs'])
    expect(withZfs.verdict).to.equal('pass')
    const noPool = evaluateChecks({target: 'h', config: edited({drop: ['OVERLAY_FS', 'BTRFS_FS']}), facts: hostFacts({devices: ['/dev/zfs'], commands: ['apparmor_parser', 'zfs']})})
    expect(noPool.verdict).to.equal('fail')
  })

  it('hints at modprobe when overlay is a module that is not loaded', () => {
    const report = evaluateChecks({target: 'h', config: edited({}), facts: hostFacts({filesystems: 'nodev\tsysfs\n'})})
    expect(byId(report, 'overlay-filesystem')).to.include({status: 'warn', state: 'not loaded'})
    expect(byId(report, 'overlay-filesystem')?.hint).to.contain('modprobe overlay')
  })

  it('reads the forwarding sysctls on a host: 1 passes, anything else warns and says dockerd sets it, never a failure', () => {
    const on = evaluateChecks({target: 'h', config: edited({}), facts: hostFacts()})
    for (const id of ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding']) {
      expect(byId(on, id)).to.include({group: 'network', feature: 'bridge', kind: 'system', state: 'enabled', status: 'pass', required: false})
    }
    // A fresh host: no engine yet, so forwarding is off, and IPv6 is disabled outright.
    const fresh = evaluateChecks({target: 'h', config: edited({}), facts: hostFacts({sysctls: {'net.ipv4.ip_forward': '0'}})})
    expect(byId(fresh, 'net.ipv4.ip_forward')).to.include({state: 'disabled', status: 'warn', required: false})
    expect(byId(fresh, 'net.ipv4.ip_forward')?.detail).to.match(/dockerd turns it on/)
    expect(byId(fresh, 'net.ipv6.conf.all.forwarding')).to.include({state: 'unreadable', status: 'warn'})
    expect(fresh.verdict).to.equal('pass')
    expect(fresh.checks.filter((check) => check.id.startsWith('net.')).map((check) => check.status)).to.not.include('fail')
  })

  it('warns about a low root_maxkeys with the sysctl that fixes it', () => {
    const report = evaluateChecks({target: 'h', config: edited({}), facts: hostFacts({rootMaxKeys: '200'})})
    expect(byId(report, 'root-maxkeys')).to.include({status: 'warn', state: '200'})
    expect(byId(report, 'root-maxkeys')?.hint).to.contain('root_maxkeys=1000000')
  })

  it('warns when the config read belongs to another kernel than the running one', () => {
    const report = evaluateChecks({target: 'h', config: edited({}), facts: hostFacts({unameRelease: '6.12.1-amd64'})})
    expect(byId(report, 'kernel-config-version')).to.include({status: 'warn'})
  })

  it('names the RHEL 7 boot option user namespaces need', () => {
    const osRelease = 'ID="centos"\nVERSION_ID="7"\n'
    const report = evaluateChecks({target: 'h', config: edited({}), facts: hostFacts({osRelease})})
    expect(byId(report, 'userns-boot-option')?.hint).to.contain('user_namespace.enable=1')
  })
})

describe('the service manager a host runs', () => {
  it('passes under systemd, warns (never fails) without it, and is not asked of a config file', () => {
    const config = edited({})
    expect(evaluateChecks({target: 'h', config, facts: hostFacts({init: 'systemd'})}).checks.find((check) => check.id === 'init')?.status).to.equal('pass')
    const without = evaluateChecks({target: 'h', config, facts: hostFacts({init: 'sshd'})})
    const init = without.checks.find((check) => check.id === 'init')
    expect(init?.status).to.equal('warn')
    expect(init?.state).to.equal('sshd (not systemd)')
    expect(init?.detail).to.match(/systemd service/)
    expect(without.verdict).to.equal('pass')
    expect(evaluateChecks({target: 'file', config}).checks.some((check) => check.id === 'init')).to.equal(false)
  })
})
