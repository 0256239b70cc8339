/**
 * The README's first command on a fresh Debian machine without docker.io:
 * `npm ci && npm link && tk up -c examples/sandbox/tk.yml`, run literally as
 * root in a clone of this repository, installs what the sandbox lacks
 * (docker.io, debootstrap) with apt-get and says so, puts `tk` on the PATH,
 * and brings up examples/sandbox's three machines on a private engine of
 * its own.
 *
 * "The fresh machine" is a bookworm sandbox machine (systemd, OpenSSH, no
 * docker.io, no debootstrap, no Node.js); the inner tk's engine and its
 * systemd machines run nested inside it. Set up as a user would have it:
 * - the clone: `git archive HEAD` of this checkout (what a clone holds:
 *   committed files, no node_modules or dist) in /root/tk;
 * - Node.js 20 and npm: this workstation's, copied to /usr/local (Debian
 *   bookworm's nodejs is 18);
 * - the npm registry: stood in for by this workstation's npm cache, copied to
 *   root's ~/.npm, with npm_config_offline=true in the environment (the test
 *   machines reach only Debian's archive; the command itself is unchanged);
 * - a disk: the machine's root filesystem is an overlay, on which no Docker
 *   engine can keep its layers, so /var/lib/tk-sandbox (root's sandbox home)
 *   is bound onto the machine's /var/lib/docker volume, a real filesystem as
 *   on a real machine's disk;
 * - debootstrap's package cache: this workstation's sandbox cache, copied
 *   into the inner sandbox home, so that the three image builds download
 *   less (debootstrap still fetches and checks the archive's Release files
 *   and builds every image; docker.io, debootstrap and the machines' own
 *   packages come from Debian's archive).
 */
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {realpathSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url))
/** On the machine's /var/lib/docker volume; the engine's archive API writes there, not through a bind made inside. */
const DISK = '/var/lib/docker/.disk/tk-sandbox'
const README_COMMAND = 'npm ci && npm link && tk up -c examples/sandbox/tk.yml'

describe("the README's first command on a fresh Debian machine without docker.io", function () {
  this.timeout(60 * 60_000)
  let fixture: SandboxFixture
  let machine: TestMachine
  let first: {code: number; stdout: string; stderr: string; seconds: number}

  /** A command as root, from a login shell of root's (sudo -i) over SSH as admin: the script on stdin. */
  const asRoot = (script: string, timeoutMs = 10 * 60_000) => machine.ssh('admin', 'sudo -i bash -s', {input: script, timeoutMs})

  /** Unpacks the tar stream a local program writes into the machine at `/`, through the sandbox engine. */
  const unpack = async (program: string, args: string[]): Promise<void> => {
    const child = spawn(program, args, {stdio: ['ignore', 'pipe', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)))
    await fixture.sandbox.engine.docker.getContainer(machine.machine.id).putArchive(child.stdout, {path: '/'})
    expect(await exited, `${program} ${args.join(' ')}: ${stderr}`).to.equal(0)
  }

  before(async function () {
    if (process.getuid?.() !== 0) this.skip() // the sandbox engine needs root
    this.timeout(20 * 60_000)
    fixture = await sandboxFixture({releases: ['bookworm']})
    machine = await fixture.machine({release: 'bookworm', keep: true})

    const fresh = await machine.engineExec("command -v dockerd debootstrap node npm tk; dpkg-query -W -f '${Status}' docker.io debootstrap 2>/dev/null; true")
    expect(fresh.stdout, 'the machine is fresh').to.equal('')

    // The disk, and the clone.
    const disk = await machine.engineExec(`set -e; mkdir -p ${DISK} /var/lib/tk-sandbox; mount --bind ${DISK} /var/lib/tk-sandbox`)
    expect(disk.code, disk.stderr).to.equal(0)
    await unpack('git', ['-C', REPOSITORY, 'archive', '--prefix=root/tk/', 'HEAD'])

    // Node.js and npm, from this workstation.
    const node = realpathSync(process.execPath)
    const npm = join(dirname(dirname(node)), 'lib', 'node_modules', 'npm')
    await unpack('tar', [
      '-C', '/', '-cf', '-',
      `--transform=s,^${node.slice(1)}$,usr/local/bin/node,`,
      `--transform=s,^${npm.slice(1)},usr/local/lib/node_modules/npm,`,
      node.slice(1), npm.slice(1),
    ])
    // The npm registry's stand-in, and the debootstrap cache (see above).
    const npmCache = join(homedir(), '.npm', '_cacache')
    await unpack('tar', ['-C', '/', '-cf', '-', `--transform=s,^${npmCache.slice(1)},root/.npm/_cacache,`, npmCache.slice(1)])
    const sandboxCache = join(fixture.sandbox.home.cacheDir, 'debootstrap')
    await unpack('tar', ['-C', '/', '-cf', '-', `--transform=s,^${sandboxCache.slice(1)},${DISK.slice(1)}/cache/debootstrap,`, sandboxCache.slice(1)])
    const links = await machine.engineExec(
      'set -e; ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm; ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx; node --version',
    )
    expect(links.code, links.stderr).to.equal(0)
    expect(links.stdout).to.match(/^v2\d\./)
  })

  after(async function () {
    if (!machine) return
    this.timeout(10 * 60_000)
    // Inside first: the fleet, then tk's engine (the machine itself goes with the fixture).
    await asRoot('cd /root/tk/examples/sandbox && tk destroy --yes; tk sandbox engine stop', 5 * 60_000)
  })

  it('installs docker.io and debootstrap, saying so, puts tk on the PATH, and brings up the three machines', async () => {
    const started = Date.now()
    const run = await asRoot(`cd /root/tk\nexport npm_config_offline=true\n${README_COMMAND}\n`, 50 * 60_000)
    first = {...run, seconds: Math.round((Date.now() - started) / 1000)}
    process.stderr.write(`      the README's first command took ${first.seconds} s\n`)
    const output = run.stdout + run.stderr
    expect(run.code, output.slice(-4000)).to.equal(0)
    expect(output).to.contain('installing docker.io debootstrap for sandbox machines (apt-get install, as root)')
    expect(output).to.contain('building the Debian bookworm image')

    const installed = await asRoot(`command -v tk; readlink -f "$(command -v tk)"; dpkg-query -W -f '\${Status}\\n' docker.io debootstrap`)
    expect(installed.stdout.split('\n')).to.deep.equal(['/usr/local/bin/tk', '/root/tk/bin/run.js', 'install ok installed', 'install ok installed', ''])
  })

  it('tk status inside shows the three machines up, and the web container runs', async function () {
    if (first?.code !== 0) this.skip()
    const status = await asRoot('cd /root/tk/examples/sandbox && tk status --json')
    expect(status.code, status.stderr).to.equal(0)
    const {hosts} = JSON.parse(status.stdout) as {hosts: Array<{name: string; reachable: boolean; machine?: {state: string}}>}
    const rows = hosts.map((host) => `${host.name} ${host.reachable ? 'reachable' : 'unreachable'} ${host.machine?.state}`).sort()
    expect(rows).to.deep.equal(['db-1 reachable running', 'web-1 reachable running', 'web-2 reachable running'])

    const served = await asRoot('cd /root/tk/examples/sandbox && tk docker web-1 -- ps --format "{{.Names}} {{.State}}" && tk exec @web -- busybox wget -qO- http://127.0.0.1:8080/')
    expect(served.code, served.stderr).to.equal(0)
    expect(served.stdout).to.match(/^web running$/m)
    expect(served.stdout.match(/Served by a container/g)).to.have.length(2)
  })
})
