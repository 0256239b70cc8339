/**
 * A user who is not root but is in the docker group of an engine that already
 * runs: `tk up` of a sandbox tk.yml makes the machine on that engine (its
 * image built by mmdebstrap --mode=unshare, without root), converges it, and
 * keeps the sandbox's keys in the user's own home. A container of someone
 * else on the same engine is neither listed nor removed by tk.
 *
 * "The user's engine" is a dockerd this test starts (its own data-root,
 * exec-root, pid file and socket of group docker; no default bridge and an
 * address pool of its own, so it meets neither a system engine nor the
 * sandbox engines of other runs), and the user is a throwaway account made
 * here and removed after. The test needs root for those two. Root's own tk
 * with TK_SANDBOX_ENGINE=user uses the same engine, its image built by
 * debootstrap and the same preparation script.
 */
import {expect} from 'chai'
import {execFileSync, spawn} from 'node:child_process'
import {chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import Docker from 'dockerode'

import {runTk, type TkRun} from '../run-tk.js'
import {cleanEnv} from '../support/tk-hosts.js'

const USER = `tk-ue-${process.pid}`

describe("sandbox machines on the user's own engine, as a member of its docker group", function () {
  this.timeout(15 * 60_000)
  let dir: string
  let socket: string
  let dockerdPid: number | undefined
  let docker: Docker
  let home: string
  let project: string

  /** tk as the user, as they would run it: their HOME, DOCKER_HOST, nothing of root's environment. */
  const tk = (args: string[]): Promise<TkRun> =>
    runTk(args, {cwd: project, as: {user: USER, env: {HOME: home, USER, PATH: '/usr/local/bin:/usr/bin:/bin', DOCKER_HOST: `unix://${socket}`}}})

  before(async function () {
    if (process.getuid?.() !== 0) this.skip() // it makes a user and starts an engine
    dir = mkdtempSync('/tmp/tk-ue-')
    chmodSync(dir, 0o711) // the user reaches the socket inside, nothing else
    socket = join(dir, 'docker.sock')
    const log = openSync(join(dir, 'dockerd.log'), 'a')
    const child = spawn(
      'dockerd',
      [
        `--data-root=${join(dir, 'data')}`,
        `--exec-root=${join(dir, 'exec')}`,
        `--pidfile=${join(dir, 'dockerd.pid')}`,
        `--host=unix://${socket}`,
        '--group=docker',
        '--bridge=none',
        '--default-address-pool=base=10.213.0.0/16,size=24',
        '--log-level=warn',
      ],
      {detached: true, stdio: ['ignore', log, log]},
    )
    closeSync(log)
    child.unref()
    dockerdPid = child.pid
    docker = new Docker({socketPath: socket})
    for (let tries = 0; tries < 300; tries++) {
      if (await docker.ping().then(() => true, () => false)) break
      await sleep(100)
    }
    await docker.ping()

    execFileSync('useradd', ['--create-home', '--groups', 'docker', '--shell', '/bin/sh', USER])
    home = `/home/${USER}`
    project = join(home, 'fleet')
    mkdirSync(project)
    writeFileSync(
      join(project, 'tk.yml'),
      [
        'version: 1',
        'provider: sandbox',
        'engine: {method: distro, compose: false}',
        'provisioners:',
        '  - name: hello',
        '    type: shell',
        '    inline: echo "made by $(id -un) on $(hostname)" > /etc/tk-hello',
        'hosts:',
        '  - name: box-1',
        '',
      ].join('\n'),
    )
    execFileSync('chown', ['-R', `${USER}:${USER}`, project])
  })

  after(async function () {
    if (!dir) return
    if (home && existsSync(join(project, 'tk.yml'))) await tk(['destroy', '--yes'])
    if (dockerdPid !== undefined) {
      process.kill(dockerdPid, 'SIGTERM')
      for (let tries = 0; tries < 300 && existsSync(`/proc/${dockerdPid}`); tries++) await sleep(100)
    }
    execFileSync('userdel', ['--remove', USER], {stdio: 'ignore'})
    execFileSync('rm', ['-rf', '--one-file-system', dir])
  })

  it('tk up makes the machine on that engine and runs the provisioner, without root', async () => {
    const {code, stdout, stderr} = await tk(['up', '--json'])
    expect(code, stderr + stdout.slice(-2000)).to.equal(0)
    expect(JSON.parse(stdout).summary).to.include({succeeded: 1, failed: 0})
    expect(stderr).to.contain(`using your Docker engine at ${socket} (DOCKER_HOST`)

    const [machine] = await docker.listContainers({filters: {label: ['tk.sandbox.host=box-1']}})
    expect(machine.State).to.equal('running')
    expect(machine.Names[0]).to.match(/^\/tk-sandbox-box-1-[0-9a-f]{8}$/)
    const hello = await tk(['exec', 'box-1', '--', 'cat /etc/tk-hello; ps -p 1 -o comm='])
    expect(hello.stdout).to.contain('made by root on box-1').and.match(/^systemd$/m)
  })

  it("keeps the sandbox's keys and known_hosts in the user's home, theirs alone", () => {
    const state = join(home, '.local/state/tk/sandbox')
    expect(statSync(state).mode & 0o777).to.equal(0o700)
    expect(statSync(state).uid).to.not.equal(0)
    expect(readFileSync(join(state, 'known_hosts'), 'utf8')).to.match(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 /m)
    expect(existsSync(join(state, 'engine', 'data'))).to.equal(false) // no engine of tk's own
  })

  it('as root with TK_SANDBOX_ENGINE=user, tk up uses that engine too, its image built by debootstrap', async () => {
    // Root's own project and keys (this run's sandbox home, whose debootstrap cache is warm).
    const rootProject = join(dir, 'root-fleet')
    mkdirSync(rootProject)
    writeFileSync(join(rootProject, 'tk.yml'), readFileSync(join(project, 'tk.yml'), 'utf8').replace('box-1', 'box-2'))
    const asRoot = (args: string[]) => runTk(args, {cwd: rootProject, env: {...cleanEnv, TK_SANDBOX_ENGINE: 'user', DOCKER_HOST: `unix://${socket}`}})
    const {code, stdout, stderr} = await asRoot(['up', '--json'])
    expect(code, stderr + stdout.slice(-2000)).to.equal(0)
    expect(stderr).to.contain(`using your Docker engine at ${socket}`).and.contain('building the Debian bookworm image')
    const hello = await asRoot(['exec', 'box-2', '--', 'cat /etc/tk-hello; sudo -u op sudo -n true 2>/dev/null || echo op-needs-password'])
    expect(hello.stdout).to.contain('made by root on box-2').and.contain('op-needs-password')
    expect((await asRoot(['destroy', '--yes'])).code).to.equal(0)
  })

  it("lists and removes only tk's machines on a shared engine", async () => {
    const other = await docker.createContainer({name: 'someone-elses', Image: 'tk-sandbox/debian:bookworm', Labels: {owner: 'not-tk'}})
    const status = await tk(['status', '--json'])
    expect(status.code, status.stderr).to.equal(0)
    expect(status.stdout).to.contain('box-1').and.not.contain('someone-elses')

    const destroyed = await tk(['destroy', '--yes'])
    expect(destroyed.code, destroyed.stderr).to.equal(0)
    const left = await docker.listContainers({all: true})
    expect(left.map((container) => container.Names[0])).to.deep.equal(['/someone-elses'])
    await other.remove({force: true})
  })
})
