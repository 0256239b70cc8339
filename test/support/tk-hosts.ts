/** How tests point tk at sandbox machines: targets and the flags for the sandbox's keys and known_hosts. */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {SandboxFixture, TestMachine} from './sandbox.js'

export type SandboxUser = 'admin' | 'op'

export const target = (machine: TestMachine, user: SandboxUser = 'admin') => `${user}@127.0.0.1:${machine.port}`

/** tk flags that use the sandbox's key for `user` and its known_hosts, strictly. */
export function sandboxFlags(fixture: SandboxFixture, user: SandboxUser = 'admin', knownHosts = fixture.sandbox.home.knownHosts): string[] {
  return ['-i', fixture.sandbox.credentials.users[user].identityFile, '--known-hosts', knownHosts, '--host-key-policy', 'strict']
}

/** An environment without the developer's agent or secrets. */
export const cleanEnv = {SSH_AUTH_SOCK: '', TK_SSH_PASSWORD: '', TK_SSH_PASSPHRASE: '', TK_SUDO_PASSWORD: ''}

/**
 * A container image made here (no registry is reachable): busybox-static's
 * binary with a few applets, as a tar for `docker import`. Its default
 * command is `true`, so `docker run IMAGE` exits 0.
 */
export function busyboxImageTar(): Buffer {
  const busybox = '/bin/busybox'
  if (!existsSync(busybox)) throw new Error('busybox-static is not installed (apt-get install busybox-static)')
  const root = mkdtempSync(join(tmpdir(), 'tk-busybox-'))
  try {
    mkdirSync(join(root, 'bin'))
    writeFileSync(join(root, 'bin', 'busybox'), readFileSync(busybox), {mode: 0o755})
    for (const applet of ['sh', 'true', 'echo', 'cat', 'sleep', 'ls']) symlinkSync('busybox', join(root, 'bin', applet))
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
