/**
 * Switching a host's engine between Debian's docker.io (method distro) and
 * Docker's docker-ce (method docker), keeping /var/lib/docker and
 * /etc/docker. Pure: which way a host switches, what is purged and
 * installed, and the refusals (running containers without --force, an older
 * engine without --allow-downgrade), from the host's facts and what
 * host-scripts/engine-switch-facts.sh read. The packages are replaced by
 * host-scripts/lib/engine-replace.sh, which purges the old engine with its
 * data-destroying hook neutralised (docs/provision.md, "Switching engines").
 */
import type {SemVer} from 'semver'

import {dockerUpstreamSemver} from '../engine/docker-repository.js'
import {sortDebianVersionsDescending} from '../engine/debian-version.js'
import {upstreamSemver, versionsInRange} from '../engine/version-range.js'
import {HostStateError} from '../errors/index.js'
import type {HostFacts} from '../facts/host-facts.js'
import {FactSections} from '../facts/sections.js'
import type {DesiredEngine} from './desired-engine.js'

export type SwitchDirection = 'to-docker' | 'to-distro'

/** Debian's engine packages, in the order dpkg can remove them one by one (dependents first). */
const DISTRO_ENGINE = ['docker.io', 'docker-cli', 'containerd', 'runc']
/** Docker's, likewise. */
const DOCKER_ENGINE = ['docker-ce-rootless-extras', 'docker-compose-plugin', 'docker-buildx-plugin', 'docker-model-plugin', 'docker-ce', 'docker-ce-cli', 'containerd.io']

/**
 * Which way the host's engine switches, if at all: docker.io asked for method
 * docker; docker-ce asked for method distro when the method was named (on the
 * command line or in tk.yml), never by default.
 */
export function switchDirection(facts: HostFacts, desired: DesiredEngine): SwitchDirection | undefined {
  const installed = facts.engine.packages
  if (desired.method === 'docker' && installed['docker.io'] && !installed['docker-ce']) return 'to-docker'
  if (desired.method === 'distro' && desired.methodNamed && installed['docker-ce'] && !installed['docker.io']) return 'to-distro'
  return undefined
}

/** What engine-switch-facts.sh read on the host (read-only). */
export interface SwitchFacts {
  /** Names of the running containers. */
  running: string[]
  /** docker.io versions the host's apt sources offer now (apt-cache, no update). */
  distroOffered: string[]
}

export function parseSwitchFacts(stdout: string): SwitchFacts {
  const sections = new FactSections(stdout)
  return {
    running: sections.lines('running').map((line) => line.trim()).filter(Boolean),
    distroOffered: sections.lines('offered').map((line) => line.trim()).filter(Boolean),
  }
}

export interface EngineSwitch {
  direction: SwitchDirection
  from: {name: string; version: string}
  to: {name: string; version?: string}
  /** Installed packages of the old engine (as the facts know them), for the plan. */
  purge: string[]
  /** Every package of the old engine, dependents first: the host script purges those dpkg knows, in this order. */
  purgeOrder: string[]
  running: string[]
  /** Said before a move to an older engine: what the older one will not show. */
  lostFromView?: string[]
}

/** The engine's upstream version of a package version, Debian's or Docker's scheme. */
const upstream = (name: string, version: string): SemVer | undefined => (name === 'docker.io' ? upstreamSemver(version) : dockerUpstreamSemver(version))

/** The docker.io version a switch to method distro installs: the newest offered, within the range when there is one. */
export function distroTarget(offered: string[], range: string | undefined): string | undefined {
  return (range === undefined ? sortDebianVersionsDescending(offered) : versionsInRange(offered, range))[0]
}

