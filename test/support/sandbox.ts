/**
 * The sandbox fixture integration tests share: real Debian machines with
 * systemd and OpenSSH on tk's private engine (src/providers/sandbox).
 *
 *   import {sandboxFixture} from './sandbox.js'
 *   before(async function () { this.timeout(10 * 60_000); sandbox = await sandboxFixture() })
 *   it('...', async () => { const host = await sandbox.machine({release: 'bookworm'}); await host.ssh('admin', 'id') })
 *
 * The first call starts the engine (when it is not running) and builds the
 * missing images, about a minute per release. Machines made in a test are
 * removed after it; `keep: true` machines live until the run ends. When the
 * run ends, the fixture removes what it made and stops the engine if it
 * started it. Root hooks do that, registered when this module is imported.
 */
import {spawn} from 'node:child_process'
import {createServer, type AddressInfo} from 'node:net'

import {
  type ImageResult,
  type Machine,
  type MachineSpec,
  RELEASES,
  type Release,
  LightHosts,
  Sandbox,
  type SandboxUser,
  SESSION,
} from '../../src/providers/sandbox/index.js'
import {execInMachine} from '../../src/providers/sandbox/engine-exec.js'

export interface SshRun {
  code: number
  stdout: string
  stderr: string
}

/** A machine made for a test, with helpers to reach it as admin or op. */
export class TestMachine {
  constructor(
    readonly sandbox: Sandbox,
    public machine: Machine,
  ) {}

  get name(): string {
    return this.machine.name
  }

  /** The port on 127.0.0.1 where its sshd answers. */
  get port(): number {
    if (!this.machine.ssh) throw new Error(`${this.name} is not running`)
    return this.machine.ssh.port
  }

  /** OpenSSH arguments up to the destination (strict host-key checking, the sandbox's known_hosts). */
  sshArgs(user: SandboxUser = 'admin'): string[] {
    return this.sandbox.sshArguments(this.machine, user)
  }

  /** Runs a command over SSH with the system client; never throws for a non-zero exit. */
  ssh(user: SandboxUser, command: string, options: {input?: string; timeoutMs?: number} = {}): Promise<SshRun> {
    return runSsh([...this.sshArgs(user), command], options)
  }

  /**
   * Runs a command as root inside the machine through the sandbox engine (docker exec), not
   * over SSH: for a machine whose sshd a test has locked down. `input` goes to its stdin,
   * so secrets (a password for chpasswd) never go on a command line.
   */
  engineExec(command: string, input = ''): Promise<SshRun> {
    return execInMachine(this.sandbox.engine.docker, this.machine.id, command, input)
  }

  async refresh(): Promise<Machine> {
    this.machine = await this.sandbox.machines.get(this.name)
    return this.machine
  }

  async remove(): Promise<void> {
    await this.sandbox.machines.remove(this.name)
    tracked.delete(this)
  }
}

export interface TestMachineOptions {
  release?: Release
  snapshot?: string
  port?: number
  /** A name of the caller's; otherwise a unique test-… name. */
  name?: string
  /** Keep it after the current test; it is removed when the run ends. */
  keep?: boolean
}

export interface SandboxFixture {
  sandbox: Sandbox
  /** The network of this run: machines reach each other on it by name. */
  network: string
  /** The images ensured so far, with whether this run built them. */
  images: ImageResult[]
  /** A fresh machine from a release's clean image or from a snapshot, ready for SSH. */
  machine(options?: TestMachineOptions): Promise<TestMachine>
  /**
   * A snapshot named `name` of a machine `prepare` has changed, taken once per
   * run: tests that all need the same prepared state start from it quickly.
   */
  preparedSnapshot(name: string, release: Release, prepare: (machine: TestMachine) => Promise<void>): Promise<string>
}

const tracked = new Set<TestMachine>()
const kept = new Set<TestMachine>()
const snapshots = new Map<string, Promise<string>>()
let opening: Promise<{sandbox: Sandbox; images: ImageResult[]}> | undefined
let counter = 0
const shortSession = SESSION.replace(/[^a-z0-9]/g, '').slice(-8)
const NETWORK = `tk-test-${shortSession}`

