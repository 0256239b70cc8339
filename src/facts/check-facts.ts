/**
 * The facts `tk check` judges, gathered from a host. Two producers give the
 * same RawCheckFacts: one over the host interface (many cheap calls, the fast
 * path on the local machine) and one from host-scripts/check-facts.sh (one
 * round trip, for remote hosts). Everything after that is shared.
 */
import {machine, release} from 'node:os'
import {dirname} from 'node:path'

import {type EngineSource, parseEngineSource} from './engine-source.js'
import {FactSections} from './sections.js'
import type {Host} from '../transport/host.js'

export const CONFIG_CANDIDATES = (release: string): string[] => [
  '/proc/config.gz',
  `/boot/config-${release}`,
  `/usr/src/linux-${release}/.config`,
  '/usr/src/linux/.config',
]

/** The bridge driver's forwarding sysctls that check-config.sh reports since 2025. */
export const FORWARDING_SYSCTLS = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding'] as const
export const sysctlPath = (name: string): string => `/proc/sys/${name.replaceAll('.', '/')}`

const V1_SUBSYSTEMS = ['cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory']
const CHECKED_COMMANDS = ['apparmor_parser', 'zfs', 'zpool']

export interface RawCheckFacts {
  unameRelease: string
  unameMachine: string
  osRelease: string
  /** Where the kernel config was found; undefined when it was found nowhere. */
  configPath?: string
  configBytes?: Buffer
  mounts: string
  /** /sys/fs/cgroup/cgroup.controllers, when the unified hierarchy is mounted there. */
  cgroupControllers?: string
  /** The first cgroup v1 mount of a main subsystem, and which subsystem directories sit beside it. */
  cgroupV1: {subsystemDir?: string; present: string[]}
  /** cgroup v1 swap accounting is active. */
  memswAccounting: boolean
  /** /sys/module/apparmor/parameters/enabled ("Y" when AppArmor is on). */
  apparmorEnabled: string
  /** Which of the commands checks care about are on the PATH. */
  commands: string[]
  devices: string[]
  filesystems: string
  rootMaxKeys?: string
  /** The forwarding sysctls, name -> value; a name is absent when its file is missing or unreadable. */
  sysctls: Record<string, string>
  /** /proc/cmdline: the kernel's boot options. */
  cmdline?: string
  /** key=value hints about containers and hypervisors. */
  virtualization: string[]
  /** PID 1's name (/proc/1/comm): systemd on the hosts tk installs engines on; absent when unreadable. */
  init?: string
  /** How the engine was installed, when it is (docker.io or Docker's repository). */
  engineSource?: EngineSource
}

/** The first cgroup v1 mount of one of the main subsystems, as check-config.sh picks it. */
export function firstCgroupV1Mount(mounts: string): string | undefined {
  for (const line of mounts.split('\n')) {
    const [, mountPoint, fsType, options] = line.split(' ')
    if (fsType !== 'cgroup' || !options) continue
    if (options.split(',').some((option) => V1_SUBSYSTEMS.includes(option))) return mountPoint
  }
  return undefined
}

