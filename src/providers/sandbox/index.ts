/**
 * The sandbox provider: real systemd Debian machines with OpenSSH on a
 * private local Docker engine. `Sandbox.open()` checks the machine can host
 * them, starts or joins the engine and loads the sandbox's keys; its
 * `machines` create, start, stop, remove, list and snapshot them.
 */
import {chmod, mkdir} from 'node:fs/promises'

import {type SandboxCredentials, type SandboxUser, loadCredentials} from './credentials.js'
import {SandboxEngine} from './engine.js'
import {type SandboxHome, defaultSandboxRoot, sandboxHome} from './home.js'
import {type ImageResult, type Release, ensureImages, RELEASES} from './image.js'
import {type Machine, SandboxMachines} from './machines.js'

export {checkSandboxRequirements, installSandboxRequirements} from './requirements.js'
export {SANDBOX_USERS, type SandboxCredentials, type SandboxUser} from './credentials.js'
export {SandboxEngine} from './engine.js'
export {chooseEngine, ENGINE_VARIABLE, type EngineChoice} from './engine-choice.js'
export {defaultSandboxRoot, sandboxHome, type SandboxHome} from './home.js'
export {DEFAULT_RELEASE, imageTag, isRelease, RELEASES, type ImageResult, type Release} from './image.js'
export {knownHostsName, recordedHostKeys} from './known-hosts.js'
export {DEFAULT_NETWORK, SESSION, type Machine, type MachineSpec, type MachineState, SandboxMachines, type Snapshot} from './machines.js'

/** How to reach a machine as one of its users with OpenSSH, host key pinned. */
export interface SshEndpoint {
  host: string
  port: number
  user: SandboxUser
  identityFile: string
  knownHostsFile: string
}

export class Sandbox {
  private constructor(
    readonly home: SandboxHome,
    readonly engine: SandboxEngine,
    readonly credentials: SandboxCredentials,
    readonly machines: SandboxMachines,
  ) {}

  static async open(options: {root?: string} = {}): Promise<Sandbox> {
    const home = sandboxHome(options.root ?? defaultSandboxRoot())
    if (process.getuid?.() !== 0) {
      // The user's keys, op's password and known_hosts: theirs alone.
      await mkdir(home.root, {recursive: true, mode: 0o700})
      await chmod(home.root, 0o700)
    }
    const engine = await SandboxEngine.ensure(home)
    const credentials = await loadCredentials(home)
    return new Sandbox(home, engine, credentials, new SandboxMachines(engine, credentials))
  }

  /** Builds the images of the releases that lack one (in parallel). */
  ensureImages(releases: readonly Release[] = RELEASES): Promise<ImageResult[]> {
    return ensureImages(this.engine, this.credentials, releases)
  }

  endpoint(machine: Machine, user: SandboxUser): SshEndpoint {
    if (!machine.ssh) throw new Error(`sandbox machine ${machine.name} is not running`)
    return {...machine.ssh, user, identityFile: this.credentials.users[user].identityFile, knownHostsFile: this.home.knownHosts}
  }

  /** OpenSSH options that reach a machine with the sandbox's own known_hosts, strictly. */
  sshArguments(machine: Machine, user: SandboxUser): string[] {
    const endpoint = this.endpoint(machine, user)
    return [
      '-F', '/dev/null',
      '-i', endpoint.identityFile,
      '-o', 'IdentitiesOnly=yes',
      '-o', `UserKnownHostsFile=${endpoint.knownHostsFile}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=10',
      '-o', 'LogLevel=ERROR',
      '-p', String(endpoint.port),
      `${user}@${endpoint.host}`,
    ]
  }

  /** Stops the engine if this process started it. */
  async close(): Promise<void> {
    await this.engine.stop()
  }
}
export {LightHosts, type LightHost, type LightHostsOptions} from './light-hosts.js'
