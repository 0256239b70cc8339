import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {boundScript, hostScript} from '../../../src/transport/host-scripts.js'

const scripts = readdirSync(new URL('../../../host-scripts/', import.meta.url)).filter((name) => name.endsWith('.sh'))

/** Runs a script with sh (dash here, as on Debian hosts) and fake commands first on PATH. */
function runWithFakes(script: string, fakes: Record<string, string>): {code: number | null; stdout: string; stderr: string} {
  const dir = mkdtempSync(join(tmpdir(), 'tk-script-'))
  try {
    for (const [name, body] of Object.entries(fakes)) {
      writeFileSync(join(dir, name), `#!/bin/sh\n${body.replaceAll('$DIR', dir)}\n`)
      chmodSync(join(dir, name), 0o755)
    }
    const result = spawnSync('sh', ['-c', script], {encoding: 'utf8', env: {PATH: `${dir}:/usr/bin:/bin`}, timeout: 20_000})
    return {code: result.status, stdout: result.stdout, stderr: result.stderr}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

describe('host-scripts/ as sent to hosts', () => {
  it('composes the facts scripts from pieces that each include what they use, each piece once', async () => {
    const facts = await hostScript('host-facts.sh')
    // engine-facts-start.sh, check-facts.sh and engine-facts.sh each include lib/facts-sections.sh: defined once, before its first use.
    expect(facts.match(/^section\(\) /gm)).to.have.length(1)
    expect(facts.match(/^show\(\) \{/gm)).to.have.length(1)
    expect(facts.indexOf('section() ')).to.be.lessThan(facts.indexOf('section uname'))
    expect(facts.indexOf('units_query()')).to.be.lessThan(facts.indexOf('section uname'))
    expect(facts.indexOf('section uname')).to.be.lessThan(facts.indexOf('section whoami'))
    // Standing alone, each facts script still defines what it uses.
    for (const name of ['check-facts.sh', 'engine-facts.sh', 'status-facts.sh']) expect(await hostScript(name), name).to.match(/^section\(\) /m)
    // The engine CLI's query is written once: the facts' background query and the fallback after the API say the same.
    expect(facts).to.contain((await hostScript('lib/engine-info.sh')).trim().split('\n').at(-1))
  })

  it('has every # tk:include replaced by its piece of host-scripts/lib, and every script parses as POSIX sh', async () => {
    expect(scripts.length).to.be.greaterThan(20)
    for (const name of scripts) {
      const text = await hostScript(name)
      expect(text, name).not.to.match(/^# tk:include/m)
      const parsed = spawnSync('sh', ['-n'], {input: text, encoding: 'utf8'})
      expect(parsed.status, `${name}: ${parsed.stderr}`).to.equal(0)
    }
    expect(await hostScript('install-engine-apt.sh')).to.contain('apt_update() {')
    expect(await hostScript('upgrade-apply.sh')).to.contain('engine_wait() {').and.to.contain('apt_detached() {')
  })

  it('lib/engine-service.sh restarts through systemd and waits until docker info answers, giving the pid', async () => {
    const lib = readFileSync(new URL('../../../host-scripts/lib/engine-service.sh', import.meta.url), 'utf8')
    const script = `set -u\n${lib}\nservice_restart systemd docker && engine_wait systemd 5 && echo "pid=$engine_pid version=$engine_version"`
    const result = runWithFakes(script, {
      systemctl: 'echo "$*" >> $DIR/systemctl.log; [ "$1" = show ] && echo 4242; [ "$1" = is-failed ] && exit 1; exit 0',
      // docker info answers on its second call, as an engine that takes a moment to come up.
      docker: 'if [ -f $DIR/up ]; then echo 26.1.5; else touch $DIR/up; exit 1; fi',
      timeout: 'shift; exec "$@"',
    })
    expect(result.stdout.trim()).to.equal('pid=4242 version=26.1.5')
    expect(result.code).to.equal(0)
  })

  it('lib/engine-service.sh gives up at once when systemd gave up on the unit, and gives the journal', async () => {
    const lib = readFileSync(new URL('../../../host-scripts/lib/engine-service.sh', import.meta.url), 'utf8')
    const script = `set -u\n${lib}\nif engine_wait systemd 30; then echo up; else echo down; engine_log systemd 2>&1; fi`
    const started = Date.now()
    const result = runWithFakes(script, {
      systemctl: '[ "$1" = is-failed ] && exit 0; exit 0',
      docker: 'exit 1',
      timeout: 'shift; exec "$@"',
      journalctl: 'echo "dockerd[1]: failed to start daemon: bad option"',
    })
    expect(result.stdout).to.equal('down\ndockerd[1]: failed to start daemon: bad option\n')
    expect(Date.now() - started).to.be.lessThan(5000)
  })

  it('upgrade-facts.sh waits while another apt holds the lists lock, then reads the packages', async () => {
    const script = await boundScript('upgrade-facts.sh', ['docker.io'])
    const result = runWithFakes(script, {
      'apt-get': 'if [ ! -f $DIR/unlocked ]; then touch $DIR/unlocked; echo "E: Could not get lock /var/lib/apt/lists/lock"; exit 100; fi; exit 0',
      'apt-cache': 'exit 0',
      'dpkg-query': 'echo "ii  docker.io 20.10.24+dfsg1-1+b3"',
      docker: 'exit 1',
    })
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.contain('@@tk:installed\ndocker.io 20.10.24+dfsg1-1+b3\n')
  })
  it('run-user-script.sh honours a #! line without executing the file (a noexec /tmp), and runs sh without one', async () => {
    const wrapper = `set -- /\n${await hostScript('run-user-script.sh')}`
    const run = (script: string) => spawnSync('sh', ['-c', wrapper], {input: script, encoding: 'utf8', env: {PATH: '/usr/bin:/bin'}})
    const bash = run('#!/usr/bin/env bash\n[[ 1 == 1 ]] && echo "bash $BASH_VERSION" | cut -c1-4\nexit 3\n')
    expect(bash.stdout).to.equal('bash\n')
    expect(bash.status).to.equal(3)
    const withArgument = run('#!/bin/sh -eu\necho "$UNSET_VARIABLE"\necho not reached\n')
    expect(withArgument.stdout).to.equal('')
    expect(withArgument.status).not.to.equal(0)
    const plain = run('echo "in $(pwd)"\n')
    expect(plain.stdout).to.equal('in /\n')
    expect(plain.status).to.equal(0)
  })
})
