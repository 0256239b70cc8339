/** How tests point tk at sandbox machines: targets and the flags for the sandbox's keys and known_hosts. */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {SshHost} from '../../src/transport/ssh-host.js'
import {runTk} from '../run-tk.js'
import type {SandboxFixture, TestMachine} from './sandbox.js'

export type SandboxUser = 'admin' | 'op'

export const target = (machine: TestMachine, user: SandboxUser = 'admin') => `${user}@127.0.0.1:${machine.port}`

/** tk flags that use the sandbox's key for `user` and its known_hosts, strictly. */
export function sandboxFlags(fixture: SandboxFixture, user: SandboxUser = 'admin', knownHosts = fixture.sandbox.home.knownHosts): string[] {
  return ['-i', fixture.sandbox.credentials.users[user].identityFile, '--known-hosts', knownHosts, '--host-key-policy', 'strict']
}

/** An environment without the developer's agent or secrets. */
export const cleanEnv = {SSH_AUTH_SOCK: '', TK_SSH_PASSWORD: '', TK_SSH_PASSPHRASE: '', TK_SUDO_PASSWORD: ''}

/** The machine as tk's own transport reaches it, as `user`: the sandbox's key and known_hosts, strictly, no agent, no ~/.ssh/config. */
export function connectTransport(fixture: SandboxFixture, machine: TestMachine, user: SandboxUser = 'admin'): Promise<SshHost> {
  return SshHost.connect(
    {host: '127.0.0.1', port: machine.port, user},
    {
      identityFiles: [fixture.sandbox.credentials.users[user].identityFile],
      knownHostsFile: fixture.sandbox.home.knownHosts,
      hostKeyPolicy: 'strict',
      agentSocket: false,
      sshConfigPath: '/dev/null',
      env: {...process.env, ...cleanEnv},
    },
  )
}

const DEFAULT_APPLETS = ['sh', 'true', 'echo', 'cat', 'sleep', 'ls']

/**
 * A container image made here (no registry is reachable): busybox-static's
 * binary with a few applets, as a tar for `docker import`. Its default
 * command is `true`, so `docker run IMAGE` exits 0.
 */
export function busyboxImageTar(applets: readonly string[] = DEFAULT_APPLETS): Buffer {
  const busybox = '/bin/busybox'
  if (!existsSync(busybox)) throw new Error('busybox-static is not installed (apt-get install busybox-static)')
  const root = mkdtempSync(join(tmpdir(), 'tk-busybox-'))
  try {
    mkdirSync(join(root, 'bin'))
    writeFileSync(join(root, 'bin', 'busybox'), readFileSync(busybox), {mode: 0o755})
    for (const applet of applets) symlinkSync('busybox', join(root, 'bin', applet))
    const tar = spawnSync('tar', ['-C', root, '-c', '.'], {maxBuffer: 64 * 1024 * 1024})
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`)
    return tar.stdout
  } finally {
    rmSync(root, {recursive: true, force: true})
  }
}

export interface FleetHost {
  name: string
  machine: TestMachine
  groups?: string[]
}

/**
 * A tk.yml whose hosts are sandbox machines reached as ssh hosts: on
 * 127.0.0.1 at their published ports, as admin with the sandbox's key, host
 * keys checked strictly. `sections` (engine:, provisioners: ...) go before hosts:.
 */
export function sandboxFleetYaml(fixture: SandboxFixture, hosts: FleetHost[], sections: string[] = []): string {
  return [
    'defaults:',
    '  user: admin',
    `  identityFile: ${fixture.sandbox.credentials.users.admin.identityFile}`,
    'ssh:',
    '  hostKeyPolicy: strict',
    ...sections,
    'hosts:',
    ...hosts.flatMap((host) => [
      `  - name: ${host.name}`,
      '    address: 127.0.0.1',
      `    port: ${host.machine.port}`,
      ...(host.groups ? [`    groups: [${host.groups.join(', ')}]`] : []),
    ]),
    '',
  ].join('\n')
}

/**
 * The snapshot of a bookworm machine that `tk provision` set up (engine
 * running and enabled, admin in the docker group), made once per test run
 * and shared by every file that asks for it.
 */
export function provisionedSnapshot(fixture: SandboxFixture): Promise<string> {
  return fixture.preparedSnapshot('docker-engine', 'bookworm', async (machine) => {
    const provisioned = await runTk(['provision', target(machine), ...sandboxFlags(fixture)], {env: cleanEnv})
    if (provisioned.code !== 0) throw new Error(`tk provision of the snapshot's machine exited ${provisioned.code}: ${provisioned.stderr}${provisioned.stdout}`)
  })
}

/** Waits until the machine's engine answers `docker version` as admin; resolves with the server's version. */
export async function waitForEngine(machine: TestMachine): Promise<string> {
  for (let attempt = 0; attempt < 150; attempt++) {
    // eslint-disable-next-line no-await-in-loop
    const answer = await machine.ssh('admin', 'docker version --format "{{.Server.Version}}"')
    if (answer.code === 0) return answer.stdout.trim()
    // eslint-disable-next-line no-await-in-loop
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`the engine on ${machine.name} did not start`)
}

/**
 * A machine from a provisioned snapshot, once its engine answers, with the
 * tk-busybox image (`image`, from busyboxImageTar) imported: the engine's
 * data is a volume a snapshot does not hold.
 */
export async function engineMachine(fixture: SandboxFixture, snapshot: string, image: Buffer, options: {keep?: boolean} = {}): Promise<TestMachine> {
  const machine = await fixture.machine({snapshot, keep: options.keep})
  await waitForEngine(machine)
  const imported = await runTk(['exec', '--stdin', target(machine), ...sandboxFlags(fixture), '--', `docker import -c 'CMD ["true"]' - tk-busybox`], {env: cleanEnv, input: image})
  if (imported.code !== 0) throw new Error(`importing tk-busybox on ${machine.name} exited ${imported.code}: ${imported.stderr}`)
  return machine
}
