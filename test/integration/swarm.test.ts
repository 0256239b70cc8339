/**
 * tk.yml's swarm: on real sandbox machines. One manager (bookworm) and two
 * workers (trixie, bullseye) form a cluster with tk up; a re-run changes
 * nothing; group labels are on the nodes; a dnsrr service on an overlay
 * network answers from every node (this kernel has VXLAN but no IPVS: no
 * routing mesh); 1 -> 3 managers and back; a host already in another swarm
 * is refused and left as it was; --prune makes a host taken out of swarm:
 * leave. While tk joins, a sampler of each host's process list (ps every
 * 50 ms, bounded) never sees a join token, and none is in tk's output,
 * --json, or the files tk writes.
 */
import {expect} from 'chai'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk, TK_BIN} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {tmuxTerminal} from '../support/terminal.js'
import {busyboxImageTar, cleanEnv, sandboxFlags, sandboxFleetYaml, target} from '../support/tk-hosts.js'

interface SwarmJson {
  changed: number
  actions: Array<{target: string; action: string; detail: string}>
  refused: Array<{target: string; message: string}>
  notices: string[]
  cluster?: {id: string; managers: number; reachableManagers: number; workers: number}
  error?: {message: string}
}

interface UpJson {
  hosts: Array<{target: string; ok: boolean; error?: {message: string}; result?: {changed: number}}>
  summary: {succeeded: number; failed: number; changed: number}
  swarm?: SwarmJson
}

const APPLETS = ['sh', 'true', 'echo', 'cat', 'sleep', 'hostname', 'httpd', 'nslookup', 'mkdir', 'grep', 'sort']