/** Gathers the facts through the host interface: fast where each call is cheap. */
export async function gatherCheckFacts(host: Host, local = host.name === 'local'): Promise<RawCheckFacts> {
  const text = async (path: string): Promise<string> => (await host.readFile(path))?.toString('utf8') ?? ''
  const [unameRelease, unameMachine] = local
    ? [release(), machine()]
    : (await host.run('uname -r; uname -m')).stdout.trim().split('\n')

  const findConfig = async (): Promise<{path?: string; bytes?: Buffer}> => {
    for (const candidate of CONFIG_CANDIDATES(unameRelease)) {
      // eslint-disable-next-line no-await-in-loop -- the order decides which file wins
      const bytes = await host.readFile(candidate).catch(() => undefined)
      if (bytes) return {path: candidate, bytes}
    }
    return {}
  }

  const [osRelease, config, mounts, controllers, apparmorEnabled, filesystems, rootMaxKeys, commands, zfsDevice, memsw, dockerenv, containerenv, cpuinfo, cmdline, sysctlValues, init] =
    await Promise.all([
      text('/etc/os-release').then(async (content) => content || text('/usr/lib/os-release')),
      findConfig(),
      text('/proc/mounts'),
      host.readFile('/sys/fs/cgroup/cgroup.controllers'),
      text('/sys/module/apparmor/parameters/enabled'),
      text('/proc/filesystems'),
      host.readFile('/proc/sys/kernel/keys/root_maxkeys'),
      Promise.all(CHECKED_COMMANDS.map(async (name) => ((await host.hasCommand(name)) ? name : undefined))),
      host.stat('/dev/zfs'),
      host.stat('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes'),
      host.stat('/.dockerenv'),
      host.stat('/run/.containerenv'),
      text('/proc/cpuinfo'),
      text('/proc/cmdline'),
      Promise.all(FORWARDING_SYSCTLS.map(async (name) => (await host.readFile(sysctlPath(name)).catch(() => undefined))?.toString('utf8').trim())),
      text('/proc/1/comm'),
    ])

  const sysctls: Record<string, string> = {}
  for (const [index, value] of sysctlValues.entries()) if (value) sysctls[FORWARDING_SYSCTLS[index]] = value

  const subsystemDir = firstCgroupV1Mount(mounts)
  const present: string[] = []
  if (subsystemDir) {
    const parent = dirname(subsystemDir)
    const stats = await Promise.all(V1_SUBSYSTEMS.map((name) => host.stat(`${parent}/${name}`)))
    for (const [index, s] of stats.entries()) if (s?.type === 'directory') present.push(V1_SUBSYSTEMS[index])
  }

  const virtualization: string[] = []
  if (dockerenv?.type === 'file') virtualization.push('container=docker')
  if (containerenv?.type === 'file') virtualization.push('container=podman')
  if (/^flags.* hypervisor/m.test(cpuinfo)) virtualization.push('vm=yes')

  return {
    unameRelease,
    unameMachine,
    osRelease,
    configPath: config.path,
    configBytes: config.bytes,
    mounts,
    cgroupControllers: controllers?.toString('utf8'),
    cgroupV1: {subsystemDir, present},
    memswAccounting: memsw !== undefined,
    apparmorEnabled: apparmorEnabled.trim(),
    commands: commands.filter((name): name is string => name !== undefined),
    devices: zfsDevice?.type === 'char-device' ? ['/dev/zfs'] : [],
    filesystems,
    rootMaxKeys: rootMaxKeys?.toString('utf8').trim(),
    sysctls,
    cmdline: cmdline.trim(),
    virtualization,
    ...(init.trim() ? {init: init.trim()} : {}),
  }
}

/** Reads the output of host-scripts/check-facts.sh. */
export function parseFactsScriptOutput(output: string | FactSections): RawCheckFacts {
  const sections = typeof output === 'string' ? new FactSections(output) : output
  if (!sections.has('end')) throw new Error('the check facts script ended early: its output has no end marker')
  const lines = (name: string): string[] => sections.lines(name)
  const body = (name: string): string => sections.body(name)
  const [unameRelease = '', unameMachine = ''] = lines('uname')
  const configPath = lines('config-path')[0]
  const [subsystemDir, ...present] = lines('cgroup-v1-dir')
  const controllers = body('cgroup-controllers').trim()
  const sysctls = parseSysctlLines(lines('sysctls'))
  const maxKeys = sysctls[ROOT_MAXKEYS] ?? ''
  delete sysctls[ROOT_MAXKEYS]
  return {
    unameRelease,
    unameMachine,
    osRelease: body('os-release'),
    configPath,
    configBytes: configPath ? Buffer.from(lines('config-base64').join(''), 'base64') : undefined,
    mounts: body('mounts'),
    cgroupControllers: controllers === '' ? undefined : controllers,
    cgroupV1: {subsystemDir, present},
    memswAccounting: lines('memsw').includes('yes'),
    apparmorEnabled: body('apparmor').trim(),
    commands: lines('commands'),
    devices: lines('devices'),
    filesystems: body('filesystems'),
    rootMaxKeys: maxKeys === '' ? undefined : maxKeys,
    sysctls,
    cmdline: body('cmdline').trim(),
    virtualization: lines('virtualization').filter((line) => !line.endsWith('=none') && !line.endsWith('=')),
    ...(lines('init')[0] ? {init: lines('init')[0]} : {}),
    ...(sections.has('engine-source') ? {engineSource: parseEngineSource(lines('engine-source'))} : {}),
  }
}

const ROOT_MAXKEYS = 'kernel.keys.root_maxkeys'

/** check-facts.sh's "sysctls" section: grep -H's "/proc/sys/net/ipv4/ip_forward:1" lines. */
function parseSysctlLines(lines: string[]): Record<string, string> {
  const sysctls: Record<string, string> = {}
  for (const name of [ROOT_MAXKEYS, ...FORWARDING_SYSCTLS]) {
    const prefix = `${sysctlPath(name)}:`
    const line = lines.find((text) => text.startsWith(prefix))
    if (line !== undefined && line.length > prefix.length) sysctls[name] = line.slice(prefix.length).trim()
  }
  return sysctls
}

/** Parses /etc/os-release into its key/value pairs (quotes removed). */
export function parseOsRelease(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (!match) continue
    let value = match[2]
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replaceAll(/\\(["$`\\])/g, '$1')
    result[match[1]] = value
  }
  return result
}
