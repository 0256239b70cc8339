/**
 * Sandbox machines: containers of the private engine that boot systemd and
 * answer SSH on a port published on 127.0.0.1. Each gets its own host key
 * and machine-id before it first starts; tk pins the key in the sandbox's
 * known_hosts. Snapshots are committed machines that new machines start from.
 */
import {randomBytes} from 'node:crypto'
import {connect} from 'node:net'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import type Docker from 'dockerode'

import {formatPublishedPort, parsePublishedPortsKey, type PublishedPort, publishedPortsKey} from '../../config/published-ports.js'
import {HostStateError, UsageError} from '../../errors/index.js'
import {generateKeyPair, type SandboxCredentials} from './credentials.js'
import type {SandboxEngine} from './engine.js'
import {DEFAULT_RELEASE, ensureImage, isRelease, LABEL, type Release} from './image.js'
import {forgetHostKey, recordHostKey, SANDBOX_SSH_HOST} from './known-hosts.js'
import {tarArchive} from './tar.js'

export const DEFAULT_NETWORK = 'tk-sandbox'
export const SNAPSHOT_REPOSITORY = 'tk-sandbox/snapshot'
/** A machine's disk, committed when its container is made again (to publish other ports). */
export const DISK_REPOSITORY = 'tk-sandbox/disk'
/** systemd in a container ends with 129 for a reboot: the engine starts the machine again on such an exit, never after a stop by tk (docker stop). */
const RESTART_ON_REBOOT = {Name: 'on-failure', MaximumRetryCount: 0}

const CONTAINER_PREFIX = 'tk-sandbox-'

const MACHINE_LABEL = {
  name: 'tk.sandbox.machine',
  hostKey: 'tk.sandbox.host-key',
  snapshot: 'tk.sandbox.from-snapshot',
  session: 'tk.sandbox.session',
  ports: LABEL.ports,
} as const
const NETWORK_LABEL = 'tk.sandbox.network'
/** On networks whose subnet tk configured (addresses can be kept across starts only there). */
const SUBNET_LABEL = 'tk.sandbox.subnet'

/** One id per process: under CI, machines of other sessions are never reused. */
export const SESSION = `${process.pid}-${Date.now().toString(36)}`

export interface MachineSpec {
  name: string
  /** Debian release; ignored when `snapshot` is given (the snapshot knows it). */
  release?: Release
  /** Start from this snapshot instead of the release's clean image. */
  snapshot?: string
  /** The port on 127.0.0.1 that reaches the machine's sshd; any free one when absent. */
  port?: number
  /** The engine network machines share, so they reach each other by name. */
  network?: string
  /** Wait until sshd answers (default true). */
  waitForSsh?: boolean
  /** Extra container labels, e.g. which tk.yml host the machine stands for. */
  labels?: Record<string, string>
  /** The machine's own hostname (its prompt, its motd); default: its name. */
  hostname?: string
  /** Its ports published on this machine's loopback. */
  ports?: readonly PublishedPort[]
}

export type MachineState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead'

export interface Machine {
  name: string
  id: string
  release: Release
  image: string
  /** The snapshot it was created from, if any. */
  snapshot?: string
  state: MachineState
  /** Where its sshd answers; absent while it is not running. */
  ssh?: {host: string; port: number}
  /** Its host public key: "ssh-ed25519 AAAA... comment". */
  hostKey: string
  network: string
  /** The tk process that created it (see SESSION). */
  session: string
  /** All of its container's labels. */
  labels: Record<string, string>
  /** Its ports published on this machine's loopback (none: empty). */
  ports: PublishedPort[]
}

export interface Snapshot {
  name: string
  tag: string
  release: Release
  /** The machine it was taken from. */
  machine: string
  created: Date
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/

function checkName(kind: 'machine' | 'snapshot', name: string): void {
  if (!NAME.test(name)) {
    throw new UsageError(`invalid ${kind} name "${name}": use lower-case letters, digits and hyphens`)
  }
}

export function containerName(machine: string): string {
  return `${CONTAINER_PREFIX}${machine}`
}

export function snapshotTag(name: string): string {
  return `${SNAPSHOT_REPOSITORY}:${name}`
}

function statusCode(error: unknown): number | undefined {
  return (error as {statusCode?: number}).statusCode
}

export class SandboxMachines {
  private readonly networks = new Map<string, Promise<void>>()