describe('tk up with swarm: on sandbox machines', function () {
  this.timeout(15 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let m1: TestMachine
  let w1: TestMachine
  let w2: TestMachine
  const outputs: string[] = []
  const tk = async (args: string[]) => {
    const run = await runTk(args, {cwd: dir, env: {...cleanEnv, TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts}})
    outputs.push(run.stdout, run.stderr)
    return run
  }
  const up = async (args: string[] = []) => {
    const run = await tk(['up', '--json', ...args])
    return {...run, json: JSON.parse(run.stdout) as UpJson}
  }
  const docker = async (machine: TestMachine, command: string) => {
    const run = await machine.ssh('admin', command)
    expect(run.code, `${command}: ${run.stderr}`).to.equal(0)
    return run.stdout.trim()
  }
  const writeConfig = (swarm: string[]) => {
    writeFileSync(
      join(dir, 'tk.yml'),
      sandboxFleetYaml(
        fixture,
        [
          {name: 'm1', machine: m1, groups: ['core']},
          {name: 'w1', machine: w1, groups: ['web']},
          {name: 'w2', machine: w2, groups: ['web']},
        ],
        ['engine:', '  users: [admin]', '  compose: false', ...swarm],
      ),
    )
  }
  const SWARM = ['swarm:', '  managers: [m1]', "  workers: ['@web']", '  labels:', "    '@web': {tier: web}", '    w2: {disk: ssd}']

  before(async () => {
    fixture = await sandboxFixture({releases: ['bookworm', 'trixie', 'bullseye']})
    ;[m1, w1, w2] = await Promise.all([
      fixture.machine({release: 'bookworm', keep: true}),
      fixture.machine({release: 'trixie', keep: true}),
      fixture.machine({release: 'bullseye', keep: true}),
    ])
    dir = mkdtempSync(join(tmpdir(), 'tk-swarm-'))
    // The engines first, without swarm: (what the swarm phase costs is measured apart, in bench/swarm.js).
    writeConfig([])
    const {code, json, stderr} = await up()
    expect(code, stderr).to.equal(0)
    expect(json.swarm).to.equal(undefined)
    const image = busyboxImageTar(APPLETS)
    await Promise.all(
      [m1, w1, w2].map(async (machine) => {
        const imported = await runTk(['exec', '--stdin', target(machine), ...sandboxFlags(fixture), '--', `docker import -c 'CMD ["true"]' - tk-busybox`], {env: cleanEnv, input: image})
        expect(imported.code, imported.stderr).to.equal(0)
      }),
    )
  })

  after(() => {
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  /** tk up while each host samples its own process list every 50 ms until told to stop (at most 1200 samples); no sample holds a token. */
  const sampledUp = async () => {
    const stop = '/tmp/tk-test-sampler-stop'
    const sampling = [m1, w1, w2].map((machine) =>
      machine.ssh('admin', `rm -f ${stop}; i=0; while [ $i -lt 1200 ] && [ ! -e ${stop} ]; do ps -eww -o args; i=$((i+1)); sleep 0.05; done; echo "samples $i"`, {timeoutMs: 120_000}),
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
    const run = await up()
    await Promise.all([m1, w1, w2].map((machine) => machine.ssh('admin', `touch ${stop}`)))
    for (const sample of await Promise.all(sampling)) {
      expect(Number(/samples (\d+)/.exec(sample.stdout)?.[1])).to.be.greaterThan(5)
      expect(sample.stdout).to.contain('ps -eww -o args')
      expect(sample.stdout).not.to.contain('SWMTKN')
    }
    return run
  }

  it('tk up --dry-run says it would start the swarm and join the others, and changes nothing', async () => {
    writeConfig(SWARM)
    const {code, json, stderr} = await up(['--dry-run'])
    expect(code, stderr).to.equal(0)
    expect(json.swarm?.actions.map((action) => `${action.target} ${action.action} ${(action as {result?: string}).result}`)).to.have.members(['m1 init would-change', 'w1 join would-change', 'w2 join would-change'])
    expect(json.swarm?.actions.find((action) => action.action === 'init')?.detail).to.match(/^would start the swarm \(advertise \d+\.\d+\.\d+\.\d+\)$/)
    const plain = await tk(['up', '--dry-run'])
    expect(plain.code, plain.stderr).to.equal(0)
    expect(plain.stdout).to.match(/^swarm m1: init would change would start the swarm/m).and.match(/^swarm w2: join would change would join as a worker/m)
    for (const machine of [m1, w1, w2]) expect(await docker(machine, 'docker info --format "{{.Swarm.LocalNodeState}}"'), machine.name).to.equal('inactive') // eslint-disable-line no-await-in-loop
  })

  it('starts the swarm on the manager; a worker already in another swarm is refused with one line and left as it was', async () => {
    await docker(w2, 'docker swarm init --advertise-addr eth0 >/dev/null')
    const before = await docker(w2, 'docker info --format "{{.Swarm.NodeID}} {{.Swarm.Cluster.ID}} {{.Swarm.ControlAvailable}}"')
    writeConfig(SWARM)
    const {code, json, stderr} = await sampledUp()
    expect(code, stderr).to.equal(1)
    expect(json.swarm?.actions.map((action) => `${action.target} ${action.action}`)).to.have.members(['m1 init', 'w1 join', 'w1 update'])
    expect(json.swarm?.refused.map((refusal) => refusal.target)).to.deep.equal(['w2'])
    expect(json.swarm?.refused[0].message).to.match(/^w2 is already in another swarm \(node \w{12}, swarm \w{12}\); tk leaves it as it is$/)
    expect(await docker(w2, 'docker info --format "{{.Swarm.NodeID}} {{.Swarm.Cluster.ID}} {{.Swarm.ControlAvailable}}"')).to.equal(before)
    // Without --json: one line on stderr, no stack.
    const plain = await tk(['up'])
    expect(plain.code).to.equal(1)
    expect(plain.stderr.split('\n').filter((line) => line.includes('w2 is already in another swarm')), plain.stderr).to.have.length(1)
    expect(plain.stderr).not.to.match(/\n\s+at /)
    expect(plain.stdout).to.match(/swarm \w{12}: 1 manager \(1 reachable, quorum held\), 1 worker/)
    await docker(w2, 'docker swarm leave --force >/dev/null')
  })

  it('forms the cluster: the freed worker joins; no token in any process list while it does', async () => {
    const {code, json, stderr, stdout} = await sampledUp()
    expect(code, stderr + stdout).to.equal(0)
    expect(json.swarm?.actions.map((action) => `${action.target} ${action.action}`)).to.have.members(['w2 join', 'w2 update'])
    expect(json.swarm?.cluster).to.include({managers: 1, reachableManagers: 1, workers: 2})
    const nodes = await docker(m1, 'docker node ls --format "{{.Hostname}} {{.ManagerStatus}} {{.Status}}"')
    expect(nodes.split('\n')).to.have.length(3)
    expect(nodes).to.contain('Leader')
    // Each node advertises its address on the sandbox network, where the others reach it.
    const addrs = await docker(m1, 'docker node ls -q | xargs docker node inspect --format "{{.Status.Addr}}"')
    for (const addr of addrs.split('\n')) expect(addr).to.match(/^\d+\.\d+\.\d+\.\d+$/).and.not.match(/^127\./)
  })

  it('a re-run changes nothing', async () => {
    const {code, json, stderr} = await up()
    expect(code, stderr).to.equal(0)
    expect(json.summary.changed).to.equal(0)
    expect(json.swarm).to.include({changed: 0})
    expect(json.swarm?.actions).to.deep.equal([])
  })

  /** The join tokens' digests, taken on the manager: the test compares them and never sees a token. */
  const tokenDigests = async () => {
    const [worker, manager] = (await docker(m1, 'docker swarm join-token -q worker | sha256sum; docker swarm join-token -q manager | sha256sum')).split('\n')
    return {worker, manager}
  }

  it('tk swarm rotate-tokens rotates the join tokens on a manager, never showing them; --worker only the workers\'; --dry-run none', async () => {
    const before = await tokenDigests()
    const dry = await tk(['swarm', 'rotate-tokens', '--dry-run'])
    expect(dry.code, dry.stderr).to.equal(0)
    expect(dry.stdout.trim()).to.match(/^would rotate the worker and manager join tokens of swarm \w{12} on m1$/)
    expect(await tokenDigests()).to.deep.equal(before)

    const rotated = await tk(['swarm', 'rotate-tokens'])
    expect(rotated.code, rotated.stderr).to.equal(0)
    expect(rotated.stdout.trim()).to.match(/^rotated the worker and manager join tokens of swarm \w{12} on m1: the old ones no longer work; nodes in the swarm are not affected$/)
    const after = await tokenDigests()
    expect(after.worker).not.to.equal(before.worker)
    expect(after.manager).not.to.equal(before.manager)

    const workerOnly = await tk(['swarm', 'rotate-tokens', '--worker', '--json'])
    expect(workerOnly.code, workerOnly.stderr).to.equal(0)
    expect(JSON.parse(workerOnly.stdout)).to.include({dryRun: false, manager: 'm1'}).and.to.have.property('rotated').that.deep.equals(['worker'])
    const last = await tokenDigests()
    expect(last.worker).not.to.equal(after.worker)
    expect(last.manager).to.equal(after.manager)
    for (const run of [dry, rotated, workerOnly]) expect(run.stdout + run.stderr).not.to.contain('SWMTKN')

    // Without a swarm: section: one line, exit 4 (config).
    const config = join(dir, 'no-swarm.yml')
    writeFileSync(config, readFileSync(join(dir, 'tk.yml'), 'utf8').replace(/^swarm:[\s\S]*?(?=^hosts:)/m, ''))
    const none = await tk(['swarm', 'rotate-tokens', '-c', config])
    expect(none.code).to.equal(4)
    expect(none.stderr.trim().split('\n')[0]).to.match(/has no swarm: section/)
  })

  it('after the rotation, a worker that joins again does so with the new token; a firewall that blocks 2377 refuses the join in one line, and nothing is half-joined', async () => {
    // w2 leaves, and its node is taken off the list: it is a new host to the swarm.
    const id = await docker(w2, 'docker info --format "{{.Swarm.NodeID}}"')
    await docker(w2, 'docker swarm leave >/dev/null')
    for (let attempt = 0; attempt < 60; attempt++) {
      // eslint-disable-next-line no-await-in-loop -- bounded: the manager sees it down within a few seconds
      if ((await docker(m1, `docker node inspect --format '{{.Status.State}}' ${id}`)) === 'down') break
      await new Promise((resolve) => setTimeout(resolve, 500)) // eslint-disable-line no-await-in-loop
    }
    await docker(m1, `docker node rm ${id} >/dev/null`)
    // A firewall on w2 that drops its connections to port 2377.
    await docker(w2, 'sudo iptables -I OUTPUT -p tcp --dport 2377 -j DROP')
    try {
      const {code, json} = await up()
      expect(code).to.equal(1)
      expect(json.swarm?.refused.map((refusal) => refusal.target)).to.deep.equal(['w2'])
      expect(json.swarm?.refused[0].message).to.match(/^w2 cannot reach the swarm's managers at \d+\.\d+\.\d+\.\d+ port 2377\/tcp \(timed out\); firewall active: (nftables|iptables) on w2; tk does not join it$/)
      expect(await docker(w2, 'docker info --format "{{.Swarm.LocalNodeState}}"')).to.equal('inactive')
      expect((await docker(m1, 'docker node ls -q')).split('\n')).to.have.length(2)
      const plain = await tk(['up'])
      expect(plain.code).to.equal(1)
      expect(plain.stderr.split('\n').filter((line) => line.includes('w2 cannot reach')), plain.stderr).to.have.length(1)
      expect(plain.stderr).not.to.match(/\n\s+at /)
    } finally {
      await docker(w2, 'sudo iptables -D OUTPUT -p tcp --dport 2377 -j DROP')
    }
    // The rule gone, w2 joins, with the token rotated above.
    const {code, json, stderr} = await up()
    expect(code, stderr).to.equal(0)
    expect(json.swarm?.actions.map((action) => `${action.target} ${action.action}`)).to.have.members(['w2 join', 'w2 update'])
    expect(json.swarm?.cluster).to.include({managers: 1, reachableManagers: 1, workers: 2})
    expect(await docker(w2, 'docker info --format "{{.Swarm.LocalNodeState}}"')).to.equal('active')
  })

  it('group labels, then the host\'s own, are on the nodes', async () => {
    const labels = async (machine: TestMachine) => {
      const id = await docker(machine, 'docker info --format "{{.Swarm.NodeID}}"')
      return JSON.parse(await docker(m1, `docker node inspect --format '{{json .Spec.Labels}}' ${id}`)) as Record<string, string>
    }
    expect(await labels(w1)).to.include({tier: 'web'})
    expect(await labels(w2)).to.include({tier: 'web', disk: 'ssd'})
  })

  it('tk status: each host\'s role, state, availability and reachability, and a line for the cluster', async () => {
    const plain = await tk(['status'])
    expect(plain.code, plain.stderr).to.equal(0)
    expect(plain.stdout).to.match(/^m1 .* manager leader ready active /m).and.match(/^w1 .* worker ready active /m)
    expect(plain.stdout).to.match(/^swarm \w{12}: 1 manager \(1 reachable, quorum held\), 2 workers$/m)
    const json = JSON.parse((await tk(['status', '--json'])).stdout) as {hosts: Array<{name: string; swarm?: {role: string; state: string; availability: string; reachability?: string; leader?: boolean}}>; swarms: Array<{managers: number; reachableManagers: number; workers: number; quorum: boolean}>}
    expect(json.hosts.find((host) => host.name === 'm1')?.swarm).to.include({role: 'manager', state: 'ready', availability: 'active', reachability: 'reachable', leader: true})
    expect(json.hosts.find((host) => host.name === 'w2')?.swarm).to.include({role: 'worker', state: 'ready', availability: 'active'})
    expect(json.swarms).to.deep.equal([{id: json.swarms[0] && (json.swarms[0] as {id?: string}).id, managers: 1, reachableManagers: 1, workers: 2, quorum: true}])
  })

  it('a dnsrr service on an overlay network answers from every node', async () => {
    await docker(m1, 'docker network create -d overlay --attachable tk-net')
    await docker(
      m1,
      `docker service create -d --name web --network tk-net --endpoint-mode dnsrr --replicas 3 --replicas-max-per-node 1 --no-resolve-image tk-busybox sh -c 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www'`,
    )
    // Each replica on its own node; poll until all three run (bounded: 60 s).
    let running = ''
    for (let attempt = 0; attempt < 120 && running.split('\n').filter(Boolean).length < 3; attempt++) {
      // eslint-disable-next-line no-await-in-loop
      running = (await m1.ssh('admin', 'docker service ps web --filter desired-state=running --format "{{.CurrentState}}" | grep ^Running')).stdout
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    expect(running.split('\n').filter(Boolean), running).to.have.length(3)
    // From a container on each node: every task's address answers with its task's hostname (busybox-static's
    // wget crashes in these containers; nc speaks the HTTP/1.0 request instead).
    const probe = `for a in $(nslookup tasks.web 2>/dev/null | grep -A9 "^Name" | grep -o "[0-9]*\\.[0-9]*\\.[0-9]*\\.[0-9]*" | sort -u); do printf "GET / HTTP/1.0\\r\\n\\r\\n" | busybox nc -w 3 $a 8080 | tail -1; done`
    for (const machine of [m1, w1, w2]) {
      let answers: string[] = []
      for (let attempt = 0; attempt < 20 && answers.length < 3; attempt++) {
        // eslint-disable-next-line no-await-in-loop
        const run = await machine.ssh('admin', `docker run --rm --network tk-net tk-busybox sh -c '${probe}'`)
        answers = run.stdout.split('\n').filter(Boolean)
        // eslint-disable-next-line no-await-in-loop
        if (answers.length < 3) await new Promise((resolve) => setTimeout(resolve, 500))
      }
      expect(new Set(answers).size, `${machine.name}: ${answers.join(', ')}`).to.equal(3)
    }
    await docker(m1, 'docker service rm web && docker network rm tk-net')
  })

  it('1 -> 3 managers, then back to 1, quorum kept on the way', async () => {
    writeConfig(['swarm:', "  managers: [m1, '@web']", '  labels:', "    '@web': {tier: web}", '    w2: {disk: ssd}', '    w1: {zone: a}'])
    // A dry run first: what it would promote and label, and nothing changed.
    let {code, json, stderr} = await up(['--dry-run'])
    expect(code, stderr).to.equal(0)
    expect(json.swarm?.actions.map((action) => `${action.target} ${action.action} ${action.detail}`)).to.have.members(['w1 promote worker -> manager; labels zone=a', 'w2 promote worker -> manager'])
    expect(await docker(m1, 'docker node ls --filter role=manager -q | wc -l')).to.equal('1')
    expect(await docker(m1, 'docker node ls -q | xargs docker node inspect --format "{{json .Spec.Labels}}"')).not.to.contain('zone')
    ;({code, json, stderr} = await up())
    expect(code, stderr).to.equal(0)
    expect(json.swarm?.actions.map((action) => `${action.target} ${action.action}`)).to.have.members(['w1 promote', 'w2 promote'])
    expect(json.swarm?.cluster).to.include({managers: 3, reachableManagers: 3, workers: 0})
    ;({code, json, stderr} = await up())
    expect(code, stderr).to.equal(0)
    expect(json.swarm?.changed).to.equal(0)
    writeConfig(SWARM)
    ;({code, json, stderr} = await up())
    expect(code, stderr).to.equal(0)
    expect(json.swarm?.actions.map((action) => `${action.target} ${action.action}`)).to.have.members(['w1 demote', 'w2 demote'])
    expect(json.swarm?.cluster).to.include({managers: 1, reachableManagers: 1, workers: 2})
  })

  it('a host taken out of swarm: stays until --prune, which makes it leave', async () => {
    writeConfig(['swarm:', '  managers: [m1]', '  workers: [w1]', '  labels:', "    '@web': {tier: web}"])
    let {code, json, stderr} = await up()
    expect(code, stderr).to.equal(0)
    expect(json.swarm?.notices.join('\n')).to.contain('w2 is in the swarm but not under swarm: in tk.yml (tk up --prune makes it leave)')
    expect(await docker(w2, 'docker info --format "{{.Swarm.LocalNodeState}}"')).to.equal('active')
    ;({code, json, stderr} = await up(['--prune']))
    expect(code, stderr).to.equal(0)
    expect(json.swarm?.actions.map((action) => `${action.target} ${action.action}`)).to.deep.equal(['w2 leave'])
    expect(json.swarm?.cluster).to.include({managers: 1, workers: 1})
    expect(await docker(w2, 'docker info --format "{{.Swarm.LocalNodeState}}"')).to.equal('inactive')
    expect((await docker(m1, 'docker node ls -q')).split('\n')).to.have.length(2)
  })

  it('autolock: the unlock key is shown once on a terminal with how to store it, never again, never in --json or piped output', async () => {
    const SWARM_AUTOLOCK = ['swarm:', '  managers: [m1]', '  workers: [w1]', '  autolock: true', '  labels:', "    '@web': {tier: web}"]
    // Piped, with --json: autolock goes on, the key is in neither stream; stderr says where to read it.
    writeConfig(SWARM_AUTOLOCK)
    let run = await up()
    expect(run.code, run.stderr).to.equal(0)
    expect(run.json.swarm?.actions.map((action) => `${action.target} ${action.action}`)).to.deep.equal(['m1 autolock'])
    expect(run.stdout + run.stderr).not.to.contain('SWMKEY')
    expect(run.stderr).to.contain('its unlock key is not printed here (not a terminal)')
    writeConfig(SWARM_AUTOLOCK.filter((line) => !line.includes('autolock')))
    expect((await up()).code).to.equal(0)
    // Piped without --json: the same.
    writeConfig(SWARM_AUTOLOCK)
    const plain = await tk(['up'])
    expect(plain.code, plain.stderr).to.equal(0)
    expect(plain.stdout + plain.stderr).not.to.contain('SWMKEY')
    writeConfig(SWARM_AUTOLOCK.filter((line) => !line.includes('autolock')))
    expect((await up()).code).to.equal(0)

    // On a terminal (tmux): shown once, with how to store it; a re-run shows nothing of it.
    writeConfig(SWARM_AUTOLOCK)
    const onTerminal = async (name: string) => {
      const session = `tk-swarm-${name}-${process.pid}`
      const marker = join(dir, `${name}-exit`)
      const command = ['env', 'SSH_AUTH_SOCK=', 'NO_COLOR=1', `TK_KNOWN_HOSTS=${fixture.sandbox.home.knownHosts}`, process.execPath, TK_BIN, 'up'].map((word) => `'${word}'`).join(' ')
      const {tmux} = tmuxTerminal(session)
      expect(tmux('new-session', '-d', '-s', session, '-x', '150', '-y', '50', '-c', dir, `${command}; echo "exit=$?" > ${marker}; sleep 60`).status).to.equal(0)
      try {
        // Until tk up ends (bounded: 5 minutes).
        for (let attempt = 0; attempt < 600 && !readFileSync(marker, {encoding: 'utf8', flag: 'a+'}).trim(); attempt++) await new Promise((resolve) => setTimeout(resolve, 500)) // eslint-disable-line no-await-in-loop
        const screen = tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session).stdout
        expect(readFileSync(marker, 'utf8').trim(), screen).to.equal('exit=0')
        return screen
      } finally {
        tmux('kill-session', '-t', session)
      }
    }
    const first = await onTerminal('autolock-on')
    const key = await docker(m1, 'docker swarm unlock-key -q')
    expect(first).to.contain('The swarm is autolocked. Its unlock key, shown this once:')
    expect(first.split('\n').filter((line) => line.trim() === key), 'the key on a line of its own, once').to.have.length(1)
    expect(first).to.match(/Store it in your password manager now/)
    const again = await onTerminal('autolock-again')
    expect(again).not.to.contain('SWMKEY')
    expect(again).not.to.contain('unlock key')
    // Off again for what follows.
    writeConfig(SWARM_AUTOLOCK.filter((line) => !line.includes('autolock')))
    expect((await up()).code).to.equal(0)
  })

  it('no join token in any output, --json, or file tk wrote here or on the hosts', async () => {
    const tokens = (await docker(m1, 'docker swarm join-token -q worker; docker swarm join-token -q manager')).split('\n')
    expect(tokens).to.have.length(2)
    const written = [...outputs]
    const walk = (path: string): void => {
      for (const entry of readdirSync(path)) {
        const full = join(path, entry)
        if (statSync(full).isDirectory()) walk(full)
        else written.push(readFileSync(full, 'utf8'))
      }
    }
    walk(dir)
    for (const machine of [m1, w1, w2]) written.push(await docker(machine, 'sudo sh -c "cat /var/lib/tk/* 2>/dev/null; true"')) // eslint-disable-line no-await-in-loop
    for (const text of written) {
      expect(text).not.to.contain('SWMTKN')
      for (const token of tokens) expect(text).not.to.contain(token.slice(-25))
    }
  })
})