export function planEngineSwitch(target: string, facts: HostFacts, direction: SwitchDirection, read: SwitchFacts, toVersion: string | undefined): EngineSwitch {
  const installed = facts.engine.packages
  const fromName = direction === 'to-docker' ? 'docker.io' : 'docker-ce'
  const toName = direction === 'to-docker' ? 'docker-ce' : 'docker.io'
  const from = {name: fromName, version: installed[fromName]!}
  if (direction === 'to-distro' && toVersion === undefined) {
    throw new HostStateError(`${target}: its apt sources offer no docker.io to switch to (nothing was changed)`, {hint: 'check the host\'s apt sources (apt-get update), or keep method docker'})
  }
  const purgeOrder = direction === 'to-docker' ? DISTRO_ENGINE : DOCKER_ENGINE
  const purge = purgeOrder.filter((name) => installed[name])
  const older = toVersion !== undefined && isOlder(upstream(toName, toVersion), upstream(fromName, from.version))
  return {
    direction,
    from,
    to: {name: toName, ...(toVersion === undefined ? {} : {version: toVersion})},
    purge,
    purgeOrder,
    running: read.running,
    ...(older ? {lostFromView: lostFromView(facts, from, toName, toVersion!)} : {}),
  }
}

function isOlder(to: SemVer | undefined, from: SemVer | undefined): boolean {
  return to !== undefined && from !== undefined && to.compare(from) < 0
}

/** What an older engine will not show of what the newer one kept (the data stays on disk either way). */
function lostFromView(facts: HostFacts, from: {name: string; version: string}, toName: string, toVersion: string): string[] {
  const server = facts.engine.server
  const fromUpstream = upstream(from.name, from.version)
  const toUpstream = upstream(toName, toVersion)
  const said: string[] = []
  // The containerd image store (default from Docker 29, or features.containerd-snapshotter) keeps images
  // and their containers under /var/lib/containerd, where an engine without it does not look.
  const containerdStore = /containerd-snapshotter"\s*:\s*true/.test(facts.engine.daemon.configText ?? '') || (server?.storageDriver !== undefined && !/^(overlay2|vfs|btrfs|zfs|devicemapper|aufs|fuse-overlayfs)$/.test(server.storageDriver)) || (fromUpstream?.major ?? 0) >= 29
  if (containerdStore) {
    said.push(`the containerd image store's images and containers (${server?.images ?? '?'} images, ${server?.containers ?? '?'} containers now): ${toName} ${toUpstream?.version ?? toVersion} does not read it; they stay under /var/lib/containerd, unseen, until a newer engine is back`)
  }
  said.push(
    `anything ${from.name} ${fromUpstream?.version ?? from.version} wrote in a newer format (containers, networks or volumes created with options ${toUpstream?.major ?? 'the older'} does not know may not start or show); images, volumes' data and daemon.json stay on disk`,
  )
  return said
}

/** What a switch does, for the plan and --dry-run. */
export function switchDetail(change: EngineSwitch): string {
  return [
    `switch ${change.from.name} ${change.from.version} -> ${change.to.name}${change.to.version ? ` ${change.to.version}` : ''}`,
    `purge ${change.purge.join(', ')} (the purge hook that would delete /var/lib/docker neutralised)`,
    `the engine restarts: ${change.running.length > 0 ? `running containers stop (${change.running.join(', ')}); those with a restart policy start again` : 'no container runs'}`,
    'images, containers, volumes, networks, swarm state and /etc/docker/daemon.json kept',
  ].join('; ')
}

/** The refusals of a switch, before anything is changed: each one line. */
export function switchRefusals(target: string, change: EngineSwitch, desired: DesiredEngine): HostStateError[] {
  const refusals: HostStateError[] = []
  const what = `switching ${change.from.name} to ${change.to.name}`
  if (change.lostFromView && !desired.allowDowngrade) {
    refusals.push(
      new HostStateError(`${target}: ${what} ${change.to.version ?? ''} is a downgrade from ${change.from.version}; lost from view: ${change.lostFromView.join('; ')}. Refused, nothing was changed`, {
        hint: 'pass --allow-downgrade to switch anyway, or pick a newer engine',
      }),
    )
  }
  if (change.running.length > 0 && !desired.force) {
    refusals.push(
      new HostStateError(`${target}: ${what} restarts the engine and stops the running containers ${change.running.join(', ')}: refused, nothing was changed`, {
        hint: 'pass --force to switch anyway (containers with a restart policy start again), or stop them first',
      }),
    )
  }
  return refusals
}
