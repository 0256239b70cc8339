/**
 * Offline bundles of the engine on real sandbox machines: bundles made here
 * from Debian's archive (once per run; the .debs are cached in the sandbox
 * home between runs), installed on a bookworm machine cut off from
 * everything (test/support/no-egress.ts) while tk itself can fetch nothing
 * (an unreachable proxy in its environment). Refusals happen before
 * anything reaches the host. The method-docker bundle is made from a
 * STAND-IN of Docker's repository (test/support/docker-repo.ts: Debian's
 * engine repackaged under Docker's names, signed with a throwaway key),
 * served on this machine's 127.0.0.1 to tk bundle only.
 */
import {expect} from 'chai'
import {closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'
import {buildDockerRepo, serveDockerRepo} from '../support/docker-repo.js'
import {cutOffEgress} from '../support/no-egress.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {cleanEnv, sandboxFleetYaml, sandboxFlags, target} from '../support/tk-hosts.js'

interface StepJson {
  id: string
  result: string
  detail: string
}

/** Every way tk could fetch anything itself leads to a closed port. */
const NO_FETCHING = {http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', no_proxy: '', NO_PROXY: ''}

/** The offset and size of a file's data inside a tar (ustar headers). */
function tarEntry(file: string, name: string): {offset: number; size: number} {
  const data = readFileSync(file)
  let offset = 0
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512)
    const entryName = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '')
    if (entryName === '') break
    const size = Number.parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8)
    if (entryName === name) return {offset: offset + 512, size}
    offset += 512 + Math.ceil(size / 512) * 512
  }
  throw new Error(`${name} not in ${file}`)
}

