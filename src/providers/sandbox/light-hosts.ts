/**
 * Light hosts for tests and benchmarks at scale: sshd alone in a container
 * of the sandbox's Debian image (no systemd, no engine; a few MB each), on
 * the workstation's loopback. Each has its own ed25519 host key, written in
 * before sshd starts and listed in a known_hosts file of the set's own, and
 * takes the sandbox's admin key. They share the workstation's network
 * namespace (no published port, so no proxy process per host): sshd listens
 * on 127.0.0.1 at a port of its own and nowhere else.
 *
 *   const hosts = await LightHosts.start(sandbox, {count: 200})
 *   // tk exec -i KEY --known-hosts hosts.knownHostsFile admin@127.0.0.1:PORT ...
 *   await hosts.stop()
 *
 * sshd's MaxStartups is Debian's default (10:30:100) unless asked otherwise,
 * so a burst of logins to one of them is dropped as it would be by a real host.
 */
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import type Docker from 'dockerode'

import {generateKeyPair} from './credentials.js'
import {imageTag, type Release} from './image.js'
import {sshBanner} from './machines.js'
import {tarArchive} from './tar.js'

const LIGHT_LABEL = 'tk.sandbox.light'

/** What light hosts need of the sandbox (a Sandbox is one): its engine, its home and its images. */
interface SandboxParts {
  home: {root: string}
  engine: {docker: Docker}
  ensureImages(releases: readonly Release[]): Promise<unknown>
}

export interface LightHost {
  name: string
  host: '127.0.0.1'
  port: number
  /** The host's public key, as known_hosts holds it. */
  hostKey: string
  containerId: string
}

export interface LightHostsOptions {
  count: number
  /** Names are PREFIX-001, PREFIX-002, ... Default: light. */
  prefix?: string
  release?: Release
  /** sshd's MaxStartups, e.g. '10:30:100' (Debian's default when unset). */
  maxStartups?: string
  /** sshd's LogLevel VERBOSE: every login it drops past MaxStartups is logged (at INFO only the first of a burst). */
  verbose?: boolean
  /** How many hosts are created at once. Default: 8. */
  parallel?: number
}

/**
 * Free ports on the loopback below the kernel's ephemeral range (32768 and up on Linux), so
 * that no outgoing connection takes one between this check and sshd's bind: tried from a random
 * start, each held open until all are found, then let go.
 */
async function freePorts(count: number): Promise<number[]> {
  const held: Array<ReturnType<typeof createServer>> = []
  const ports: number[] = []
  const start = 20_000 + Math.floor(Math.random() * 8000)
  for (let port = start; ports.length < count && port < 32_768; port++) {
    const server = createServer()
    // eslint-disable-next-line no-await-in-loop -- one port at a time, in order
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => resolve(true))
    })
    if (!ok) continue
    held.push(server)
    ports.push(port)
  }
  await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))))
  if (ports.length < count) throw new Error(`only ${ports.length} free loopback ports between ${start} and 32767, ${count} needed`)
  return ports
}

async function mapLimit<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = Array.from({length: items.length})
  let next = 0
  await Promise.all(
    Array.from({length: Math.min(limit, items.length)}, async () => {
      while (next < items.length) {
        const index = next++
        // eslint-disable-next-line no-await-in-loop -- each worker takes one item at a time
        results[index] = await work(items[index], index)
      }
    }),
  )
  return results
}

export class LightHosts {
  private constructor(
    private readonly docker: Docker,
    readonly hosts: LightHost[],
    /** A known_hosts file holding every host's key, [127.0.0.1]:PORT. */
    readonly knownHostsFile: string,
    private readonly dir: string,
  ) {}