  constructor(
    private readonly engine: SandboxEngine,
    private readonly credentials: SandboxCredentials,
  ) {}

  private get docker(): Docker {
    return this.engine.docker
  }

  private get knownHosts(): string {
    return this.engine.home.knownHosts
  }

  /** Creates and starts a machine; fails when one of that name exists. */
  async create(spec: MachineSpec): Promise<Machine> {
    checkName('machine', spec.name)
    if (await this.find(spec.name)) {
      throw new HostStateError(`sandbox machine ${spec.name} already exists`, {hint: `remove it first, or bring it up as it is`})
    }
    const network = spec.network ?? DEFAULT_NETWORK
    let image: string
    let release: Release
    if (spec.snapshot) {
      const snapshot = await this.getSnapshot(spec.snapshot)
      image = snapshot.tag
      release = snapshot.release
    } else {
      release = spec.release ?? DEFAULT_RELEASE
      image = (await ensureImage(this.engine, this.credentials, release)).tag
    }
    const [hostKey] = await Promise.all([generateKeyPair(`tk-sandbox-${spec.name}`, join(this.engine.home.keysDir, '.tmp')), this.ensureNetwork(network)])

    const container = await this.docker.createContainer(
      containerOptions({
        name: spec.name,
        image,
        hostname: spec.hostname ?? spec.name,
        network,
        ports: spec.ports ?? [],
        sshPort: spec.port,
        labels: {
          ...spec.labels,
          [MACHINE_LABEL.name]: spec.name,
          [LABEL.release]: release,
          [MACHINE_LABEL.hostKey]: hostKey.publicKey,
          [MACHINE_LABEL.snapshot]: spec.snapshot ?? '',
          [MACHINE_LABEL.session]: SESSION,
        },
      }),
    )

    try {
      // Before the first boot, so sshd never starts with a key tk does not know.
      const machineId = randomBytes(16).toString('hex')
      await container.putArchive(
        tarArchive([
          {path: 'etc/ssh/ssh_host_ed25519_key', data: hostKey.privateKey, mode: 0o600},
          {path: 'etc/ssh/ssh_host_ed25519_key.pub', data: `${hostKey.publicKey}\n`, mode: 0o644},
          {path: 'etc/machine-id', data: `${machineId}\n`, mode: 0o444},
        ]),
        {path: '/'},
      )
      return await this.startContainer(spec.name, spec.waitForSsh ?? true)
    } catch (error) {
      await container.remove({force: true, v: true}).catch(() => {})
      throw error
    }
  }

  /**
   * The machine as it is when it exists (started if stopped), else a new one.
   * Under CI=true a machine left from another session is re-created, never reused.
   */
  async up(spec: MachineSpec, env: NodeJS.ProcessEnv = process.env): Promise<Machine> {
    const existing = await this.find(spec.name)
    if (existing) {
      const fromOtherSession = existing.session !== SESSION
      const wanted = spec.snapshot ? existing.snapshot === spec.snapshot : existing.release === (spec.release ?? DEFAULT_RELEASE)
      if (wanted && !(env.CI === 'true' && fromOtherSession)) {
        return existing.state === 'running' ? this.startContainer(spec.name, spec.waitForSsh ?? true) : this.start(spec.name)
      }
      await this.remove(spec.name)
    }
    return this.create(spec)
  }

  async start(name: string, options: {waitForSsh?: boolean} = {}): Promise<Machine> {
    await this.get(name)
    return this.startContainer(name, options.waitForSsh ?? true)
  }

  /**
   * Makes the machine start again by itself when its init ends for a reboot
   * (machines made before tk set a restart policy on every machine lack one).
   */
  async restartOnReboot(name: string): Promise<void> {
    const machine = await this.get(name)
    await this.docker.getContainer(machine.id).update({RestartPolicy: RESTART_ON_REBOOT})
  }

