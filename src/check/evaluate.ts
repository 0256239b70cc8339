/**
 * Judges a kernel config and a host's facts: a pure function from facts to a
 * CheckReport. The same code judges the local machine, a remote host and a
 * bare config file; only the facts differ.
 */
import {EXT3_FLAGS, FLAGS, type CheckGroup, type FlagSpec} from './flags.js'
import {compareKernel, parseKernelVersion, type FlagState, type KernelConfig, type KernelVersion} from './kernel-config.js'
import {FORWARDING_SYSCTLS, parseOsRelease, type RawCheckFacts} from '../facts/check-facts.js'
import type {EngineSource} from '../facts/engine-source.js'

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'info' | 'n/a'

export interface CheckResult {
  /** CONFIG_<FLAG> for kernel flags, a short name for the rest. */
  id: string
  group: CheckGroup
  feature?: string
  kind: 'flag' | 'system'
  /** Flags: enabled, module or missing. Other checks: a word for what was found. */
  state: string
  status: CheckStatus
  /** Whether a failure here makes the verdict fail. */
  required: boolean
  detail?: string
  hint?: string
}

export type StorageDriver = 'overlay2' | 'btrfs' | 'zfs' | 'aufs' | 'devicemapper'
/** Drivers current engines still ship; aufs and devicemapper are gone from them. */
export const CURRENT_STORAGE_DRIVERS: StorageDriver[] = ['overlay2', 'btrfs', 'zfs']

export interface CheckReport {
  /** What was checked: "local", a host, or the config file. */
  target: string
  mode: 'host' | 'config-file'
  kernel: {version: string; release?: string; arch?: string; configSource: string}
  os?: {id?: string; versionId?: string; name?: string}
  virtualization?: string
  /** How the host's engine was installed, when it is: the method and, for docker, the repository. */
  engine?: EngineSource
  cgroup: {version: 1 | 2 | null; controllers: string[]}
  checks: CheckResult[]
  storageDrivers: {usable: StorageDriver[]; legacy: StorageDriver[]}
  verdict: 'pass' | 'fail'
  summary: {passed: number; warnings: number; failed: number}
}

const SIXTY_FOUR_BIT = new Set(['x86_64', 'amd64', 'aarch64', 'arm64', 'ppc64', 'ppc64le', 's390x', 'riscv64', 'loongarch64', 'mips64', 'sparc64'])
const V2_CONTROLLERS = ['cpu', 'cpuset', 'io', 'memory', 'pids']
const NOT_APPLICABLE = 'not applicable to a config file: no running system behind it'

export interface CheckInput {
  target: string
  config: KernelConfig
  /** The running system's facts; undefined when judging a config file alone. */
  facts?: RawCheckFacts
}

function cgroupVersion(mounts: string): 1 | 2 | null {
  let seen: 1 | 2 | null = null
  for (const line of mounts.split('\n')) {
    const [, mountPoint, fsType] = line.split(' ')
    if (mountPoint === '/sys/fs/cgroup') return fsType === 'cgroup2' ? 2 : 1
    if (fsType === 'cgroup') seen = 1
  }
  return seen
}

function flagHint(spec: FlagSpec): string {
  return `rebuild the kernel with CONFIG_${spec.flag}=y or =m, or boot your distribution's stock kernel`
}