  /** Starts `count` light hosts and waits until each sshd answers. */
  static async start(sandbox: SandboxParts, options: LightHostsOptions): Promise<LightHosts> {
    const release = options.release ?? 'bookworm'
    await sandbox.ensureImages([release])
    const docker = sandbox.engine.docker
    const prefix = options.prefix ?? 'light'
    const session = `${process.pid}-${Date.now().toString(36)}`
    const dir = await mkdtemp(join(sandbox.home.root, 'light-'))
    const keysTmp = join(dir, '.tmp')
    await mkdir(keysTmp, {mode: 0o700})
    const ports = await freePorts(options.count)
    const made: LightHost[] = []
    const set = new LightHosts(docker, made, join(dir, 'known_hosts'), dir)
    try {
      await mapLimit(ports, options.parallel ?? 8, async (port, index) => {
        const name = `${prefix}-${String(index + 1).padStart(3, '0')}`
        const key = await generateKeyPair(`tk-light-${name}`, keysTmp)
        const container = await docker.createContainer({
          name: `tk-light-${session}-${name}`,
          Image: imageTag(release),
          Hostname: name,
          Labels: {[LIGHT_LABEL]: session},
          Entrypoint: ['/usr/sbin/sshd'],
          Cmd: [
            '-D', '-e',
            '-p', String(port),
            '-o', 'ListenAddress=127.0.0.1',
            '-o', 'HostKey=/etc/ssh/ssh_host_ed25519_key',
            '-o', 'PidFile=none',
            '-o', 'UsePAM=no',
            ...(options.maxStartups ? ['-o', `MaxStartups=${options.maxStartups}`] : []),
            ...(options.verbose ? ['-o', 'LogLevel=VERBOSE'] : []),
          ],
          HostConfig: {NetworkMode: 'host', Tmpfs: {'/run/sshd': 'mode=0755'}},
        } as Docker.ContainerCreateOptions)
        const host: LightHost = {name, host: '127.0.0.1', port, hostKey: key.publicKey.split(' ').slice(0, 2).join(' '), containerId: container.id}
        made.push(host)
        await container.putArchive(
          tarArchive([
            {path: 'etc/ssh/ssh_host_ed25519_key', data: key.privateKey, mode: 0o600},
            {path: 'etc/ssh/ssh_host_ed25519_key.pub', data: `${key.publicKey}\n`, mode: 0o644},
          ]),
          {path: '/'},
        )
        await container.start()
      })
      made.sort((a, b) => a.name.localeCompare(b.name))
      await writeFile(set.knownHostsFile, made.map((host) => `[127.0.0.1]:${host.port} ${host.hostKey}\n`).join(''), {mode: 0o644})
      // Bounded by time, not tries: on a loaded machine a new sshd takes a while to answer.
      const deadline = Date.now() + 120_000
      await mapLimit(made, 8, async (host) => {
        while (Date.now() < deadline) {
          // eslint-disable-next-line no-await-in-loop -- polled until sshd answers, bounded
          if (await sshBanner(host.port, 5000)) return
          // eslint-disable-next-line no-await-in-loop
          await sleep(200)
        }
        throw new Error(`light host ${host.name} (port ${host.port}) did not answer SSH within 120 s: ${await set.logs(host, 5)}`)
      })
      return set
    } catch (error) {
      await set.stop()
      throw error
    }
  }

  /** The last lines sshd wrote (its -e log: logins, drops). */
  async logs(host: LightHost, tail = 200): Promise<string> {
    const raw = await this.docker.getContainer(host.containerId).logs({stdout: true, stderr: true, tail})
    // Multiplexed stream frames carry 8-byte headers: keep only printable text.
    return raw.toString('utf8').replace(/[^\x20-\x7e\n]/g, '')
  }

  /** Removes every host of the set and its files. */
  async stop(): Promise<void> {
    await mapLimit(this.hosts, 16, (host) =>
      this.docker
        .getContainer(host.containerId)
        .remove({force: true})
        .catch(() => {}),
    )
    await rm(this.dir, {recursive: true, force: true})
  }

  /** Light hosts left by runs that ended without stopping theirs (by label), removed. */
  static async removeLeftovers(sandbox: SandboxParts): Promise<number> {
    const docker = sandbox.engine.docker
    const containers = await docker.listContainers({all: true, filters: {label: [LIGHT_LABEL]}})
    await mapLimit(containers, 16, (info) => docker.getContainer(info.Id).remove({force: true}).catch(() => {}))
    return containers.length
  }
}
