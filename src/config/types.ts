/**
 * The shapes of tk.yml: as written (what the JSON Schema in
 * schemas/tk.schema.json admits) and as resolved for the rest of tk (defaults
 * applied, ${ENV} references replaced, per-host overrides merged).
 */
import type {PublishedPort} from './published-ports.js'

export type ProviderName = 'ssh' | 'sandbox'
export type Release = 'bullseye' | 'bookworm' | 'trixie'
export type HostKeyPolicy = 'strict' | 'accept-new' | 'off'
export type EngineMethod = 'distro' | 'docker' | 'script'
/** Where tk's apt steps fetch packages (engine.fetch). */
export type EngineFetch = 'direct' | 'workstation'
export type RunPolicy = 'once' | 'always'
/** Whether tk up and tk status compare a file or docker provisioner's result with the host (check) or trust tk's record (ignore). */
export type DriftPolicy = 'check' | 'ignore'
/** What a docker provisioner's container is kept as. */
export type ContainerState = 'running' | 'stopped'
export type RestartPolicy = 'no' | 'always' | 'unless-stopped' | 'on-failure'

/** A docker provisioner's container.healthcheck (seconds). */
export interface ContainerHealthcheck {
  test?: string
  interval?: number
  timeout?: number
  retries?: number
  startPeriod?: number
  wait?: number
}

export const RELEASES: readonly Release[] = ['bullseye', 'bookworm', 'trixie']
export const DEFAULT_RELEASE: Release = 'bookworm'

// ---- As written -------------------------------------------------------------

/** engine.repository: Docker's apt repository (method docker), as written. */
export interface RepositoryFile {
  url?: string
  channel?: 'stable' | 'test'
  key?: string
  fingerprint?: string
  packages?: string[]
}

export interface EngineFile {
  method?: EngineMethod
  version?: string
  fetch?: EngineFetch
  repository?: RepositoryFile | null
  daemon?: Record<string, unknown> | null
  users?: string[]
  compose?: boolean
  bundle?: string
}

/** A private registry of tk.yml: its server and where its credentials come from. */
export interface RegistryFile {
  server: string
  username?: string
  password?: string
  credentialHelper?: string
}

export interface HostFile {
  name: string
  address?: string
  user?: string
  port?: number
  identityFile?: string
  groups?: string[] | null
  provider?: ProviderName
  release?: Release
  /** Sandbox hosts: "[127.x.x.x:]HOST_PORT:MACHINE_PORT[/udp]" published on this machine's loopback. */
  ports?: string[] | null
  engine?: EngineFile | null
  ssh?: {hostKeyPolicy?: HostKeyPolicy; connectTimeout?: number} | null
  bootstrap?: BootstrapConfig | null
}

/** A host's first contact (tk bootstrap): who logs in with a password, the admin's public key, --harden. */
export interface BootstrapConfig {
  user?: string
  /** As written: ~ and paths relative to tk.yml are resolved by tk bootstrap. */
  key?: string
  harden?: boolean
}

type EnvFile = Record<string, string | number | boolean> | null

interface ProvisionerFileBase {
  name: string
  run?: RunPolicy
  hosts?: string[]
}

export type ProvisionerFile =
  | (ProvisionerFileBase & {type: 'shell'; inline?: string; script?: string; env?: EnvFile; privileged?: boolean})
  | (ProvisionerFileBase & {type: 'file'; drift?: DriftPolicy; source: string; destination: string; mode?: string; owner?: string; followSymlinks?: boolean})
  | (ProvisionerFileBase & {
      type: 'docker'
      drift?: DriftPolicy
      image: string
      load?: string
      container?: {
        name: string
        command?: string | string[]
        ports?: string[]
        env?: EnvFile
        volumes?: string[]
        restart?: RestartPolicy
        state?: ContainerState
        healthcheck?: ContainerHealthcheck
      }
    })

export interface TkFile {
  version?: 1
  provider?: ProviderName
  defaults?: {user?: string; port?: number; identityFile?: string; release?: Release} | null
  ssh?: {hostKeyPolicy?: HostKeyPolicy; connectTimeout?: number; concurrency?: number} | null
  engine?: EngineFile | null
  provisioners?: ProvisionerFile[] | null
  /** Settings of host groups, by name. */
  groups?: Record<string, {serial?: number}> | null
  registries?: RegistryFile[] | null
  hosts?: HostFile[] | null
  swarm?: SwarmFile | null
}

export type NodeAvailability = 'active' | 'pause' | 'drain'

export interface SwarmFile {
  managers: string[]
  workers?: string[]
  advertise?: Record<string, string>
  defaultAddrPool?: string[]
  subnetSize?: number
  labels?: Record<string, Record<string, string>>
  availability?: Record<string, NodeAvailability>
  autolock?: boolean
}

// ---- As resolved ------------------------------------------------------------

/** SSH settings; unset means the transport's own default (accept-new, 10 s, 16 hosts at once). */
export interface SshOptions {
  hostKeyPolicy?: HostKeyPolicy
  /** Seconds. */
  connectTimeout?: number
}