  async stop(name: string): Promise<Machine> {
    const machine = await this.get(name)
    if (machine.state === 'running' || machine.state === 'paused' || machine.state === 'restarting') {
      const address = await this.networkAddress(machine)
      await this.docker
        .getContainer(machine.id)
        .stop({t: 10})
        .catch((error) => {
          if (statusCode(error) !== 304) throw error // 304: already stopped
        })
      if (address && !address.pinned) await this.pinAddress(machine, address.ip, address.aliases)
    }
    // The port goes back to the engine; the machine may get another on start.
    if (machine.ssh) await forgetHostKey(this.knownHosts, machine.ssh.port)
    return this.get(name)
  }

  /** The machine's address on its sandbox network, and whether the engine keeps it across starts. */
  async networkAddress(machine: Machine): Promise<{ip: string; pinned: boolean; aliases: string[]} | undefined> {
    const info = await this.docker.getContainer(machine.id).inspect()
    const endpoint = info.NetworkSettings.Networks?.[machine.network]
    // The engine adds the short container id itself on every start.
    const aliases = (endpoint?.Aliases ?? []).filter((alias: string) => !info.Id.startsWith(alias))
    const pinned = endpoint?.IPAMConfig?.IPv4Address
    if (pinned) return {ip: pinned, pinned: true, aliases}
    return endpoint?.IPAddress ? {ip: endpoint.IPAddress, pinned: false, aliases} : undefined
  }

  /**
   * Asks the engine to give a stopped machine the address it had on every
   * start (it hands addresses out afresh otherwise): its endpoint is made
   * again with that address, under the same aliases.
   */
  private async pinAddress(machine: Machine, ip: string, aliases: string[]): Promise<void> {
    const network = this.docker.getNetwork(machine.network)
    const endpoint = {Aliases: aliases.length > 0 ? aliases : [machine.name]}
    await network.disconnect({Container: machine.id, Force: true})
    try {
      await network.connect({Container: machine.id, EndpointConfig: {...endpoint, IPAMConfig: {IPv4Address: ip}}})
    } catch (error) {
      // A network whose subnet the engine chose (one tk made before it set subnets itself) keeps no
      // address: the machine joins it again without one, as it was, rather than not at all.
      await network.connect({Container: machine.id, EndpointConfig: endpoint})
      if (!/user configured subnets/.test((error as Error).message)) throw error
    }
  }

  /** Removes the machine, its volumes, its committed disk, and its line in known_hosts. */
  async remove(name: string): Promise<boolean> {
    const machine = await this.find(name)
    if (!machine) return false
    const container = this.docker.getContainer(machine.id)
    // A container made again mounts its first container's volume by name: the engine keeps such a volume on rm -v.
    const volume = await container
      .inspect()
      .then((info) => engineVolume(info))
      .catch(() => undefined)
    await container.remove({force: true, v: true}).catch((error) => {
      if (statusCode(error) !== 404) throw error
    })
    if (volume) await ignoreGone(this.docker.getVolume(volume).remove())
    await ignoreGone(this.docker.getImage(diskTag(name)).remove())
    if (machine.ssh) await forgetHostKey(this.knownHosts, machine.ssh.port)
    return true
  }

  /**
   * Makes the machine's container again so that it publishes `ports` (an engine publishes
   * ports only when a container is made). What makes it this machine is kept: its disk
   * (committed as an image the new container starts from, and the /var/lib/docker volume,
   * mounted again), its host key (on that disk and in its label) and its address on the
   * sandbox network (asked for again). The old container waits under another name until
   * the new one answers SSH; when anything fails it comes back as it was.
   */
  async republish(name: string, ports: readonly PublishedPort[], options: {waitForSsh?: boolean} = {}): Promise<{machine: Machine; addressKept: boolean}> {
    const machine = await this.get(name)
    const old = this.docker.getContainer(machine.id)
    const info = await old.inspect()
    const address = await this.networkAddress(machine)
    const wasRunning = info.State.Running
    await old.stop({t: 10}).catch((error) => {
      if (statusCode(error) !== 304) throw error // 304: already stopped
    })
    if (machine.ssh) await forgetHostKey(this.knownHosts, machine.ssh.port)
    await old.commit({repo: DISK_REPOSITORY, tag: name, pause: false})
    const parked = `${containerName(name)}${PARKED_SUFFIX}${randomBytes(3).toString('hex')}`
    await old.rename({name: parked})
    let replacement: Docker.Container | undefined
    try {
      const shape: ContainerShape = {
        name,
        image: diskTag(name),
        hostname: info.Config.Hostname,
        network: machine.network,
        ports,
        labels: {...info.Config.Labels},
        volume: engineVolume(info),
        aliases: address?.aliases,
      }
      let addressKept = false
      if (address) {
        try {
          replacement = await this.docker.createContainer(containerOptions({...shape, ip: address.ip}))
          addressKept = true
        } catch (error) {
          // A network whose subnet the engine chose (made by an older tk) cannot keep an address.
          if (!/user (configured|specified)/i.test((error as Error).message)) throw error
        }
      }
      replacement ??= await this.docker.createContainer(containerOptions(shape))
      const started = await this.startContainer(name, options.waitForSsh ?? true)
      await old.remove({force: true, v: false})
      return {machine: started, addressKept}
    } catch (error) {
      if (replacement) await replacement.remove({force: true, v: false}).catch(() => {})
      await old.rename({name: containerName(name)}).catch(() => {})
      if (wasRunning) await this.startContainer(name, false).catch(() => {})
      throw error
    }
  }

