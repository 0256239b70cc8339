/**
 * `tk upgrade --kernel`: the release's newer kernel, the oldest install
 * guides' first step. On Debian, the backports metapackage of the running
 * kernel's flavour (linux-image-amd64, -cloud-amd64, -rt-amd64, -686-pae,
 * -arm64 ...) installed as PACKAGE/RELEASE-backports, so that nothing else
 * comes from backports; on Ubuntu, the HWE metapackage. Then the host is
 * rebooted (src/fleet/reboot.ts) and its running kernel read again: a kernel
 * that did not change is said plainly, never reported as a success.
 */
import {HostStateError} from '../errors/index.js'
import {type FleetCounts, type FleetResult, fleetResultOf, hostResultJson, reportingHosts} from '../fleet/result.js'
import {type HostFailure, type HostOutcome} from '../fleet/runner.js'
import {runOnSessions, type HostSession} from '../fleet/host-session.js'
import {rebootHost} from '../fleet/reboot.js'
import type {Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {boundScript, hostScript} from '../transport/host-scripts.js'

export interface KernelFacts {
  id: string
  codename: string
  version: string
  kernel: string
  arch: string
  /** The container technology when the machine shares its kernel (docker, lxc ...), else undefined. */
  container?: string
  bootloader: 'grub' | 'systemd-boot' | 'none'
  mirror?: string
  backports: boolean
}

export function parseKernelFacts(stdout: string): KernelFacts {
  const values = new Map<string, string>()
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ')
    if (space > 0) values.set(line.slice(0, space), line.slice(space + 1).trim())
  }
  const get = (key: string) => values.get(key) ?? 'unknown'
  const container = get('container')
  const bootloader = get('bootloader')
  return {
    id: get('id'),
    codename: get('codename'),
    version: get('version'),
    kernel: get('kernel'),
    arch: get('arch'),
    container: container === 'no' || container === 'unknown' ? undefined : container,
    bootloader: bootloader === 'grub' || bootloader === 'systemd-boot' ? bootloader : 'none',
    mirror: get('mirror') === 'none' || get('mirror') === 'unknown' ? undefined : get('mirror'),
    backports: get('backports') === 'yes',
  }
}

/** Debian releases whose backports suite is gone from the archive (no newer kernel to be had). */
const RETIRED_BACKPORTS = new Set(['stretch', 'buster', 'bullseye'])

/** The flavours of Debian's kernel images (linux-image-FLAVOUR). */
const DEBIAN_FLAVOURS = new Set([
  'amd64', 'cloud-amd64', 'rt-amd64', '686', '686-pae', 'rt-686-pae', 'arm64', 'cloud-arm64', 'rt-arm64', 'arm64-16k', 'armmp', 'armmp-lpae', 'rt-armmp', 'marvell', 'rpi',
  'powerpc64le', 'powerpc64le-64k', 's390x', 'riscv64', 'loong64', '4kc-malta', '5kc-malta', 'mips32r2el', 'mips64r2el', 'octeon', 'loongson-3',
])

/** A machine's usual flavour by its dpkg architecture. */
const DEFAULT_FLAVOUR: Record<string, string> = {amd64: 'amd64', arm64: 'arm64', i386: '686-pae', armhf: 'armmp', armel: 'marvell', ppc64el: 'powerpc64le', s390x: 's390x', riscv64: 'riscv64'}

export type KernelPlan =
  | {action: 'install'; package: string; suite: string; mirror: string; addSource: boolean}
  | {action: 'none'; reason: string}

/**
 * The newer kernel for the running one, or why there is none: pure. The
 * flavour is what follows the ABI in the kernel's release (6.1.0-28-cloud-amd64: cloud-amd64).
 */
export function planKernel(facts: KernelFacts): KernelPlan {
  if (facts.id === 'ubuntu') {
    if (!/^\d{2}\.04$/.test(facts.version)) return {action: 'none', reason: `Ubuntu ${facts.version} has no HWE kernel (only LTS releases do)`}
    return {action: 'install', package: `linux-generic-hwe-${facts.version}`, suite: facts.codename, mirror: facts.mirror ?? 'http://archive.ubuntu.com/ubuntu', addSource: false}
  }
  if (facts.id !== 'debian') return {action: 'none', reason: `tk knows newer kernels for Debian and Ubuntu, not ${facts.id}`}
  if (RETIRED_BACKPORTS.has(facts.codename)) return {action: 'none', reason: `Debian ${facts.codename} has no newer kernel: its backports suite is no longer published`}
  const named = /^\d+\.\d+(?:\.\d+)?(?:-\d+)?(?:\+[\w.~]+)?-(.+)$/.exec(facts.kernel)?.[1]
  // A container runs the kernel of the machine it is on, whatever its name: its own would be the architecture's usual one.
  const flavour = named && DEBIAN_FLAVOURS.has(named) ? named : facts.container ? DEFAULT_FLAVOUR[facts.arch] : undefined
  if (!flavour) return {action: 'none', reason: `the running kernel ${facts.kernel} is not one of Debian's (no flavour of Debian's in its name): tk will not replace it`}
  if (!facts.mirror) return {action: 'none', reason: 'the host names no Debian mirror in its apt sources'}
  return {action: 'install', package: `linux-image-${flavour}`, suite: `${facts.codename}-backports`, mirror: facts.mirror, addSource: !facts.backports}
}