export interface EngineConfig {
  method: EngineMethod
  /** engine.method was written in tk.yml (for the host or the file), not tk's default. */
  methodNamed?: boolean
  /** An npm semver range; undefined: any version the method offers. */
  version?: string
  /** For method docker: the repository settings given (the host's over the file's, key by key); absent when none are. */
  repository?: RepositoryConfig
  /** daemon.json options; {} when none are given. */
  daemon: Record<string, unknown>
  /** Paths in `daemon` of values that came (wholly or partly) from ${ENV}: secrets. Absent when there are none. */
  daemonSecretPaths?: string[][]
  users: string[]
  compose: boolean
  /** An offline bundle file (absolute) to install the engine from. */
  bundle?: string
  /** Where tk's apt steps fetch packages; direct when not set. */
  fetch?: EngineFetch
}

/** engine.repository as resolved: a key file made absolute (a URL kept as given). */
export interface RepositoryConfig {
  url?: string
  channel?: 'stable' | 'test'
  key?: string
  fingerprint?: string
  packages?: string[]
}

interface ProvisionerBase {
  name: string
  run: RunPolicy
  /** Names of the hosts it applies to, in file order. */
  hosts: string[]
}

export interface ShellProvisioner extends ProvisionerBase {
  type: 'shell'
  /** Exactly one of inline and script is set. */
  inline?: string
  /** Absolute path of the script on this machine. */
  script?: string
  env: Record<string, string>
  privileged: boolean
}

export interface FileProvisioner extends ProvisionerBase {
  type: 'file'
  /** Absolute path on this machine. */
  source: string
  destination: string
  /** Octal string, four digits ("0644"). */
  mode?: string
  owner?: string
  /** Whether a link in the source may lead outside it (tk.yml's followSymlinks; default false). */
  followSymlinks: boolean
  drift: DriftPolicy
}

export interface DockerProvisioner extends ProvisionerBase {
  type: 'docker'
  image: string
  /** Absolute path of an image archive on this machine. */
  load?: string
  container?: {
    name: string
    command?: string | string[]
    ports: string[]
    env: Record<string, string>
    volumes: string[]
    restart: RestartPolicy
    /** running (default) or stopped: what tk up keeps the container as. */
    state: ContainerState
    /** The container's own health check and tk up's wait for it; absent: the image's, waited for 120 s. */
    healthcheck?: ContainerHealthcheck
  }
  drift: DriftPolicy
}

export type Provisioner = ShellProvisioner | FileProvisioner | DockerProvisioner

export interface HostConfig {
  name: string
  /** What to connect to (the name when no address is given). */
  address: string
  user?: string
  port?: number
  /** As written (~ not expanded: the transport expands it as ssh does). */
  identityFile?: string
  groups: string[]
  provider: ProviderName
  /** Set for sandbox hosts only. */
  release?: Release
  /** Sandbox hosts: the machine's ports published on this machine's loopback (absent: none). */
  ports?: PublishedPort[]
  ssh: SshOptions
  engine: EngineConfig
  /** Names of the provisioners that apply to this host, in file order. */
  provisioners: string[]
  /** tk bootstrap's settings for this host, when tk.yml gives any. */
  bootstrap?: BootstrapConfig
}

export interface TkConfig {
  /** Absolute path of the tk.yml this came from. */
  file: string
  /** Directory of that file: relative paths in it are relative to this. */
  dir: string
  /** The file as named in messages (relative to the working directory when shorter). */
  displayName: string
  provider: ProviderName
  ssh: SshOptions & {concurrency?: number}
  hosts: HostConfig[]
  /** Group name -> host names, in file order. */
  groups: Map<string, string[]>
  /** Group name -> its serial: (tk up rolls over its hosts that many at a time); only groups that set one. */
  groupSerial?: Map<string, number>
  /** Private registries docker provisioners pull from with credentials (absent: none). */
  registries?: RegistryFile[]
  provisioners: Provisioner[]
  /** Values that came from the environment and may be secret; never print them. */
  secrets: string[]
  /** Variables left unset in provisioners' env and daemon options (loaded with deferSecrets): this config must not be applied. */
  deferredEnv: string[]
  /** The hosts as one Docker Swarm cluster (tk.yml's swarm:); absent when there is none. */
  swarm?: SwarmConfig
}

/** One node of the swarm as tk.yml wants it. */
export interface SwarmNodeConfig {
  /** The host's name in tk.yml. */
  name: string
  role: 'manager' | 'worker'
  /** The advertise address given in tk.yml; absent: the address other hosts reach it at (docs/swarm.md). */
  advertise?: string
  /** Its groups' labels, then its own. */
  labels: Record<string, string>
  availability: NodeAvailability
}

export interface SwarmConfig {
  /** Managers first (in file order, the first is where a new swarm starts), then workers. */
  nodes: SwarmNodeConfig[]
  defaultAddrPool?: string[]
  subnetSize?: number
  autolock: boolean
}