export function evaluateChecks(input: CheckInput): CheckReport {
  const {config, facts} = input
  const mode = facts ? 'host' : 'config-file'
  const checks: CheckResult[] = []
  const add = (result: CheckResult) => checks.push(result)

  // The version that gates flags: the running kernel's, or the config header's.
  const version: KernelVersion | undefined = facts ? runningVersion(facts.unameRelease) : config.headerVersion
  if (!version) throw new Error('evaluateChecks needs a kernel version: the caller must refuse a config without a header')
  const cgroup = facts ? cgroupVersion(facts.mounts) : null
  const controllers = facts?.cgroupControllers?.trim().split(/\s+/).filter(Boolean) ?? []

  // --- Kernel
  const tooOld = compareKernel(version, 3, 8) < 0
  add({
    id: 'kernel-version',
    group: 'kernel',
    kind: 'system',
    state: version.text,
    status: tooOld ? 'fail' : compareKernel(version, 4, 15) < 0 ? 'warn' : 'pass',
    required: true,
    detail: tooOld
      ? 'Docker needs kernel 3.8 or newer'
      : compareKernel(version, 4, 0) < 0
        ? 'runs, but overlay2 wants 4.0 and cgroup v2 wants 4.15'
        : compareKernel(version, 4, 15) < 0
          ? 'runs, but cgroup v2 wants 4.15 or newer'
          : undefined,
    hint: tooOld ? 'upgrade the kernel to a supported release (4.15 or newer is recommended)' : undefined,
  })
  if (facts && config.headerVersion && compareKernel(config.headerVersion, version.major, version.minor) !== 0) {
    add({
      id: 'kernel-config-version',
      group: 'kernel',
      kind: 'system',
      state: config.headerVersion.text,
      status: 'warn',
      required: false,
      detail: `the config read (${config.source}) is for ${config.headerVersion.text}, but ${version.text} is running`,
      hint: 'pass the running kernel\'s config with --kernel-config',
    })
  }
  if (facts) {
    const is64 = SIXTY_FOUR_BIT.has(facts.unameMachine)
    add({
      id: 'architecture',
      group: 'kernel',
      kind: 'system',
      state: facts.unameMachine,
      status: is64 ? 'pass' : 'fail',
      required: true,
      detail: is64 ? '64-bit' : 'Docker runs on 64-bit hosts only',
      hint: is64 ? undefined : 'reinstall the host with a 64-bit (amd64, arm64) system',
    })
  }

  const flagCheck = (spec: FlagSpec, extra: Partial<CheckResult> = {}): CheckResult => {
    const state: FlagState = config.state(spec.flag)
    const required =
      spec.severity === 'required' ||
      (spec.severity === 'required-v1' && cgroup !== 2) ||
      (spec.severity === 'required-v2' && cgroup !== 1)
    const status: CheckStatus = state !== 'missing' ? 'pass' : required ? 'fail' : 'warn'
    let detail = state === 'missing' ? spec.why : undefined
    if (state === 'missing' && (spec.severity === 'required-v1' || spec.severity === 'required-v2')) {
      const needed = spec.severity === 'required-v1' ? 1 : 2
      detail = `${spec.why} (needed under cgroup v${needed}${cgroup === null ? '' : `; this host runs v${cgroup}`})`
    }
    return {
      id: `CONFIG_${spec.flag}`,
      group: spec.group,
      feature: spec.feature,
      kind: 'flag',
      state,
      status,
      required,
      detail,
      hint: status === 'fail' ? flagHint(spec) : undefined,
      ...extra,
    }
  }

  const applicable = (spec: FlagSpec) => !spec.applies || spec.applies(version)
  const byFlag = new Map(FLAGS.map((spec) => [spec.flag, spec]))
  const specs = (group: CheckGroup) => FLAGS.filter((spec) => spec.group === group && applicable(spec))

  for (const spec of specs('kernel')) add(flagCheck(spec, spec.flag === '64BIT' && config.state('64BIT') === 'missing' ? {hint: 'use a 64-bit kernel'} : {}))

  // --- Generally necessary
  if (facts) {
    add(cgroupHierarchyCheck(facts, cgroup, controllers))
    if (facts.apparmorEnabled === 'Y') {
      const parser = facts.commands.includes('apparmor_parser')
      add({
        id: 'apparmor',
        group: 'necessary',
        kind: 'system',
        state: parser ? 'enabled and tools installed' : 'enabled, but apparmor_parser missing',
        status: parser ? 'pass' : 'fail',
        required: true,
        detail: parser ? undefined : 'dockerd cannot load its AppArmor profile without apparmor_parser',
        hint: parser ? undefined : 'install the apparmor package (apt-get install apparmor)',
      })
    }
    if (facts.init) {
      const systemd = facts.init === 'systemd'
      add({
        id: 'init',
        group: 'necessary',
        kind: 'system',
        state: systemd ? 'systemd' : `${facts.init} (not systemd)`,
        status: systemd ? 'pass' : 'warn',
        required: false,
        detail: systemd ? undefined : 'tk provision and tk up run the engine as a systemd service: not on this host (PID 1 is not systemd)',
        hint: systemd ? undefined : 'boot the host with systemd to have tk install and manage its engine',
      })
    }
  } else {
    add({id: 'cgroup-hierarchy', group: 'necessary', kind: 'system', state: 'n/a', status: 'n/a', required: false, detail: NOT_APPLICABLE})
    add({id: 'apparmor', group: 'necessary', kind: 'system', state: 'n/a', status: 'n/a', required: false, detail: NOT_APPLICABLE})
  }
  for (const spec of specs('necessary')) add(flagCheck(spec))

  // --- Optional features
  const os = facts ? parseOsRelease(facts.osRelease) : {}
  for (const spec of specs('optional')) {
    if (spec.flag === 'EXT4_FS' && !config.isSet('EXT4_USE_FOR_EXT2')) for (const ext3 of EXT3_FLAGS) add(flagCheck(ext3))
    const result = flagCheck(spec)
    if (spec.flag === 'MEMCG_SWAP_ENABLED') {
      if (facts?.memswAccounting) {
        result.status = 'pass'
        result.detail = 'cgroup swap accounting is currently enabled'
        result.hint = undefined
      } else if (config.isSet('MEMCG_SWAP') && !config.isSet('MEMCG_SWAP_ENABLED')) {
        result.hint = 'enable swap accounting with the boot option swapaccount=1'
      }
    }
    add(result)
    // Where upstream prints its swap note from 5.8: right after CGROUP_PIDS.
    if (spec.flag === 'CGROUP_PIDS' && !applicable(byFlag.get('MEMCG_SWAP')!)) add(swapAccountingNote(config))
    if (spec.flag === 'USER_NS') {
      const rhel7 = /^(centos|rhel)$/.test(os.ID ?? '') && /^7/.test(os.VERSION_ID ?? '')
      if (rhel7 && facts && !facts.cmdline?.includes('user_namespace.enable=1')) {
        add({
          id: 'userns-boot-option',
          group: 'optional',
          kind: 'system',
          state: 'disabled',
          status: 'warn',
          required: false,
          detail: 'RHEL/CentOS 7 keeps user namespaces off unless booted with user_namespace.enable=1',
          hint: 'add user_namespace.enable=1 to the kernel command line and reboot',
        })
      }
    }
  }
  add(vsyscallCheck(config))

  // --- Network drivers
  checks.push(...forwardingChecks(facts))
  for (const spec of specs('network')) add(flagCheck(spec))

  // --- Storage drivers
  const storage = storageChecks(config, facts, version, byFlag, flagCheck)
  checks.push(...storage.checks)

  // --- Limits
  if (facts) {
    const maxKeys = Number(facts.rootMaxKeys)
    const known = facts.rootMaxKeys !== undefined && Number.isFinite(maxKeys)
    add({
      id: 'root-maxkeys',
      group: 'limits',
      kind: 'system',
      state: known ? String(maxKeys) : 'unknown',
      status: known && maxKeys > 10_000 ? 'pass' : 'warn',
      required: false,
      detail: known && maxKeys > 10_000 ? '/proc/sys/kernel/keys/root_maxkeys' : 'each container takes a key: a low limit caps how many containers can run',
      hint: known && maxKeys > 10_000 ? undefined : 'raise it: sysctl -w kernel.keys.root_maxkeys=1000000, and persist it in /etc/sysctl.d/',
    })
  } else {
    add({id: 'root-maxkeys', group: 'limits', kind: 'system', state: 'n/a', status: 'n/a', required: false, detail: NOT_APPLICABLE})
  }

  const failed = checks.filter((check) => check.status === 'fail').length
  return {
    target: input.target,
    mode,
    kernel: {
      version: version.text,
      release: facts?.unameRelease,
      arch: facts?.unameMachine ?? config.headerArch,
      configSource: config.source,
    },
    os: facts ? {id: os.ID, versionId: os.VERSION_ID, name: os.PRETTY_NAME} : undefined,
    virtualization: facts ? describeVirtualization(facts.virtualization) : undefined,
    ...(facts?.engineSource?.method ? {engine: facts.engineSource} : {}),
    cgroup: {version: cgroup, controllers},
    checks,
    storageDrivers: storage.drivers,
    verdict: failed === 0 ? 'pass' : 'fail',
    summary: {
      passed: checks.filter((check) => check.status === 'pass').length,
      warnings: checks.filter((check) => check.status === 'warn').length,
      failed,
    },
  }
}