describe('offline bundles of the engine (tk bundle, tk provision --bundle)', function () {
  this.timeout(20 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let env: NodeJS.ProcessEnv
  const bundles = {bookworm: '', trixie: '', arm64: '', docker: ''}
  let offline: TestMachine
  let untouched: TestMachine

  const root = async (machine: TestMachine, command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${JSON.stringify(command)}`)
    if (result.code !== 0) throw new Error(`${command} failed on ${machine.name}: ${result.stderr}`)
    return result.stdout
  }
  const provision = (machine: TestMachine, bundle: string, ...extra: string[]) =>
    runTk(['provision', target(machine), ...sandboxFlags(fixture), '--bundle', bundle, ...extra], {env: {...env, ...NO_FETCHING}})
  /** What a refused run must leave as it was: the packages, the bundles kept, the apt sources. */
  const hostState = (machine: TestMachine) => root(machine, 'dpkg-query -W | md5sum; ls -A /var/lib/tk/bundles 2>/dev/null; cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | md5sum')

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm']})
    dir = mkdtempSync(join(tmpdir(), 'tk-bundle-'))
    mkdirSync(join(dir, 'fleet'))
    // tk's key for this run only; the .debs and indexes cached in the sandbox home across runs.
    env = {...cleanEnv, XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(fixture.sandbox.home.cacheDir, 'bundle')}
    const make = async (release: string, arch: string, name: keyof typeof bundles, ...extra: string[]) => {
      const file = join(dir, `${name}.tkb`)
      const {code, stdout, stderr} = await runTk(['bundle', '--release', release, '--arch', arch, '-o', file, ...extra], {env})
      expect(code, stderr + stdout).to.equal(0)
      bundles[name] = file
    }
    // One at a time: the first makes tk's key, and two cores are shared.
    await make('bookworm', 'amd64', 'bookworm')
    await Promise.all([make('trixie', 'amd64', 'trixie'), make('bookworm', 'arm64', 'arm64')])
    // The stand-in of Docker's repository (the same build docker-repo.test.ts uses), for tk bundle only: the machines never see it.
    const repo = await buildDockerRepo({versions: ['20.10.23', '20.10.24']})
    const server = await serveDockerRepo(repo, {host: '127.0.0.1'})
    try {
      await make('bookworm', 'amd64', 'docker', '--method', 'docker', '--engine-version', '20.10.23', '--repository', server.url, '--repository-key', repo.keyFile, '--repository-fingerprint', repo.fingerprint)
    } finally {
      await server.close()
    }
    ;[offline, untouched] = await Promise.all([fixture.machine({release: 'bookworm', keep: true}), fixture.machine({release: 'bookworm', keep: true})])
    await Promise.all([cutOffEgress(offline), cutOffEgress(untouched)])
  })

  after(() => {
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('installs a working engine from a bookworm bundle on a machine that reaches nothing, tk fetching nothing either; the host\'s sources untouched', async () => {
    const sources = await root(offline, 'cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | md5sum; ls /etc/apt/sources.list.d')
    const {code, stdout, stderr} = await provision(offline, bundles.bookworm, '--json')
    expect(code, stderr + stdout).to.equal(0)
    const host = JSON.parse(stdout).hosts[0]
    const steps = Object.fromEntries((host.result.steps as StepJson[]).map((step) => [step.id, step]))
    expect(steps.install.result).to.equal('changed')
    expect(steps.install.detail).to.match(/^from the bundle \(sent, \d+ MiB\): docker\.io=20\.10\.\S+ containerd runc tini/)
    expect(steps.verify.result).to.equal('verified')
    expect(await root(offline, 'docker version --format {{.Server.Version}}')).to.match(/^20\.10\./)
    expect(await root(offline, 'systemctl is-enabled docker')).to.equal('enabled\n')
    expect(await root(offline, 'cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | md5sum; ls /etc/apt/sources.list.d'), 'the host\'s sources').to.equal(sources)
    expect(await root(offline, 'ls -d /var/lib/tk/apt-bundle.* /var/lib/tk/bundles/.incoming.* 2>/dev/null | wc -l')).to.equal('0\n')
  })

  it('sends nothing to a host that has the bundle: not on a second run, nor when tk up (engine.bundle in tk.yml) installs the engine again', async () => {
    const kept = await root(offline, 'stat -c %Y /var/lib/tk/bundles/*/.complete')
    const again = await provision(offline, bundles.bookworm, '--json')
    expect(again.code, again.stderr + again.stdout).to.equal(0)
    expect(JSON.parse(again.stdout).hosts[0].result.changed).to.equal(0)

    await root(offline, 'DEBIAN_FRONTEND=noninteractive apt-get -q -y purge docker.io >/dev/null 2>&1')
    copyFileSync(bundles.bookworm, join(dir, 'fleet', 'engine.tkb'))
    const yaml = sandboxFleetYaml(fixture, [{name: 'offline', machine: offline}], ['engine:', '  bundle: engine.tkb', '  compose: false'])
    writeFileSync(join(dir, 'fleet', 'tk.yml'), yaml)
    const reinstall = await runTk(['up', '--json'], {cwd: join(dir, 'fleet'), env: {...env, ...NO_FETCHING, TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts}})
    expect(reinstall.code, reinstall.stderr + reinstall.stdout).to.equal(0)
    expect(reinstall.stdout).to.match(/from the bundle \(already on the host\): docker\.io=20\.10\./)
    expect(await root(offline, 'docker version --format {{.Server.Version}}')).to.match(/^20\.10\./)
    expect(await root(offline, 'stat -c %Y /var/lib/tk/bundles/*/.complete'), 'the kept bundle, not sent again').to.equal(kept)
  })

  it('refuses a tampered bundle in one line before anything reaches the host', async () => {
    const tampered = join(dir, 'tampered.tkb')
    copyFileSync(bundles.bookworm, tampered)
    const listing = JSON.parse((await runTk(['bundle', 'inspect', bundles.bookworm, '--json'], {env})).stdout)
    const deb = listing.manifest.packages.find((item: {name: string}) => item.name === 'runc').file as string
    const {offset, size} = tarEntry(tampered, deb)
    const fd = openSync(tampered, 'r+')
    const byte = Buffer.alloc(1)
    readSync(fd, byte, 0, 1, offset + Math.floor(size / 2))
    writeSync(fd, Buffer.from([byte[0]! ^ 0xff]), 0, 1, offset + Math.floor(size / 2))
    closeSync(fd)

    const before = await hostState(untouched)
    const {code, stdout, stderr} = await provision(untouched, tampered)
    expect(code, stderr + stdout).to.equal(3)
    expect(stderr.trim().split('\n').filter((line) => line.startsWith('tk:'))).to.have.length(1)
    expect(stderr).to.contain(`${deb} does not match its signed sha256`).and.contain('nothing was sent')
    expect(stderr).not.to.match(/\n\s+at /)
    expect(await hostState(untouched), 'the host as it was').to.equal(before)

    const inspect = await runTk(['bundle', 'inspect', tampered], {env})
    expect(inspect.code).to.equal(3)
    expect(inspect.stdout).to.contain(`problem: ${deb} does not match its signed sha256`)
  })

  it('refuses a trixie bundle for a bookworm host in one line before anything is sent', async () => {
    const before = await hostState(untouched)
    const {code, stdout, stderr} = await provision(untouched, bundles.trixie)
    expect(code, stderr + stdout).to.equal(8)
    const lines = stderr.trim().split('\n')
    expect(lines.filter((line) => line.includes('bundle is for'))).to.have.length(1)
    expect(stderr).to.contain('the bundle is for trixie on amd64, and the host runs Debian GNU/Linux 12 (bookworm) on amd64: nothing was sent')
    expect(await hostState(untouched), 'the host as it was').to.equal(before)
  })

  it('makes an arm64 bundle whose index holds only arm64 and all packages, docker.io among them (index level: no arm64 machine here)', async () => {
    const {code, stdout, stderr} = await runTk(['bundle', 'inspect', bundles.arm64, '--json'], {env})
    expect(code, stderr + stdout).to.equal(0)
    const bundle = JSON.parse(stdout)
    expect(bundle.manifest).to.include({release: 'bookworm', arch: 'arm64'})
    expect(bundle.signer).to.include({verified: true, trusted: true})
    expect(bundle.problems).to.deep.equal([])
    const arches = new Set((bundle.manifest.packages as Array<{arch: string}>).map((item) => item.arch))
    expect([...arches].sort()).to.deep.equal(['all', 'arm64'])
    expect((bundle.manifest.packages as Array<{name: string}>).map((item) => item.name)).to.include.members(['docker.io', 'containerd', 'runc', 'tini'])
  })

  it('installs Docker\'s engine from a method-docker bundle (stand-in repository) on a machine that reaches nothing: docker-ce pinned, compose with it, tk status says method docker', async () => {
    const inspect = JSON.parse((await runTk(['bundle', 'inspect', bundles.docker, '--json'], {env})).stdout)
    expect(inspect.manifest).to.include({method: 'docker'})
    expect(inspect.manifest.engine).to.deep.equal({package: 'docker-ce', version: '5:20.10.23-1~debian.12~bookworm'})
    const names = (inspect.manifest.packages as Array<{name: string}>).map((item) => item.name)
    // Docker's packages and what they need beyond a minimal bookworm (iptables, tini, ... from Debian's archive); no docker.io.
    expect(names).to.include.members(['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-ce-rootless-extras', 'docker-compose-plugin', 'iptables', 'tini'])
    expect(names).to.not.include.members(['docker.io', 'containerd', 'runc'])

    const sources = await root(untouched, 'cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | md5sum; ls /etc/apt/sources.list.d')
    const {code, stdout, stderr} = await provision(untouched, bundles.docker, '--compose', '--json')
    expect(code, stderr + stdout).to.equal(0)
    const steps = Object.fromEntries((JSON.parse(stdout).hosts[0].result.steps as StepJson[]).map((step) => [step.id, step]))
    expect(steps.install.detail).to.match(/^from the bundle \(sent, \d+ MiB\): docker-ce=5:20\.10\.23-1~debian\.12~bookworm docker-ce-cli=5:20\.10\.23\S* containerd\.io /)
    expect(steps.compose.detail).to.equal('docker-compose-plugin, with the engine')
    expect(steps.verify.result).to.equal('verified')
    expect(await root(untouched, 'dpkg-query -W docker-ce docker-ce-cli docker-compose-plugin')).to.equal(
      'docker-ce\t5:20.10.23-1~debian.12~bookworm\ndocker-ce-cli\t5:20.10.23-1~debian.12~bookworm\ndocker-compose-plugin\t2.0.0-1~debian.12~bookworm\n',
    )
    const pin = await root(untouched, 'cat /etc/apt/preferences.d/tk-docker-engine')
    expect(pin).to.contain('Package: docker-ce\nPin: version 5:20.10.23-1~debian.12~bookworm\nPin-Priority: 1001').and.contain('Package: containerd.io\nPin: version 1.6.20-1')
    expect(await root(untouched, 'cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | md5sum; ls /etc/apt/sources.list.d'), 'the host\'s sources').to.equal(sources)

    const status = await runTk(['status', target(untouched), ...sandboxFlags(fixture), '--json'], {env})
    expect(status.code, status.stderr).to.equal(0)
    expect(JSON.parse(status.stdout).hosts[0].facts.engine).to.include({method: 'docker', daemon: 'running'})
  })
})
