/**
 * tk up on real sandbox machines: a repo whose tk.yml describes three hosts
 * (bullseye and bookworm in group web, trixie in group db) with an engine
 * section and shell and file provisioners. Given bare machines, tk up
 * converges all three; run again it changes nothing; it runs once-provisioners
 * once and always-provisioners always; a file changes only when it changed; an
 * unreachable host fails alone; two runs on one host take turns.
 */
import {expect} from 'chai'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {loadConfigFile, type ShellProvisioner} from '../../src/config/index.js'
import {shellSpecText, shellText} from '../../src/up/provisioners/shell.js'
import {sha256} from '../../src/up/spec-hash.js'
import {runTk, TK_BIN} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {tmuxTerminal} from '../support/terminal.js'
import {cleanEnv, sandboxFleetYaml} from '../support/tk-hosts.js'

interface UpJson {
  dryRun: boolean
  hosts: Array<{target: string; ok: boolean; skipped?: boolean; error?: {message: string; exitCode: number}; result?: {changed: number; steps: Array<{kind: string; id: string; result: string; detail: string}>}}>
  summary: {succeeded: number; failed: number; skipped: number; changed: number}
}

describe('tk up on sandbox machines', function () {
  this.timeout(15 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let web1: TestMachine
  let web2: TestMachine
  let db1: TestMachine
  const tk = (args: string[], env: NodeJS.ProcessEnv = {}) => runTk(args, {cwd: dir, env: {...cleanEnv, TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts, ...env}})
  const up = async (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const run = await tk(['up', '--json', ...args], env)
    return {...run, json: JSON.parse(run.stdout) as UpJson}
  }
  const root = (m: TestMachine, command: string) => m.ssh('admin', `sudo sh -c '${command}'`)
  const stepOf = (json: UpJson, host: string, id: string) => json.hosts.find((each) => each.target === host)?.result?.steps.find((step) => step.id === id)

  const writeConfig = (mark: string) => {
    writeFileSync(
      join(dir, 'tk.yml'),
      sandboxFleetYaml(
        fixture,
        [
          {name: 'web-1', machine: web1, groups: ['web']},
          {name: 'web-2', machine: web2, groups: ['web']},
          {name: 'db-1', machine: db1, groups: ['db']},
        ],
        [
          'engine:',
          '  users: [op]',
          '  daemon:',
          '    log-driver: json-file',
          '    log-opts: {max-size: 10m}',
          'provisioners:',
          '  - name: once-marker',
          '    type: shell',
          '    inline: echo "$MARK $SECRET_TOKEN" >> /var/tmp/tk-once.log; echo "token is $SECRET_TOKEN"',
          '    env:',
          `      MARK: ${mark}`,
          '      SECRET_TOKEN: ${SECRET_TOKEN}',
          '  - name: always-marker',
          '    type: shell',
          '    run: always',
          '    inline: echo "start $(date +%s.%N)" >> /var/tmp/tk-always.log; sleep 1; echo "end $(date +%s.%N)" >> /var/tmp/tk-always.log',
          '  - name: app-env',
          '    type: file',
          '    source: files/app.env',
          '    destination: /etc/app/app.env',
          '    mode: "0600"',
          '    owner: admin',
          '  - name: conf-dir',
          '    type: file',
          '    source: files/conf.d',
          '    destination: /etc/app/conf.d',
          '    hosts: ["@db"]',
          '  - name: as-login',
          '    type: shell',
          '    privileged: false',
          '    inline: id -un > "$HOME/tk-whoami"',
          '    hosts: [db-1]',
        ],
      ),
    )
  }
  const secretEnv = {SECRET_TOKEN: 's3cret-t0ken-value'}

  before(async () => {
    fixture = await sandboxFixture({releases: ['bullseye', 'bookworm', 'trixie']})
    ;[web1, web2, db1] = await Promise.all([
      fixture.machine({release: 'bullseye', keep: true}),
      fixture.machine({release: 'bookworm', keep: true}),
      fixture.machine({release: 'trixie', keep: true}),
    ])
    dir = mkdtempSync(join(tmpdir(), 'tk-up-'))
    mkdirSync(join(dir, 'files', 'conf.d', 'sub'), {recursive: true})
    writeFileSync(join(dir, 'files', 'app.env'), 'LEVEL=info\n')
    writeFileSync(join(dir, 'files', 'conf.d', 'a.conf'), 'a=1\n')
    writeFileSync(join(dir, 'files', 'conf.d', 'sub', 'b.sh'), '#!/bin/sh\necho b\n')
    chmodSync(join(dir, 'files', 'conf.d', 'sub', 'b.sh'), 0o750)
    writeConfig('first')
  })

  after(() => {
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('--dry-run on bare machines plans every host and changes nothing', async () => {
    const {code, json, stderr} = await up(['--dry-run'], secretEnv)
    expect(code, stderr).to.equal(0)
    expect(json.dryRun).to.equal(true)
    for (const host of json.hosts) {
      expect(host.ok, host.error?.message).to.equal(true)
      expect(stepOf(json, host.target, 'install')?.result).to.equal('would-change')
      expect(stepOf(json, host.target, 'once-marker')?.result).to.equal('would-change')
    }
    const left = await web1.ssh('admin', 'ls -d /var/lib/tk /etc/app /var/tmp/tk-once.log 2>&1; command -v docker || echo no-docker')
    expect(left.stdout).to.contain('no-docker').and.match(/'\/var\/lib\/tk': No such file/).and.match(/'\/etc\/app': No such file/)
  })

  it('converges all three hosts: engine, daemon.json, docker users, provisioners, state', async () => {
    const {code, json, stdout, stderr} = await up([], secretEnv)
    expect(code, stderr + stdout).to.equal(0)
    expect(json.summary).to.include({succeeded: 3, failed: 0})
    expect(stdout + stderr).not.to.contain(secretEnv.SECRET_TOKEN)
    for (const m of [web1, web2, db1]) {
      // op was named in engine.users: it reaches the engine in a new session.
      // eslint-disable-next-line no-await-in-loop
      const op = await m.ssh('op', 'docker info --format "{{.LoggingDriver}}"; cat /etc/docker/daemon.json; cat /var/tmp/tk-once.log; wc -l < /var/tmp/tk-always.log; stat -c "%a %U" /etc/app/app.env')
      expect(op.code, op.stderr).to.equal(0)
      expect(op.stdout).to.contain('json-file').and.contain('"max-size": "10m"')
      expect(op.stdout).to.contain(`first ${secretEnv.SECRET_TOKEN}`)
      expect(op.stdout).to.match(/^2$/m) // start and end of one always-marker run
      expect(op.stdout).to.contain('600 admin')
      // eslint-disable-next-line no-await-in-loop
      const state = JSON.parse((await m.ssh('op', 'cat /var/lib/tk/state.json')).stdout)
      expect(state.lastUp).to.include({ok: true})
      // Keyed with the host's own key, which only root may read.
      expect(state.provisioners['once-marker'].specHash).to.match(/^hmac-sha256:[0-9a-f]{64}$/)
      expect(JSON.stringify(state)).not.to.contain(secretEnv.SECRET_TOKEN)
    }
    const db = await root(db1, 'cat /etc/app/conf.d/a.conf; stat -c "%a %U" /etc/app/conf.d/sub/b.sh; cat ~admin/tk-whoami')
    expect(db.stdout).to.equal('a=1\n750 root\nadmin\n')
    expect((await root(web1, 'ls /etc/app')).stdout.trim()).to.equal('app.env')
  })

  it('a second run changes nothing: once-provisioners do not run again, always-provisioners do', async () => {
    const before = await root(db1, 'systemctl show -p ActiveEnterTimestampMonotonic docker')
    const {code, json, stderr} = await up([], secretEnv)
    expect(code, stderr).to.equal(0)
    expect(json.summary).to.include({succeeded: 3, changed: 0})
    for (const host of json.hosts) {
      expect(host.result?.changed).to.equal(0)
      expect(stepOf(json, host.target, 'once-marker')?.result).to.equal('ok')
      expect(stepOf(json, host.target, 'always-marker')?.result).to.equal('ran')
      expect(stepOf(json, host.target, 'app-env')?.result).to.equal('ok')
    }
    expect((await root(db1, 'systemctl show -p ActiveEnterTimestampMonotonic docker')).stdout).to.equal(before.stdout)
    const marks = await web2.ssh('admin', 'wc -l < /var/tmp/tk-once.log; wc -l < /var/tmp/tk-always.log')
    expect(marks.stdout).to.equal('1\n4\n')
  })

  it('keys spec hashes with a root-only host key; a state an older tk wrote (plain sha256) changes nothing and is rewritten keyed', async () => {
    expect((await root(web2, 'stat -c "%a %U" /var/lib/tk/spec.key /var/lib/tk/state.json')).stdout).to.equal('600 root\n644 root\n')
    expect((await web2.ssh('op', 'cat /var/lib/tk/spec.key')).code, 'another user reads the key').to.not.equal(0)
    // Stand-in for a host converged by tk before keyed hashes: its record of once-marker rewritten as that tk wrote it.
    const config = await loadConfigFile(join(dir, 'tk.yml'), {env: secretEnv})
    const once = config.provisioners.find((provisioner) => provisioner.name === 'once-marker') as ShellProvisioner
    const plain = sha256(shellSpecText(once, await shellText(once)))
    const state = JSON.parse((await web2.ssh('admin', 'cat /var/lib/tk/state.json')).stdout)
    const keyed = state.provisioners['once-marker'].specHash
    expect(keyed).to.not.equal(plain)
    state.provisioners['once-marker'].specHash = plain
    const written = await web2.ssh('admin', `printf '%s' '${JSON.stringify(state)}' | sudo -n tee /var/lib/tk/state.json >/dev/null`)
    expect(written.code, written.stderr).to.equal(0)

    const {code, json, stderr} = await up(['web-2'], secretEnv)
    expect(code, stderr).to.equal(0)
    expect(json.summary.changed).to.equal(0)
    expect(stepOf(json, 'web-2', 'once-marker')?.result).to.equal('ok')
    expect((await web2.ssh('admin', 'wc -l < /var/tmp/tk-once.log')).stdout).to.equal('1\n')
    const after = JSON.parse((await web2.ssh('op', 'cat /var/lib/tk/state.json')).stdout)
    expect(after.provisioners['once-marker']).to.deep.equal({...state.provisioners['once-marker'], specHash: keyed})
    expect(JSON.stringify(after)).to.not.contain(plain)
  })

  it('a file provisioner changes only the host whose file differs, and only when the source changed', async () => {
    writeFileSync(join(dir, 'files', 'app.env'), 'LEVEL=debug\n')
    const {code, json, stderr} = await up(['@web'], secretEnv)
    expect(code, stderr).to.equal(0)
    expect(json.hosts.map((host) => host.target)).to.deep.equal(['web-1', 'web-2'])
    for (const host of json.hosts) {
      expect(stepOf(json, host.target, 'app-env')?.result).to.equal('changed')
      expect(host.result?.changed).to.equal(1)
    }
    expect((await root(web1, 'cat /etc/app/app.env; stat -c "%a %U" /etc/app/app.env')).stdout).to.equal('LEVEL=debug\n600 admin\n')
    expect((await root(db1, 'cat /etc/app/app.env')).stdout).to.equal('LEVEL=info\n')
    const again = await up(['@web'], secretEnv)
    expect(again.json.summary.changed).to.equal(0)
  })

  it('a once-provisioner whose environment changed runs again', async () => {
    writeConfig('second')
    const {code, json, stderr} = await up(['db-1'], secretEnv)
    expect(code, stderr).to.equal(0)
    expect(stepOf(json, 'db-1', 'once-marker')?.result).to.equal('changed')
    expect((await db1.ssh('admin', 'cut -d" " -f1 /var/tmp/tk-once.log')).stdout).to.equal('first\nsecond\n')
  })

  it('two tk up runs on one host take turns: the second waits for the first\'s lock', async () => {
    const [first, second] = await Promise.all([tk(['up', 'db-1'], secretEnv), new Promise((resolve) => setTimeout(resolve, 300)).then(() => tk(['up', 'db-1'], secretEnv))])
    expect(first.code, first.stderr).to.equal(0)
    expect(second.code, second.stderr).to.equal(0)
    expect(first.stdout + second.stdout).to.contain("waiting for the host's lock")
    // Each run's always-marker (start, sleep 1, end) is whole: no start follows a start.
    const log = (await db1.ssh('admin', 'cat /var/tmp/tk-always.log')).stdout.trim().split('\n')
    for (let index = 0; index < log.length; index += 2) {
      expect(log[index]).to.match(/^start /)
      expect(log[index + 1]).to.match(/^end /)
    }
  })

  it('an unreachable host fails alone, and --max-fail stops starting new ones', async () => {
    await fixture.sandbox.engine.docker.getContainer(web2.machine.id).pause()
    try {
      const {code, json} = await up(['--connect-timeout', '3'], secretEnv)
      expect(code).to.equal(5)
      expect(json.summary).to.include({succeeded: 2, failed: 1})
      expect(json.hosts.find((host) => host.target === 'web-2')?.error?.message).to.match(/web-2|127\.0\.0\.1/)

      const limited = await up(['--connect-timeout', '3', '--concurrency', '1', '--max-fail', '1', 'web-2', 'db-1'], secretEnv)
      expect(limited.code).to.not.equal(0)
      expect(limited.json.summary).to.include({succeeded: 0, failed: 1, skipped: 1})
      expect(limited.json.hosts.find((host) => host.target === 'db-1')?.skipped).to.equal(true)
    } finally {
      await fixture.sandbox.engine.docker.getContainer(web2.machine.id).unpause()
    }
  })

  it('refuses a file provisioner whose destination a host user made a link to /etc (/srv/app/conf -> /etc/demo.d): one line, nothing written, exit 1', async () => {
    await root(db1, 'useradd -M mallory; mkdir -p /etc/demo.d /srv/app; chown mallory /srv/app; su mallory -c "ln -s /etc/demo.d /srv/app/conf"')
    writeFileSync(join(dir, 'files', 'app.conf'), 'options demo x=1\n')
    const config = join(dir, 'tk-mallory.yml')
    writeFileSync(
      config,
      sandboxFleetYaml(fixture, [{name: 'db-1', machine: db1}], ['provisioners:', '  - name: demo', '    type: file', '    source: files/app.conf', '    destination: /srv/app/conf/app.conf', '    owner: mallory']),
    )
    const run = await tk(['up', 'db-1'], {TK_CONFIG: config})
    expect(run.code, run.stdout + run.stderr).to.equal(1)
    expect(run.stdout + run.stderr).to.contain('db-1: file provisioner demo: refused /srv/app/conf/app.conf: /srv/app/conf is a symbolic link (to /etc/demo.d)')
    expect((await root(db1, 'ls -A /etc/demo.d')).stdout).to.equal('')
  })

  it('refuses what it cannot do with one line', async () => {
    const unknown = await tk(['up', 'web-9'], secretEnv)
    expect(unknown.code).to.equal(3)
    expect(unknown.stderr.trim().split('\n')).to.have.length(1)
    const raw = await tk(['up', 'admin@127.0.0.1:22'], secretEnv)
    const missing = await tk(['up'])
    expect(missing.code).to.equal(4)
    expect(missing.stderr).to.contain('SECRET_TOKEN')
    expect(raw.code).to.equal(2)
    expect(raw.stderr).to.contain('not a host of tk.yml')
    const nowhere = await runTk(['up'], {cwd: tmpdir(), env: {...cleanEnv, TK_CONFIG: ''}})
    expect(nowhere.code).to.equal(3)
    expect(nowhere.stderr.trim().split('\n')).to.have.length(1)
  })

  it("shows apt's own progress on the host's live line while the engine installs, the line kept within the terminal (under tmux)", async () => {
    const bare = await fixture.machine({release: 'bookworm'})
    const config = join(dir, 'tk-progress.yml')
    writeFileSync(config, sandboxFleetYaml(fixture, [{name: 'fresh-1', machine: bare}]))
    const session = `tk-up-progress-${process.pid}`
    const marker = join(dir, 'up-progress-exit')
    const command = ['env', 'SSH_AUTH_SOCK=', `TK_KNOWN_HOSTS=${fixture.sandbox.home.knownHosts}`, process.execPath, TK_BIN, 'up', '-c', config].map((word) => `'${word}'`).join(' ')
    const {tmux, screen} = tmuxTerminal(session)
    expect(tmux('new-session', '-d', '-s', session, '-x', '60', '-y', '20', `${command}; echo "exit=$?" > ${marker}; sleep 60`).status).to.equal(0)
    const seen = new Set<string>()
    try {
      // Every screen until tk up ends (bounded: 5 minutes).
      for (let attempt = 0; attempt < 3000; attempt++) {
        for (const line of screen().split('\n')) if (line.includes('fresh-1')) seen.add(line.trimEnd())
        if (attempt % 10 === 0 && readFileSync(marker, {encoding: 'utf8', flag: 'a+'}).trim()) break
        // eslint-disable-next-line no-await-in-loop -- polling the screen
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(readFileSync(marker, 'utf8').trim(), [...seen].join('\n')).to.equal('exit=0')
    } finally {
      tmux('kill-session', '-t', session)
    }
    const lines = [...seen]
    const progress = lines.filter((line) => /fresh-1 {2}install: (fetching \d+ of \d+|unpacking \S+|setting up \S+) \(\d+%\)/.test(line))
    expect(progress, lines.join('\n')).to.not.be.empty
    // What it was doing, with its clock, on one line of a 60-column terminal.
    expect(lines.filter((line) => /install: unpacking/.test(line)), lines.join('\n')).to.not.be.empty
    for (const line of progress) expect(line.length, line).to.be.at.most(60)
    expect(progress.every((line) => /\d+\.\ds$/.test(line)), progress.join('\n')).to.equal(true)
  })
})
