/**
 * The facts tk upgrade works from, gathered in one round trip as root after
 * refreshing the host's package lists: installed engine packages, every
 * version the sources offer of each, apt's candidate for each, the init
 * system, whether the engine runs, and whether it (or containerd) runs a
 * binary replaced on disk since it started.
 */
import {HostStateError} from '../errors/index.js'
import {FactSections} from './sections.js'
import type {Host} from '../transport/host.js'
import {boundScript} from '../transport/host-scripts.js'

export type InitSystem = 'systemd' | 'openrc' | 'sysv' | 'unknown'

export interface UpgradeFacts {
  init: InitSystem
  /** False when the host has no apt-get at all. */
  apt: boolean
  /** Installed packages and their versions. */
  installed: Record<string, string>
  /** Every version the host's sources offer, per package. */
  offered: Record<string, string[]>
  /** apt's candidate per package (honours pinning). */
  candidate: Record<string, string>
  engineActive: boolean
  /** Services (containerd, docker) whose running process runs a binary since replaced on disk. */
  stale: string[]
}

/** The packages tk upgrade moves: the engine, its CLI where split off, and what it runs on. */
export const UPGRADE_PACKAGES = ['docker.io', 'docker-cli', 'containerd', 'runc', 'tini', 'docker-ce', 'docker-ce-cli', 'docker-ce-rootless-extras', 'containerd.io'] as const

export class FactsFailed extends HostStateError {
  constructor(message: string) {
    super(message)
    this.name = 'FactsFailed'
  }
}

export function parseUpgradeFacts(output: string): UpgradeFacts {
  const sections = new FactSections(output)
  if (!sections.has('end')) throw new FactsFailed('the upgrade facts script ended early: its output has no end marker')
  const pairs = (name: string) => sections.lines(name).map((line) => line.trim().split(/\s+/) as [string, string])
  const offered: Record<string, string[]> = {}
  for (const [name, version] of pairs('offered')) (offered[name] ??= []).push(version)
  return {
    init: (sections.lines('init')[0] as InitSystem | undefined) ?? 'unknown',
    apt: !sections.has('no-apt'),
    installed: Object.fromEntries(pairs('installed')),
    offered,
    candidate: Object.fromEntries(pairs('candidate')),
    engineActive: sections.lines('service')[0] === 'active',
    stale: sections.lines('stale').filter((name) => name === 'containerd' || name === 'docker'),
  }
}

/** @param env more settings for the script (TK_APT_PROXY: its apt-get update through the workstation). */
export async function gatherUpgradeFacts(root: Host, env: Record<string, string> = {}): Promise<UpgradeFacts> {
  const result = await root.run(await boundScript('upgrade-facts.sh', [...UPGRADE_PACKAGES], env), {timeoutMs: 15 * 60_000})
  if (result.code !== 0) {
    const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-4).join(' | ')
    throw new FactsFailed(`${root.name}: refreshing the package lists failed (exit ${result.code})${output ? `: ${output}` : ''}`)
  }
  return parseUpgradeFacts(result.stdout)
}