export interface KernelResult {
  dryRun: boolean
  kernelBefore: string
  kernelAfter?: string
  /** What was (or would be) installed; absent when there is no newer kernel. */
  package?: string
  suite?: string
  version?: string
  /** The source file tk added (it stays: the kernel's security updates come from it). */
  addedSource?: string
  /** Every package the suite gave (the kernel and what it needs, nothing else). */
  fromSuite: Array<{name: string; version: string}>
  /** Said when nothing was done, or when the result needs a word. */
  note?: string
  changed: number
}

export interface KernelFleetOptions {
  dryRun?: boolean
  serial?: number
  concurrency?: number
  maxFail?: number
  timeoutMs: number
  waitSeconds?: number
  transport: TransportOptions
  onProgress?: (target: string, text: string) => void
  onDone?: (outcome: HostOutcome<KernelResult>) => void
  /** A host's element of --json's hosts, as the host finishes (tk upgrade --kernel --json-lines). */
  onHost?: (host: KernelHostJson) => void
}

export interface KernelHostJson {
  target: string
  ok: boolean
  result?: KernelResult
  error?: HostFailure
}

export type KernelFleetResult = FleetResult<KernelHostJson, FleetCounts, KernelResult>

export async function upgradeKernels(targets: Target[], options: KernelFleetOptions): Promise<KernelFleetResult> {
  const onDone = reportingHosts(hostResultJson, options.onHost, options.onDone)
  const outcomes = await runOnSessions(
    targets,
    options.transport,
    (session) =>
      session.withLock({dryRun: options.dryRun, waitSeconds: options.waitSeconds, command: 'tk upgrade --kernel'}, () =>
        upgradeKernel(session, options),
      ),
    options.dryRun ? {concurrency: options.concurrency, onDone} : {concurrency: options.serial ?? 1, maxFail: options.maxFail, onDone},
  )
  return fleetResultOf(outcomes)
}

async function upgradeKernel(session: HostSession, options: KernelFleetOptions): Promise<KernelResult> {
  const {name} = session
  const say = (text: string) => options.onProgress?.(name, text)
  const {login, root} = await session.open()
  const factsRun = await login.run(await hostScript('kernel-facts.sh'))
  if (factsRun.code !== 0) throw new HostStateError(`${name}: could not read what kernel it runs: ${factsRun.stderr.trim() || `exit ${factsRun.code}`}`)
  const facts = parseKernelFacts(factsRun.stdout)
  const plan = planKernel(facts)
  const base = {dryRun: Boolean(options.dryRun), kernelBefore: facts.kernel, fromSuite: [], changed: 0}
  if (plan.action === 'none') return {...base, note: plan.reason}
  // A machine with a kernel of its own needs a bootloader tk knows, or the new kernel would never boot.
  if (!facts.container && facts.bootloader === 'none') {
    throw new HostStateError(`${name}: no bootloader tk knows (GRUB, systemd-boot) on the host, so a new kernel would not boot: its kernel may be the provider's`, {
      hint: "upgrade the kernel the provider's way, then tk check the host",
    })
  }
  const what = `${plan.package}/${plan.suite}${plan.addSource ? ` (adding ${plan.suite} from ${plan.mirror})` : ''}`
  if (options.dryRun) return {...base, package: plan.package, suite: plan.suite, note: `would install ${what} and reboot`, changed: 1}

  say(`installing ${plan.package}/${plan.suite}`)
  const installed = await root.run(await boundScript('kernel-install.sh', [plan.package, plan.suite, plan.mirror]), {timeoutMs: 30 * 60_000})
  if (installed.code === 3) return {...base, package: plan.package, suite: plan.suite, note: `${plan.suite} offers no ${plan.package}: no newer kernel for this host`}
  if (installed.code !== 0) {
    throw new HostStateError(`${name}: installing ${plan.package}/${plan.suite} failed (exit ${installed.code}): ${installed.stderr.trim().split('\n').slice(-3).join(' | ')}`)
  }
  const lines = installed.stdout.split('\n')
  const field = (prefix: string) => lines.filter((line) => line.startsWith(`${prefix} `)).map((line) => line.slice(prefix.length + 1).trim())
  const version = field('installed')[0]?.split(' ')[1]
  const fromSuite = field('from-suite').map((line) => {
    const [pkg, pkgVersion] = line.split(' ')
    return {name: pkg, version: pkgVersion}
  })
  const addedSource = field('added-source')[0]

  const reboot = await rebootHost(session, {
    timeoutMs: options.timeoutMs,
    onProgress: say,
  })
  const result: KernelResult = {...base, kernelAfter: reboot.kernelAfter, package: plan.package, suite: plan.suite, version, addedSource, fromSuite, changed: 1}
  if (reboot.kernelAfter !== facts.kernel) return result
  const why = facts.container
    ? `this machine is a container (${facts.container}): it runs the kernel of the machine it is on, whatever it installs`
    : `the bootloader did not boot it (check its default entry)`
  throw new KernelUnchanged(`${name}: installed ${plan.package} ${version ?? ''} from ${plan.suite} and rebooted, but the running kernel is still ${facts.kernel}: ${why}`, result)
}

/** The new kernel was installed and the host rebooted, but it still runs the old one: a failure, with what was done. */
export class KernelUnchanged extends HostStateError {
  constructor(
    message: string,
    readonly result: KernelResult,
  ) {
    super(message, {hint: 'tk check the host to see what its running kernel lacks'})
  }
}