function runningVersion(release: string): KernelVersion {
  const version = parseKernelVersion(release)
  if (!version) throw new Error(`cannot read a kernel version from uname -r output "${release}"`)
  return version
}

function describeVirtualization(hints: string[]): string | undefined {
  const container = hints.find((hint) => hint.startsWith('container='))
  if (container) return `container (${container.slice('container='.length)}): the kernel checked is the host's`
  if (hints.includes('vm=yes')) return 'virtual machine'
  return undefined
}

function cgroupHierarchyCheck(facts: RawCheckFacts, version: 1 | 2 | null, controllers: string[]): CheckResult {
  const base = {id: 'cgroup-hierarchy', group: 'necessary' as const, kind: 'system' as const, required: true}
  if (version === 2) {
    if (facts.cgroupControllers === undefined) {
      return {...base, state: 'cgroupv2, no cgroup.controllers', status: 'fail', detail: '/sys/fs/cgroup/cgroup.controllers is missing'}
    }
    const missing = V2_CONTROLLERS.filter((name) => !controllers.includes(name))
    return {
      ...base,
      state: 'cgroupv2',
      status: missing.length === 0 ? 'pass' : 'warn',
      detail: missing.length === 0 ? `controllers: ${V2_CONTROLLERS.join(', ')}` : `controllers missing: ${missing.join(', ')} (their limits will not work)`,
    }
  }
  const {subsystemDir, present} = facts.cgroupV1
  if (subsystemDir && present.length > 0) {
    const dir = subsystemDir.slice(0, subsystemDir.lastIndexOf('/')) || '/'
    return {
      ...base,
      state: 'properly mounted',
      status: 'warn',
      required: true,
      detail: `cgroup v1 at ${dir}; Docker has deprecated cgroup v1`,
      hint: 'boot with systemd.unified_cgroup_hierarchy=1 to move to cgroup v2',
    }
  }
  return {
    ...base,
    state: subsystemDir ? 'single mountpoint!' : 'nonexistent',
    status: 'fail',
    detail: subsystemDir ? `all subsystems share one mount at ${subsystemDir}` : 'no cgroup hierarchy is mounted',
    hint: 'mount the cgroup hierarchies (systemd does this at boot; or see cgroupfs-mount)',
  }
}