/** Opens the sandbox once per run, and ensures the images of `releases` (all three by default). */
export async function sandboxFixture(options: {releases?: readonly Release[]} = {}): Promise<SandboxFixture> {
  const releases = options.releases ?? RELEASES
  opening ??= (async () => {
    const sandbox = await Sandbox.open()
    if (process.env.CI === 'true') await removeLeftovers(sandbox)
    await sandbox.machines.ensureNetwork(NETWORK)
    return {sandbox, images: []}
  })()
  const state = await opening
  const missing = releases.filter((release) => !state.images.some((image) => image.release === release))
  if (missing.length > 0) state.images.push(...(await state.sandbox.ensureImages(missing)))
  const {sandbox} = state

  const fixture: SandboxFixture = {
    sandbox,
    network: NETWORK,
    images: state.images,
    async machine(machineOptions = {}) {
      const spec: MachineSpec = {
        name: machineOptions.name ?? `test-${shortSession}-${++counter}`,
        release: machineOptions.release,
        snapshot: machineOptions.snapshot,
        port: machineOptions.port,
        network: NETWORK,
      }
      let made: Machine
      try {
        made = await sandbox.machines.create(spec)
      } catch (error) {
        // Now and then, on a loaded machine, a container's systemd exits at once (exit 255, no
        // console output). That is the host, not tk under test: one more try, said out loud.
        // Other sandbox engines on this workstation (other test runs) hand out the same ephemeral
        // ports: a port one of them holds is taken here too. One more try, on a port free now.
        const portTaken = spec.port === undefined && /its SSH port is taken/.test((error as Error).message)
        if (!portTaken && !/stopped while booting/.test((error as Error).message)) throw error
        process.stderr.write(`sandbox fixture: ${(error as Error).message.split('\n')[0]}; making ${spec.name} again\n`)
        await sandbox.machines.remove(spec.name).catch(() => {})
        made = await sandbox.machines.create(portTaken ? {...spec, port: await freeLocalPort()} : spec)
      }
      const testMachine = new TestMachine(sandbox, made)
      ;(machineOptions.keep ? kept : tracked).add(testMachine)
      return testMachine
    },
    preparedSnapshot(name, release, prepare) {
      const snapshotName = `test-${shortSession}-${name}`
      let pending = snapshots.get(snapshotName)
      if (!pending) {
        pending = (async () => {
          const base = await fixture.machine({release, keep: true})
          try {
            await prepare(base)
            await sandbox.machines.snapshot(base.name, snapshotName)
          } finally {
            await base.remove()
            kept.delete(base)
          }
          return snapshotName
        })()
        snapshots.set(snapshotName, pending)
      }
      return pending
    },
  }
  return fixture
}

/** Removes the machines made during the current test (a root afterEach hook does this). */
export async function removeTestMachines(): Promise<void> {
  const machines = [...tracked]
  tracked.clear()
  await Promise.all(machines.map((machine) => machine.sandbox.machines.remove(machine.name)))
}

/**
 * Removes everything the run made and stops the engine if the run started it
 * and no other run has machines on it (a root after hook does this).
 */
export async function teardownSandbox(): Promise<void> {
  if (!opening) return
  const {sandbox} = await opening
  opening = undefined
  await removeTestMachines()
  await Promise.all([...kept].map((machine) => sandbox.machines.remove(machine.name)))
  kept.clear()
  for (const [name, pending] of snapshots) {
    await pending.catch(() => undefined)
    await sandbox.machines.removeSnapshot(name)
  }
  snapshots.clear()
  await sandbox.machines.removeNetwork(NETWORK)
  const others = (await sandbox.machines.list()).filter((machine) => machine.session !== SESSION && machine.state === 'running')
  if (others.length === 0) await sandbox.close()
}

/** Under CI, test machines and networks of earlier runs are removed, never reused. */
async function removeLeftovers(sandbox: Sandbox): Promise<void> {
  const leftovers = (await sandbox.machines.list()).filter((machine) => machine.name.startsWith('test-') && machine.session !== SESSION)
  await Promise.all(leftovers.map((machine) => sandbox.machines.remove(machine.name)))
  const networks = await sandbox.engine.docker.listNetworks({filters: {label: ['tk.sandbox.network']}})
  for (const network of networks) if (network.Name.startsWith('tk-test-')) await sandbox.machines.removeNetwork(network.Name).catch(() => {})
  for (const snapshot of await sandbox.machines.listSnapshots()) if (snapshot.name.startsWith('test-')) await sandbox.machines.removeSnapshot(snapshot.name)
  await LightHosts.removeLeftovers(sandbox)
}

function runSsh(args: string[], options: {input?: string; timeoutMs?: number}): Promise<SshRun> {
  return runProgram('ssh', args, options)
}

/** Runs a local program (ssh, scp...) to its end, capturing its output; never throws for a non-zero exit. */
export function runProgram(program: string, args: string[], options: {input?: string; timeoutMs?: number} = {}): Promise<SshRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 120_000})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({code: code ?? 255, stdout, stderr}))
    child.stdin.end(options.input ?? '')
  })
}

// Root hooks: registered once, when the first suite imports this module.
if (typeof afterEach === 'function' && typeof after === 'function') {
  afterEach(async function () {
    if (tracked.size === 0) return
    this.timeout(60_000)
    await removeTestMachines()
  })
  after(async function () {
    this.timeout(120_000)
    await teardownSandbox()
  })
}

/** A port free on 127.0.0.1 now. */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}
