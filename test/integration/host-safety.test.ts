/**
 * What tk guarantees on a host beyond getting its work done (docs/security.md,
 * "Locks, uninstall and login shells"), on one real bookworm machine:
 * its lock files are open to root and the tk group only, yet every admin
 * user tk runs as gets the lock; the commands tk sends pass unchanged through
 * any login shell (fish, tcsh, csh, zsh, installed from Debian here); a dry
 * run says when a user it would add does not exist. (tk destroy
 * --uninstall-engine keeping the data is in sandbox-provider.test.ts.)
 */
import {expect} from 'chai'

import {loginShellCommand} from '../../src/transport/login-shell.js'
import {runTk} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {cleanEnv, sandboxFlags, target, type SandboxUser} from '../support/tk-hosts.js'

/** Every shell a login may have that Debian packages: each must hand sh the same script. */
const SHELLS = ['/bin/sh', '/bin/bash', '/bin/dash', '/bin/zsh', '/usr/bin/fish', '/bin/tcsh', '/bin/bsd-csh']

describe('locks, uninstall and login shells on a sandbox machine', function () {
  this.timeout(15 * 60_000)
  let fixture: SandboxFixture
  let machine: TestMachine

  /** Runs a script as root (sent on stdin: no login shell reads it). */
  const root = async (script: string, timeoutMs?: number) => {
    const result = await machine.ssh('admin', 'sudo -n sh -s', {input: script, timeoutMs})
    if (result.code !== 0) throw new Error(`${script} failed on ${machine.name} (exit ${result.code}): ${result.stderr}${result.stdout.slice(-2000)}`)
    return result.stdout
  }
  const put = async (path: string, content: string) => {
    const result = await machine.ssh('admin', `sudo -n tee ${path} >/dev/null`, {input: content})
    if (result.code !== 0) throw new Error(`writing ${path} failed on ${machine.name}: ${result.stderr}`)
  }
  const tk = (user: SandboxUser, args: string[]) =>
    runTk([...args.slice(0, 1), target(machine, user), ...sandboxFlags(fixture, user), ...args.slice(1)], {
      env: {...cleanEnv, TK_SUDO_PASSWORD: user === 'op' ? fixture.sandbox.credentials.opPassword : ''},
    })
  /** A run that takes the host's lock and stops soon after: tk upgrade on a host with no engine (exit 8 once locked). */
  const takeLock = (user: SandboxUser) => tk(user, ['upgrade', '--wait', '0', '--json'])
  const expectLocked = (run: {code: number; stdout: string; stderr: string}, who: string) => {
    expect(run.code, `${who}: ${run.stdout}${run.stderr}`).to.equal(8)
    expect(JSON.parse(run.stdout).hosts[0].error.message, who).to.match(/neither docker\.io nor docker-ce is installed/)
  }

  before(async function () {
    fixture = await sandboxFixture({releases: ['bookworm']})
    machine = await fixture.machine({release: 'bookworm', keep: true})
    // A user with a login and no part in tk; and the login shells tk must get through.
    await root('useradd -m -s /bin/sh mallory')
    await root('apt-get -q update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends install fish tcsh csh zsh >/dev/null', 10 * 60_000)
  })

  describe("the host's lock", () => {
    it('is open to no other user once tk has set it up, files of an earlier tk (0644) replaced: a descriptor opened on them holds nothing', async () => {
      // What tk before issue 19 left on every host it ran on.
      await root('mkdir -p /var/lib/tk && : > /var/lib/tk/up.lock && : > /var/lib/tk/detached.lock && chmod 644 /var/lib/tk/up.lock /var/lib/tk/detached.lock')
      // mallory opens the old file now and would lock it later, to block tk (bounded: 60 s at most).
      const opened = root(
        "su -s /bin/sh mallory -c 'exec 9</var/lib/tk/up.lock; for i in $(seq 150); do [ -e /tmp/go ] && break; sleep 0.2; done; flock -n 9 && echo mallory-locked; sleep 20'",
      )
      await new Promise((resolve) => setTimeout(resolve, 1000))
      expectLocked(await takeLock('admin'), 'admin')
      expect(await root('stat -c "%a %U %G" /var/lib/tk/up.lock /var/lib/tk/detached.lock; id -nG admin')).to.match(/^660 root tk\n660 root tk\n.*\btk\b/)
      await root('touch /tmp/go')
      await new Promise((resolve) => setTimeout(resolve, 1500))
      // mallory holds the old file's lock: it is not tk's any more.
      expectLocked(await takeLock('admin'), 'admin, with mallory holding the old file')

      // Nor can mallory open the files that are tk's now (before issue 19: flock -s held them, and tk waited).
      const held = await machine.ssh('admin', "sudo -n su -s /bin/sh mallory -c 'flock -n -s /var/lib/tk/up.lock true && echo up-held; flock -n -s /var/lib/tk/detached.lock true && echo detached-held; true'")
      expect(held.stdout, held.stderr).to.equal('')
      expect(held.stderr).to.match(/up\.lock: Permission denied/)
      expect((await opened).trim()).to.equal('mallory-locked')
    })

    it('goes to a second admin logging in as another user (op, sudo with a password): it joins the tk group on its first run', async () => {
      expect(await root('id -nG op')).to.not.match(/\btk\b/)
      expectLocked(await takeLock('op'), 'op')
      expect(await root('id -nG op')).to.match(/\btk\b/)
      // From then on both take it without sudo, one after the other.
      expectLocked(await takeLock('op'), 'op again')
      expectLocked(await takeLock('admin'), 'admin again')
    })
  })

  describe('login shells', () => {
    it('every one of sh, bash, dash, zsh, fish, tcsh and csh hands sh the same script, arguments and stdin', async () => {
      const script = `printf '%s|' "$#" "$1" "$2"; printf '%s\\n' 'it'"'"'s \\'' !! $(x) \`y\` "q" \\\\ %b \\0101'; cat`
      await put('/tmp/script', script)
      await put('/tmp/command', loginShellCommand(script, {args: ["it's", 'two\nlines']}))
      // What sh makes of the script given as it is, for the shells to match.
      const reference = await machine.ssh('admin', `sh -c "$(cat /tmp/script)" sh "it's" "$(printf 'two\\nlines')"`, {input: 'stdin line'})
      expect(reference.stdout).to.equal("2|it's|two\nlines|it's \\ !! $(x) `y` \"q\" \\\\ %b \\0101\nstdin line")
      for (const shell of SHELLS) {
        // eslint-disable-next-line no-await-in-loop
        const run = await machine.ssh('admin', `${shell} -c "$(cat /tmp/command)"`, {input: 'stdin line'})
        expect({shell, out: run.stdout, err: run.stderr}).to.deep.equal({shell, out: reference.stdout, err: ''})
      }
    })

    for (const [user, shell] of [
      ['admin', '/usr/bin/fish'],
      ['op', '/bin/tcsh'],
    ] as Array<[SandboxUser, string]>) {
      it(`runs tk exec, tk provision --dry-run and a locked run for ${user} whose login shell is ${shell}`, async () => {
        await root(`chsh -s ${shell} ${user}`)
        try {
          // A backslash before a quote and a doubled one: fish reads both as escapes inside single quotes.
          const exec = await tk(user, ['exec', '--', `printf '%s\\n' "it's" 'a\\\\b' 'end\\' "$(echo two; echo lines)" | tr a-z A-Z`])
          expect(exec.code, exec.stderr).to.equal(0)
          expect(exec.stdout).to.contain("IT'S\nA\\\\B\nEND\\\nTWO\nLINES\n")
          const plan = await tk(user, ['provision', '--dry-run', '--json'])
          expect(plan.code, plan.stderr + plan.stdout).to.equal(0)
          expect(JSON.parse(plan.stdout).hosts[0].result.steps.map((step: {id: string}) => step.id)).to.include('install')
          expectLocked(await takeLock(user), user)
        } finally {
          await root(`chsh -s /bin/bash ${user}`)
        }
      })
    }
  })

  describe('users to add', () => {
    it('a dry run says the run would fail when the host does not know a --docker-user', async () => {
      const plan = await tk('admin', ['provision', '--docker-user', 'ghost', '--dry-run', '--json'])
      expect(plan.code).to.equal(1)
      expect(JSON.parse(plan.stdout).hosts[0].error.message).to.equal(`would fail: user ghost does not exist on ${target(machine)}`)
      const human = await tk('admin', ['provision', '--docker-user', 'ghost', '--docker-user', 'mallory', '--dry-run'])
      expect(human.code).to.equal(1)
      expect(human.stdout + human.stderr).to.contain('would fail: user ghost does not exist')
      console.log(`      ${(human.stdout + human.stderr).split('\n').find((line) => line.includes('would fail')) ?? ''}`)
    })
  })
})