/**
 * From 5.8 swap accounting is part of MEMCG and on by default; upstream's
 * check-config.sh stops asking for MEMCG_SWAP there. tk still reports the
 * flag's state, as a note that can never warn, so that --json keeps the id
 * it has always had.
 */
function swapAccountingNote(config: KernelConfig): CheckResult {
  return {
    id: 'CONFIG_MEMCG_SWAP',
    group: 'optional',
    kind: 'flag',
    state: config.state('MEMCG_SWAP'),
    status: 'info',
    required: false,
    detail: 'not needed since Linux 5.8: swap accounting is part of MEMCG and on by default',
  }
}

/**
 * The bridge driver's forwarding sysctls, read from the running host. 0 is
 * normal before an engine exists: dockerd turns IPv4 forwarding on when it
 * creates a bridge network, and IPv6 forwarding when it creates one with
 * IPv6. So they can only warn, and never stop provisioning.
 */
function forwardingChecks(facts: RawCheckFacts | undefined): CheckResult[] {
  return FORWARDING_SYSCTLS.map((name) => {
    const base = {id: name, group: 'network' as const, feature: 'bridge', kind: 'system' as const, required: false}
    if (!facts) return {...base, state: 'n/a', status: 'n/a' as const, detail: NOT_APPLICABLE}
    const value = facts.sysctls[name]
    if (value === '1') return {...base, state: 'enabled', status: 'pass' as const}
    const ipv6 = name.startsWith('net.ipv6.')
    return {
      ...base,
      state: value === undefined ? 'unreadable' : 'disabled',
      status: 'warn' as const,
      detail:
        value === undefined
          ? `/proc/sys/${name.replaceAll('.', '/')} is missing or unreadable${ipv6 ? ' (is IPv6 disabled on this host?)' : ''}`
          : ipv6
            ? 'IPv6 container networks cannot reach beyond this host; dockerd turns it on when it creates a network with IPv6, so 0 is normal until then'
            : 'containers on bridge networks cannot reach beyond this host; dockerd turns it on when it creates its first bridge network, so 0 is normal before an engine runs',
      hint:
        value === undefined
          ? undefined
          : `nothing to do before the engine runs; if it is still 0 with dockerd running, dockerd was told not to set it ("ip-forward": false) or something resets it: set ${name}=1 in /etc/sysctl.d/`,
    }
  })
}