  async list(): Promise<Machine[]> {
    const containers = await this.docker.listContainers({all: true, filters: {label: [MACHINE_LABEL.name]}})
    return containers
      .filter((info) => !isParked(info))
      .map((info) => toMachine(info))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  async find(name: string): Promise<Machine | undefined> {
    const containers = await this.docker.listContainers({all: true, filters: {label: [`${MACHINE_LABEL.name}=${name}`]}})
    // While its container is made again, the old one waits under another name (see republish).
    const info = containers.find((each) => !isParked(each)) ?? containers[0]
    return info ? toMachine(info) : undefined
  }

  async get(name: string): Promise<Machine> {
    const machine = await this.find(name)
    if (!machine) throw new HostStateError(`no sandbox machine named ${name}`, {hint: 'list them with their state to see which exist'})
    return machine
  }

  /** Commits the machine's filesystem as a snapshot that machines can start from. */
  async snapshot(machineName: string, snapshotName: string): Promise<Snapshot> {
    checkName('snapshot', snapshotName)
    const machine = await this.get(machineName)
    await this.docker.getContainer(machine.id).commit({
      repo: SNAPSHOT_REPOSITORY,
      tag: snapshotName,
      pause: true,
      changes: [`LABEL ${LABEL.release}=${machine.release} tk.sandbox.snapshot-of=${machine.name}`],
    })
    return this.getSnapshot(snapshotName)
  }

  async getSnapshot(name: string): Promise<Snapshot> {
    const tag = snapshotTag(name)
    try {
      const info = await this.docker.getImage(tag).inspect()
      const labels = info.Config?.Labels ?? {}
      const release = labels[LABEL.release] ?? ''
      return {name, tag, release: isRelease(release) ? release : DEFAULT_RELEASE, machine: labels['tk.sandbox.snapshot-of'] ?? '', created: new Date(info.Created)}
    } catch (error) {
      if (statusCode(error) === 404) throw new HostStateError(`no sandbox snapshot named ${name}`)
      throw error
    }
  }

  async listSnapshots(): Promise<Snapshot[]> {
    const images = await this.docker.listImages({filters: {reference: [SNAPSHOT_REPOSITORY]}})
    const names = images.flatMap((image) => (image.RepoTags ?? []).filter((tag) => tag.startsWith(`${SNAPSHOT_REPOSITORY}:`)).map((tag) => tag.slice(SNAPSHOT_REPOSITORY.length + 1)))
    return Promise.all(names.sort().map((name) => this.getSnapshot(name)))
  }

  async removeSnapshot(name: string): Promise<boolean> {
    try {
      await this.docker.getImage(snapshotTag(name)).remove({force: true})
      return true
    } catch (error) {
      if (statusCode(error) === 404) return false
      throw error
    }
  }

  /** The network machines share; created on first use. */
  ensureNetwork(name: string = DEFAULT_NETWORK): Promise<void> {
    let pending = this.networks.get(name)
    if (!pending) {
      pending = this.createNetwork(name)
      pending.catch(() => this.networks.delete(name))
      this.networks.set(name, pending)
    }
    return pending
  }

  async removeNetwork(name: string): Promise<boolean> {
    this.networks.delete(name)
    try {
      await this.docker.getNetwork(name).remove()
      return true
    } catch (error) {
      if (statusCode(error) === 404) return false
      throw error
    }
  }

  private async createNetwork(name: string): Promise<void> {
    const existing = (await this.docker.listNetworks({filters: {name: [name]}})).find((network) => network.Name === name)
    if (existing) {
      // On an engine others use too, a network of that name may be theirs: machines never join it.
      if (existing.Labels?.[NETWORK_LABEL] !== undefined) {
        if (existing.Labels?.[SUBNET_LABEL] === 'configured') return
        // One tk made before it configured subnets: made again with a subnet of its own when no
        // container is on it (running or not); else kept as it is (addresses then change on starts).
        if ((await this.docker.listContainers({all: true, filters: {network: [existing.Id]}})).length > 0) return
        await this.docker
          .getNetwork(existing.Id)
          .remove()
          .catch((error) => {
            if (statusCode(error) !== 404) throw error // removed meanwhile by another tk
          })
      } else {
        throw new HostStateError(`the engine has a network named ${name} that tk did not make (it has no ${NETWORK_LABEL} label)`, {hint: 'rename or remove that network; tk never touches it'})
      }
    }
    try {
      await this.docker.createNetwork({Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: {[NETWORK_LABEL]: name, [SUBNET_LABEL]: 'configured'}, IPAM: {Driver: 'default', Config: [await this.freeSubnet()]}})
    } catch (error) {
      if (statusCode(error) !== 409) throw error // made meanwhile by another tk
    }
  }

  /**
   * A subnet the engine would choose now, as one of tk's own: a machine's address on a network
   * can be kept across starts only where the subnet was configured, not chosen by the engine. The
   * engine is asked by making a throwaway network and reading what it got. The gateway is given
   * too: the engine records none in a configured subnet's IPAM otherwise, and tools (and tk's own
   * tests) read the workstation's address on the network from there.
   */
  private async freeSubnet(): Promise<{Subnet: string; Gateway?: string}> {
    const probe = await this.docker.createNetwork({Name: `tk-subnet-probe-${randomBytes(4).toString('hex')}`, Driver: 'bridge', Labels: {[NETWORK_LABEL]: 'probe'}})
    try {
      const config = (await probe.inspect()).IPAM?.Config?.[0] as {Subnet?: string; Gateway?: string} | undefined
      if (!config?.Subnet) throw new HostStateError('the sandbox engine gave a new network no subnet')
      return config.Gateway ? {Subnet: config.Subnet, Gateway: config.Gateway} : {Subnet: config.Subnet}
    } finally {
      await probe.remove().catch(() => {})
    }
  }

  /**
   * Starts a container. The engine picks a sandbox machine's SSH port itself unless one was asked
   * for, from the same range as every other engine on this machine, which does not know of their
   * picks: a port another engine's machine holds fails the start. Then the start is tried again
   * (at most four more times), the engine picking the next port; a clash on a port tk.yml
   * publishes is the caller's to report.
   */
  private async startPickingSshPort(container: Docker.Container, fixedPorts: number[]): Promise<void> {
    // Asked only after a clash: a start that succeeds costs no inspect.
    const picked = async () => ((await container.inspect()).HostConfig?.PortBindings?.['22/tcp'] ?? []).some((binding: {HostPort?: string}) => !binding.HostPort)
    await startAgainOnPickedPortClash(() => container.start(), picked, fixedPorts)
  }

  /** Starts (if needed), pins the host key for the published port, waits for sshd. */
  private async startContainer(name: string, waitForSsh: boolean): Promise<Machine> {
    let machine = await this.get(name)
    const container = this.docker.getContainer(machine.id)
    if (machine.state !== 'running') {
      try {
        await this.startPickingSshPort(container, machine.ports.map((port) => port.hostPort))
      } catch (error) {
        const message = portClash(error)
        if (message) {
          const published = machine.ports.map((port) => formatPublishedPort(port)).join(', ')
          throw new HostStateError(`sandbox machine ${name} cannot start: a port it publishes is taken on this machine (${message.trim()})`, {
            hint: published ? `another program or machine holds one of ${published}, or its SSH port; free it, or publish another port in tk.yml` : 'choose another SSH port or none',
          })
        }
        throw error
      }
      machine = await this.get(name)
    }
    if (!machine.ssh) throw new Error(`sandbox machine ${name} runs without a published SSH port`)
    await recordHostKey(this.knownHosts, machine.ssh.port, machine.hostKey)
    if (waitForSsh) await this.waitForSsh(machine)
    return machine
  }

  /** Waits until the machine's sshd sends its banner through the published port. */
  async waitForSsh(machine: Machine, timeoutMs = 90_000): Promise<void> {
    if (!machine.ssh) throw new Error(`sandbox machine ${machine.name} is not running`)
    const deadline = Date.now() + timeoutMs
    let checks = 0
    while (Date.now() < deadline) {
      if (await sshBanner(machine.ssh.port)) return
      // Now and then make sure it has not stopped, to fail fast with its console.
      if (++checks % 20 === 0) {
        const state = (await this.docker.getContainer(machine.id).inspect()).State
        if (!state.Running) throw new HostStateError(`sandbox machine ${machine.name} stopped while booting (exit ${state.ExitCode}): ${await this.consoleTail(machine.id)}`)
      }
      await sleep(100)
    }
    throw new HostStateError(`sandbox machine ${machine.name} did not answer SSH within ${Math.round(timeoutMs / 1000)} s: ${await this.consoleTail(machine.id)}`)
  }

  private async consoleTail(id: string): Promise<string> {
    try {
      const logs = await this.docker.getContainer(id).logs({stdout: true, stderr: true, tail: 3})
      // Multiplexed stream frames carry 8-byte headers: keep only printable text.
      return logs.toString('utf8').replace(/[^\x20-\x7e\n]/g, '').trim().split('\n').join(' | ')
    } catch {
      return ''
    }
  }
}

const PARKED_SUFFIX = '.replaced-'

/** A machine's old container, set aside while its new one is made (republish). */
function isParked(info: Docker.ContainerInfo): boolean {
  return info.Names.some((name) => name.includes(PARKED_SUFFIX))
}

export function diskTag(machine: string): string {
  return `${DISK_REPOSITORY}:${machine}`
}

/** The volume on the machine's /var/lib/docker (an engine inside keeps its images there). */
function engineVolume(info: Docker.ContainerInspectInfo): string | undefined {
  return info.Mounts.find((mount) => mount.Destination === '/var/lib/docker' && mount.Type === 'volume')?.Name
}

async function ignoreGone(removal: Promise<unknown>): Promise<void> {
  await removal.catch((error) => {
    // 404: gone already; 409: still in use (by another machine made from it), left to the engine.
    if (statusCode(error) !== 404 && statusCode(error) !== 409) throw error
  })
}

interface ContainerShape {
  name: string
  image: string
  hostname: string
  network: string
  ports: readonly PublishedPort[]
  labels: Record<string, string>
  /** The port on 127.0.0.1 for its sshd; any free one when absent. */
  sshPort?: number
  /** A volume of its own to mount on /var/lib/docker (a container made again keeps the first one's). */
  volume?: string
  /** Its address on the network, asked for (kept across a container made again). */
  ip?: string
  aliases?: string[]
}

/** How every sandbox machine's container is made: systemd, sshd on 127.0.0.1, its ports on the loopback. */
function containerOptions(shape: ContainerShape): Docker.ContainerCreateOptions {
  const bindings: Record<string, Array<{HostIp: string; HostPort: string}>> = {'22/tcp': [{HostIp: SANDBOX_SSH_HOST, HostPort: shape.sshPort ? String(shape.sshPort) : ''}]}
  for (const port of shape.ports) (bindings[`${port.containerPort}/${port.protocol}`] ??= []).push({HostIp: port.hostIp, HostPort: String(port.hostPort)})
  const key = publishedPortsKey(shape.ports)
  return {
    name: containerName(shape.name),
    Image: shape.image,
    Hostname: shape.hostname,
    // Always set: a container made from a committed disk inherits the labels committed with it.
    Labels: {...shape.labels, [MACHINE_LABEL.ports]: key},
    ExposedPorts: Object.fromEntries(Object.keys(bindings).map((port) => [port, {}])),
    // An engine inside the machine needs a real filesystem under it for overlay2.
    Volumes: {'/var/lib/docker': {}},
    StopSignal: 'SIGRTMIN+3',
    HostConfig: {
      // --privileged fails here: the host withholds CAP_SYS_RESOURCE.
      CapAdd: ['ALL'],
      CapDrop: ['SYS_RESOURCE'],
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
      // What the CLI's --security-opt systempaths=unconfined sends: /proc/sys stays writable, since an
      // engine inside sets sysctls in each container's network namespace (Docker 26+ refuses to start
      // containers when it cannot).
      MaskedPaths: [],
      ReadonlyPaths: [],
      DeviceCgroupRules: ['a *:* rwm'],
      Tmpfs: {'/run': '', '/run/lock': ''},
      Binds: ['/sys/fs/cgroup:/sys/fs/cgroup:rw', ...(shape.volume ? [`${shape.volume}:/var/lib/docker`] : [])],
      CgroupnsMode: 'host',
      PortBindings: bindings,
      NetworkMode: shape.network,
      // A reboot inside ends systemd with 129: the engine starts the machine again (a stop by tk or the engine is no failure).
      RestartPolicy: RESTART_ON_REBOOT,
    },
    NetworkingConfig: {
      EndpointsConfig: {[shape.network]: {Aliases: shape.aliases && shape.aliases.length > 0 ? shape.aliases : [shape.name], ...(shape.ip ? {IPAMConfig: {IPv4Address: shape.ip}} : {})}},
    },
  } as Docker.ContainerCreateOptions
}

function toMachine(info: Docker.ContainerInfo): Machine {
  const labels = info.Labels ?? {}
  const port = info.Ports.find((entry) => entry.PrivatePort === 22 && entry.PublicPort && entry.IP === SANDBOX_SSH_HOST)
  const release = labels[LABEL.release] ?? ''
  const networks = Object.keys(info.NetworkSettings?.Networks ?? {})
  return {
    name: labels[MACHINE_LABEL.name],
    id: info.Id,
    release: isRelease(release) ? release : DEFAULT_RELEASE,
    image: info.Image,
    snapshot: labels[MACHINE_LABEL.snapshot] || undefined,
    state: info.State as MachineState,
    ssh: info.State === 'running' && port ? {host: SANDBOX_SSH_HOST, port: port.PublicPort} : undefined,
    hostKey: labels[MACHINE_LABEL.hostKey] ?? '',
    network: networks[0] ?? info.HostConfig?.NetworkMode ?? '',
    session: labels[MACHINE_LABEL.session] ?? '',
    labels,
    ports: parsePublishedPortsKey(labels[MACHINE_LABEL.ports]),
  }
}

/** Whether an sshd greets on the port (the engine's proxy accepts before sshd listens). */
/** Whether sshd at the loopback port sends its identification line within `timeoutMs`. */
export function sshBanner(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host: SANDBOX_SSH_HOST, port})
    let done = false
    const finish = (ok: boolean) => {
      if (done) return
      done = true
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => finish(false))
    socket.once('data', (chunk: Buffer) => finish(chunk.toString('latin1').startsWith('SSH-')))
    socket.once('error', () => finish(false))
    socket.once('close', () => finish(false))
  })
}

/** The engine's words when a start failed for a published port already taken, else undefined. */
function portClash(error: unknown): string | undefined {
  const message = (error as {json?: {message?: string}}).json?.message ?? (error as Error).message
  return /port is already allocated|address already in use/.test(message) ? message : undefined
}

/**
 * Runs start; when it fails on a taken port that is not one of fixedPorts and the engine picks the
 * SSH port (picked, asked on the first clash), runs it again, at most `tries` times in all.
 */
export async function startAgainOnPickedPortClash(start: () => Promise<unknown>, picked: () => Promise<boolean>, fixedPorts: number[], tries = 5): Promise<void> {
  let sshPortPicked: boolean | undefined
  for (let attempt = 1; ; attempt++) {
    try {
      await start()
      return
    } catch (error) {
      const message = portClash(error)
      const port = Number(/:(\d+)\b(?!.*:\d+\b)/.exec(message ?? '')?.[1])
      if (!message || attempt >= tries || fixedPorts.includes(port)) throw error
      sshPortPicked ??= await picked()
      if (!sshPortPicked) throw error
    }
  }
}
