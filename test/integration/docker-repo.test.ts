/**
 * `method: docker` on a real bookworm machine, against a STAND-IN for
 * Docker's apt repository (test/support/docker-repo.ts): Debian's own engine
 * packages repackaged under Docker's names and versions (docker-ce and
 * docker-ce-cli split from docker.io, containerd.io from containerd and runc,
 * empty rootless-extras and compose-plugin stand-ins), signed with a key the
 * test makes, served over HTTP on the sandbox network. Two engine versions
 * (20.10.23 and 20.10.24, the same build under two Docker versions) prove
 * pinning and tk upgrade within a range. A trixie stand-in (trixie's
 * docker.io as docker-ce, its docker-cli as docker-ce-cli, downloaded from
 * Debian's archive through tk bundle's private apt root) proves a fresh
 * pinned install and a re-run on a trixie machine.
 */
import {expect} from 'chai'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'
import {cutOffEgress} from '../support/no-egress.js'
import {buildDockerRepo, type DockerRepo, type DockerRepoServer, sandboxGateway, serveDockerRepo} from '../support/docker-repo.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {cleanEnv, sandboxFlags, target} from '../support/tk-hosts.js'

describe('tk provision --method docker (stand-in repository) on a sandbox machine', function () {
  this.timeout(20 * 60_000)
  let fixture: SandboxFixture
  let repo: DockerRepo
  let server: DockerRepoServer
  let machine: TestMachine
  let dir: string
  let trixieRepo: DockerRepo
  let trixieServer: DockerRepoServer
  let trixie: TestMachine

  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`
  const root = async (command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${quote(command)}`, {timeoutMs: 10 * 60_000})
    if (result.code !== 0) throw new Error(`${command} failed on ${machine.name}: ${result.stderr}${result.stdout}`)
    return result.stdout
  }
  const version = async (name: string) => (await root(`dpkg-query -W -f '\${Version}' ${name} 2>/dev/null || true`)).trim()
  const repoFlags = (extra: {url?: string; fingerprint?: string} = {}) => [
    '--method',
    'docker',
    '--repository',
    extra.url ?? server.url,
    '--repository-key',
    repo.keyFile,
    '--repository-fingerprint',
    extra.fingerprint ?? repo.fingerprint,
  ]
  const provision = (...args: string[]) => runTk(['provision', target(machine), ...sandboxFlags(fixture), ...args], {env: cleanEnv})
  /** Nothing of the docker method is on the host: no source, no key, no pin, no engine. */
  const untouched = async () => {
    expect((await root('ls /etc/apt/sources.list.d/ /etc/apt/keyrings/ /etc/apt/preferences.d/ 2>/dev/null || true')).split(/\s+/)).to.not.include.members(['docker.sources', 'docker.gpg', 'tk-docker-engine'])
    expect(await version('docker-ce')).to.equal('')
  }

  before(async function () {
    this.timeout(30 * 60_000)
    fixture = await sandboxFixture({releases: ['bookworm', 'trixie']})
    ;[repo, machine, trixieRepo, trixie] = await Promise.all([
      buildDockerRepo({versions: ['20.10.23', '20.10.24']}),
      fixture.machine({release: 'bookworm', keep: true}),
      buildDockerRepo({versions: ['26.1.4', '26.1.5'], release: 'trixie'}),
      fixture.machine({release: 'trixie', keep: true}),
    ])
    const gateway = await sandboxGateway(fixture)
    ;[server, trixieServer] = await Promise.all([serveDockerRepo(repo, {host: gateway}), serveDockerRepo(trixieRepo, {host: gateway})])
    dir = mkdtempSync(join(tmpdir(), 'tk-docker-repo-test-'))
  })
  after(async () => {
    await server?.close()
    await trixieServer?.close()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('refuses a key whose fingerprint is not the one given, before touching any host', async () => {
    const before = server.requests.length
    const {code, stdout, stderr} = await provision(...repoFlags({fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567'}))
    expect(code, stdout + stderr).to.equal(3)
    expect(stderr.trim().split('\n')).to.have.length(1)
    expect(stderr).to.match(/^tk: the repository key .* has fingerprint .*, not 0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567: refused, nothing was written to any host/m)
    expect(stderr).to.not.match(/\n\s+at /)
    expect(server.requests.length).to.equal(before)
    await untouched()
  })

  it('says in one line that a repository does not serve the host\'s release, and writes nothing', async () => {
    const {code, stdout, stderr} = await provision(...repoFlags({url: server.url.replace(/\/linux$/, '/linux/nothing-here')}), '--json')
    expect(code, stdout + stderr).to.equal(8)
    const [host] = (JSON.parse(stdout) as {hosts: Array<{error: {message: string}}>}).hosts
    expect(host.error.message).to.match(/does not serve debian bookworm \(no dists\/bookworm\/Release\); nothing was changed on the host$/)
    await untouched()
  })

  it('shows the repository, the key fingerprint and the versions in a dry run, and changes nothing', async () => {
    const {code, stdout, stderr} = await provision(...repoFlags(), '--engine-version', '20.10.23', '--dry-run')
    expect(code, stdout + stderr).to.equal(0)
    const install = stdout.split('\n').find((line) => /\binstall\b/.test(line)) ?? ''
    expect(install, stdout).to.include(`docker-ce ${repo.engineVersion('20.10.23')} (newest within 20.10.23)`)
    expect(install).to.include(`from ${server.url}/debian bookworm stable (amd64)`)
    expect(install).to.include(`key ${repo.fingerprint.replace(/(.{4})/g, '$1 ').trim()}`)
    expect(install).to.include('containerd.io 1.6.20-1')
    await untouched()
  })

  it('installs the pinned version from the repository (replacing an older docker.list for it), pins it, and a re-run changes nothing', async () => {
    // What get.docker.com leaves behind: a one-line source for the same repository, with another key path.
    await root(`echo "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] ${server.url}/debian bookworm stable" > /etc/apt/sources.list.d/docker.list`)
    const first = await provision(...repoFlags(), '--engine-version', '20.10.23', '--json')
    expect(first.code, first.stdout + first.stderr).to.equal(0)
    if (process.env.TK_TEST_TIMINGS) process.stderr.write(`${JSON.stringify((JSON.parse(first.stdout) as {hosts: Array<{result: {steps: Array<{id: string; durationMs: number}>}}>}).hosts[0].result.steps.map((step) => [step.id, step.durationMs]))}\n`)
    const engine = repo.engineVersion('20.10.23')
    for (const name of ['docker-ce', 'docker-ce-cli', 'docker-ce-rootless-extras']) expect(await version(name), name).to.equal(engine)
    expect(await version('containerd.io')).to.equal('1.6.20-1')
    expect(await version('docker.io')).to.equal('')
    const sources = await root('cat /etc/apt/sources.list.d/docker.sources')
    expect(sources).to.match(new RegExp(`^URIs: ${server.url}/debian$`, 'm'))
    expect(sources).to.match(/^Signed-By: \/etc\/apt\/keyrings\/docker\.gpg$/m)
    expect(await root('ls /etc/apt/sources.list.d/')).to.match(/docker\.list\.disabled/).and.not.match(/docker\.list\n/)
    expect(await root('stat -c %a /etc/apt/keyrings/docker.gpg')).to.equal('644\n')
    expect((await root('docker version --format "{{.Server.Version}}"')).trim()).to.match(/^20\.10\.24/) // the stand-in's own build
    // apt itself is content: no conflicting Signed-By, the repository's signature good.
    expect(await root('apt-get update 2>&1')).to.not.match(/Conflicting values|NO_PUBKEY|not signed|^[EW]:/m)

    const again = await provision(...repoFlags(), '--engine-version', '20.10.23', '--json')
    expect(again.code, again.stdout + again.stderr).to.equal(0)
    const [host] = (JSON.parse(again.stdout) as {hosts: Array<{result: {changed: number}}>}).hosts
    expect(host.result.changed).to.equal(0)

    // tk check HOST says how the engine came.
    const check = await runTk(['check', target(machine), ...sandboxFlags(fixture), '--json'], {env: cleanEnv})
    const [checked] = (JSON.parse(check.stdout) as {hosts: Array<{report: {engine?: {method: string; repository?: string}}}>}).hosts
    expect(checked.report.engine).to.deep.equal({method: 'docker', repository: `${server.url}/debian bookworm stable`})
  })

  it("keeps the engine and containerd.io at the pin through the host's own apt-get upgrade", async () => {
    const engine = repo.engineVersion('20.10.23')
    // Without the pin 20.10.24 would be apt's candidate.
    const policy = await root('apt-cache policy docker-ce containerd.io')
    expect(policy).to.match(new RegExp(`docker-ce:\\n  Installed: ${engine.replaceAll('.', '\\.')}\\n  Candidate: ${engine.replaceAll('.', '\\.')}`))
    expect(policy).to.match(/containerd\.io:\n {2}Installed: 1\.6\.20-1\n {2}Candidate: 1\.6\.20-1/)
    expect(policy).to.match(/1001/)
    await root('DEBIAN_FRONTEND=noninteractive apt-get -q -y upgrade')
    for (const name of ['docker-ce', 'docker-ce-cli', 'docker-ce-rootless-extras']) expect(await version(name), name).to.equal(engine)
    expect(await version('containerd.io')).to.equal('1.6.20-1')
  })

  it('tk upgrade moves the engine within the range, its CLI and rootless extras with it, and re-pins', async () => {
    const {code, stdout, stderr} = await runTk(['upgrade', target(machine), ...sandboxFlags(fixture), '--engine-version', '^20.10', '--json'], {env: cleanEnv})
    expect(code, stdout + stderr).to.equal(0)
    const engine = repo.engineVersion('20.10.24')
    for (const name of ['docker-ce', 'docker-ce-cli', 'docker-ce-rootless-extras']) expect(await version(name), name).to.equal(engine)
    expect(await root('cat /etc/apt/preferences.d/tk-docker-engine')).to.include(`Pin: version ${engine}`)
    expect((await root('docker info --format "{{.ServerVersion}}"')).trim()).to.match(/^20\.10\./)
    await root('DEBIAN_FRONTEND=noninteractive apt-get -q -y upgrade')
    expect(await version('docker-ce')).to.equal(engine)
  })

  it('through the workstation (--fetch-via workstation) on a machine that reaches nothing: the repository read and installed from through the forward, /etc/apt as it was but for the docker method\'s own files', async () => {
    const isolated = await fixture.machine({release: 'bookworm'})
    await cutOffEgress(isolated)
    const log = join(dir, 'proxy.log')
    const before = (await isolated.ssh('admin', 'sudo -n sh -c "ls -A /etc/apt/apt.conf.d; cat /etc/apt/apt.conf.d/* 2>/dev/null | md5sum"')).stdout
    const run = await runTk(['provision', target(isolated), ...sandboxFlags(fixture), ...repoFlags(), '--engine-version', '20.10.23', '--fetch-via', 'workstation', '--no-compose'], {
      env: {...cleanEnv, TK_FETCH_PROXY_LOG: log},
    })
    expect(run.code, run.stdout + run.stderr).to.equal(0)
    const installed = await isolated.ssh('admin', "sudo -n dpkg-query -W -f '${Version}' docker-ce; echo; sudo -n cat /var/lib/tk/engine-install")
    expect(installed.stdout).to.match(/^5:20\.10\.23-1~debian\.12~bookworm$/m)
    expect(installed.stdout).to.contain('via=workstation')
    // The stand-in repository (on the sandbox gateway, which the machine cannot reach) and Debian's archive, both through the proxy.
    const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []
    const repoHost = new URL(server.url).host
    expect(lines.filter((line) => line.includes(' passed ') && line.includes(repoHost)), lines.join('\n')).to.not.be.empty
    expect(lines.filter((line) => line.includes(' refused ')), lines.join('\n')).to.be.empty
    expect((await isolated.ssh('admin', 'sudo -n sh -c "ls -A /etc/apt/apt.conf.d; cat /etc/apt/apt.conf.d/* 2>/dev/null | md5sum"')).stdout).to.equal(before)
  })

  it('on trixie: installs the pinned version from a trixie repository (docker-ce-cli, not Debian\'s docker-cli), and a re-run changes nothing', async () => {
    const trixieFlags = ['--method', 'docker', '--repository', trixieServer.url, '--repository-key', trixieRepo.keyFile, '--repository-fingerprint', trixieRepo.fingerprint, '--engine-version', '26.1.4', '--no-compose']
    const first = await runTk(['provision', target(trixie), ...sandboxFlags(fixture), ...trixieFlags, '--json'], {env: cleanEnv})
    expect(first.code, first.stdout + first.stderr).to.equal(0)
    const engine = trixieRepo.engineVersion('26.1.4')
    expect(engine).to.equal('5:26.1.4-1~debian.13~trixie')
    const installed = await trixie.ssh('admin', "sudo -n dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\\n' docker-ce docker-ce-cli containerd.io docker.io docker-cli 2>/dev/null; sudo -n docker version --format '{{.Server.Version}}'; sudo -n cat /etc/apt/preferences.d/tk-docker-engine")
    expect(installed.stdout).to.contain(`docker-ce ${engine} ii`).and.contain(`docker-ce-cli ${engine} ii`).and.contain('containerd.io 1.6.20-1 ii')
    expect(installed.stdout).to.not.match(/^docker\.io \S+ ii/m).and.not.match(/^docker-cli \S+ ii/m)
    expect(installed.stdout).to.match(/^26\.1\./m) // trixie's own build under the stand-in's name
    expect(installed.stdout).to.contain(`Package: docker-ce\nPin: version ${engine}\nPin-Priority: 1001`)

    const again = await runTk(['provision', target(trixie), ...sandboxFlags(fixture), ...trixieFlags, '--json'], {env: cleanEnv})
    expect(again.code, again.stdout + again.stderr).to.equal(0)
    expect((JSON.parse(again.stdout) as {hosts: Array<{result: {changed: number}}>}).hosts[0].result.changed).to.equal(0)
  })
})