function vsyscallCheck(config: KernelConfig): CheckResult {
  const base = {id: 'CONFIG_LEGACY_VSYSCALL', group: 'optional' as const, kind: 'flag' as const, required: false}
  if (config.isSet('LEGACY_VSYSCALL_NATIVE'))
    return {...base, id: 'CONFIG_LEGACY_VSYSCALL_NATIVE', state: config.state('LEGACY_VSYSCALL_NATIVE'), status: 'warn', detail: 'dangerous: gives an ASLR-bypassing target with usable ROP gadgets', hint: 'prefer CONFIG_LEGACY_VSYSCALL_EMULATE or XONLY'}
  if (config.isSet('LEGACY_VSYSCALL_EMULATE'))
    return {...base, id: 'CONFIG_LEGACY_VSYSCALL_EMULATE', state: config.state('LEGACY_VSYSCALL_EMULATE'), status: 'pass'}
  if (config.isSet('LEGACY_VSYSCALL_NONE'))
    return {...base, id: 'CONFIG_LEGACY_VSYSCALL_NONE', state: config.state('LEGACY_VSYSCALL_NONE'), status: 'warn', detail: 'containers with eglibc 2.13 or older will not work', hint: 'boot with vsyscall=emulate, or use CONFIG_LEGACY_VSYSCALL_EMULATE'}
  if (config.isSet('LEGACY_VSYSCALL_XONLY'))
    return {...base, id: 'CONFIG_LEGACY_VSYSCALL_XONLY', state: config.state('LEGACY_VSYSCALL_XONLY'), status: 'pass'}
  return {...base, state: 'not configured', status: 'info', detail: 'kernels before 4.4 have no vsyscall option'}
}

function storageChecks(
  config: KernelConfig,
  facts: RawCheckFacts | undefined,
  version: KernelVersion,
  byFlag: Map<string, FlagSpec>,
  flagCheck: (spec: FlagSpec, extra?: Partial<CheckResult>) => CheckResult,
): {checks: CheckResult[]; drivers: CheckReport['storageDrivers']} {
  const checks: CheckResult[] = []
  const usable: StorageDriver[] = []
  const legacy: StorageDriver[] = []
  const flag = (name: string) => {
    const result = flagCheck(byFlag.get(name)!)
    checks.push(result)
    return result.state !== 'missing'
  }
  const filesystems = facts?.filesystems.split('\n').map((line) => line.trim().split(/\s+/).pop()) ?? []
  const system = (feature: string, id: string, ok: boolean | undefined, state: string, extra: Partial<CheckResult> = {}) =>
    checks.push({
      id,
      group: 'storage',
      feature,
      kind: 'system',
      state: ok === undefined ? 'n/a' : state,
      status: ok === undefined ? 'n/a' : ok ? 'pass' : feature === 'zfs' ? 'info' : 'warn',
      required: false,
      ...(ok === undefined ? {detail: NOT_APPLICABLE} : extra),
    })

  // overlay2
  const overlay = flag('OVERLAY_FS')
  if (facts) {
    const loaded = filesystems.includes('overlay')
    system('overlay2', 'overlay-filesystem', loaded, loaded ? 'present' : 'not loaded', loaded ? {} : {
      detail: 'overlay is not in /proc/filesystems',
      hint: config.state('OVERLAY_FS') === 'module' ? 'load it: modprobe overlay (and list it in /etc/modules-load.d/)' : undefined,
    })
  } else system('overlay2', 'overlay-filesystem', undefined, '')
  if (overlay) {
    if (compareKernel(version, 4, 0) >= 0) usable.push('overlay2')
    else checks.push({id: 'overlay2-kernel', group: 'storage', feature: 'overlay2', kind: 'system', state: version.text, status: 'warn', required: false, detail: 'overlay2 needs kernel 4.0 or newer'})
  }

  // btrfs
  const btrfs = [flag('BTRFS_FS'), flag('BTRFS_FS_POSIX_ACL')].every(Boolean)
  if (btrfs) usable.push('btrfs')

  // zfs: out of tree, so only a running system can say
  if (facts) {
    const device = facts.devices.includes('/dev/zfs')
    const zfs = facts.commands.includes('zfs')
    const zpool = facts.commands.includes('zpool')
    system('zfs', 'zfs-device', device, device ? 'present' : 'missing', device ? {} : {detail: '/dev/zfs is missing', hint: 'install zfs-dkms and load the zfs module'})
    system('zfs', 'zfs-command', zfs, zfs ? 'available' : 'missing', zfs ? {} : {hint: 'install zfsutils-linux'})
    system('zfs', 'zpool-command', zpool, zpool ? 'available' : 'missing', zpool ? {} : {hint: 'install zfsutils-linux'})
    if (device && zfs && zpool) usable.push('zfs')
  } else {
    system('zfs', 'zfs-device', undefined, '')
  }

  // aufs and devicemapper: legacy, counted apart
  const aufs = flag('AUFS_FS')
  if (!aufs && filesystems.includes('aufs')) {
    checks[checks.length - 1].detail = 'some kernels include the AUFS patches but not the AUFS_FS flag: aufs is in /proc/filesystems'
  }
  if (aufs || filesystems.includes('aufs')) legacy.push('aufs')
  const dm = [flag('BLK_DEV_DM'), flag('DM_THIN_PROVISIONING')].every(Boolean)
  if (dm) legacy.push('devicemapper')
  for (const check of checks) {
    if ((check.feature === 'aufs' || check.feature === 'devicemapper') && check.status === 'warn') check.status = 'info'
  }

  checks.push({
    id: 'storage-driver',
    group: 'storage',
    kind: 'system',
    state: usable.length > 0 ? usable.join(', ') : 'none',
    status: usable.length > 0 ? 'pass' : 'fail',
    required: true,
    detail:
      usable.length > 0
        ? undefined
        : `no current storage driver (overlay2, btrfs, zfs) is available${legacy.length > 0 ? `; only legacy ${legacy.join(', ')}, which Docker 24/25 removed` : ''}`,
    hint: usable.length > 0 ? undefined : 'enable CONFIG_OVERLAY_FS (overlay2 is the default storage driver)',
  })
  return {checks, drivers: {usable, legacy}}
}
