/** The pure parts of tk up: spec hashes, the host's state file, file provisioner comparisons, tk.yml's engine as a desired engine, progress output. */
import {expect} from 'chai'
import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {EngineConfig, FileProvisioner} from '../../../src/config/types.js'
import {makeStyle} from '../../../src/render/style.js'
import {renderUpSummary, UpProgress} from '../../../src/render/up.js'
import {desiredEngine} from '../../../src/provision/engine-from-config.js'
import {InputError} from '../../../src/errors/index.js'
import {parseFileState, readSourceTree} from '../../../src/up/provisioners/file.js'
import {hideSecrets} from '../../../src/up/provisioners/types.js'
import {KEYED_PREFIX, sha256, SpecHasher, specText} from '../../../src/up/spec-hash.js'
import {emptyState, hostStateFromSections, parseHostState, STATE_DIR, STATE_FILE, STATE_SECTION_SCRIPT, writeHostState} from '../../../src/facts/up-state.js'
import type {Host} from '../../../src/transport/host.js'
import {FactSections} from '../../../src/facts/sections.js'

const engine = (overrides: Partial<EngineConfig> = {}): EngineConfig => ({method: 'distro', daemon: {}, users: [], compose: true, ...overrides})

describe('tk up: pure parts', () => {
  describe('spec hashes', () => {
    const specs = new SpecHasher(Buffer.alloc(32, 1))
    const specHash = (spec: unknown) => specs.digest(specText(spec)).value

    it('do not depend on key order, and change with any value', () => {
      expect(specHash({a: 1, b: {c: 2, d: [1, 2]}})).to.equal(specHash({b: {d: [1, 2], c: 2}, a: 1}))
      expect(specHash({a: 1, env: {TOKEN: 'x'}})).not.to.equal(specHash({a: 1, env: {TOKEN: 'y'}}))
      expect(specHash({a: 1, b: undefined})).to.equal(specHash({a: 1}))
    })

    it('are keyed by the host\'s key: no plain sha256 of the spec, another host\'s hash differs', () => {
      const spec = specText({type: 'shell', env: {TOKEN: 'hunter2'}})
      const value = specs.digest(spec).value
      expect(value.startsWith(KEYED_PREFIX)).to.equal(true)
      expect(value).to.not.contain(sha256(spec))
      expect(new SpecHasher(Buffer.alloc(32, 2)).digest(spec).value).to.not.equal(value)
    })

    it('match their own keyed form, and the plain sha256 an older tk recorded (to be rewritten), nothing else', () => {
      const spec = specText({type: 'shell', env: {TOKEN: 'hunter2'}})
      const digest = specs.digest(spec)
      expect(digest.matches(digest.value)).to.equal('keyed')
      expect(digest.matches(sha256(spec))).to.equal('plain')
      expect(digest.matches(sha256(specText({type: 'shell', env: {TOKEN: 'hunter3'}})))).to.equal(false)
      expect(digest.matches(undefined)).to.equal(false)
    })
  })

  describe('parseHostState', () => {
    it('reads a state file and takes anything else for an empty state', () => {
      const state = {version: 1, lastUp: {at: '2026-11-23T10:00:00Z', by: 'ann@ws', tkVersion: '0.1.0', ok: true, changed: 2, durationMs: 900}, provisioners: {motd: {type: 'shell', specHash: 'ab', appliedAt: 'x', tkVersion: '0.1.0'}}}
      expect(parseHostState(JSON.stringify(state))).to.deep.equal(state)
      for (const text of [undefined, '', '{', '[]', '{"version":2}', 'null']) expect(parseHostState(text)).to.deep.equal(emptyState())
      expect(parseHostState('{"version":1,"provisioners":"nope"}')).to.deep.equal(emptyState())
    })

    it('reads the state from the section a round trip printed: the file, none, or one that cannot be read (which fails, never an empty state)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'tk-state-section-'))
      try {
        const file = join(dir, 'state.json')
        // The script as tk appends it to the facts, run here with sh on a file of this test's.
        const printed = (before = '') => execFileSync('sh', ['-c', `${before}\n${STATE_SECTION_SCRIPT.replaceAll(STATE_FILE, file)}`], {encoding: 'utf8'})
        const state = {version: 1, provisioners: {motd: {type: 'shell', specHash: 'ab', appliedAt: 'x', tkVersion: '0.1.0'}}}
        writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`)
        expect(hostStateFromSections(new FactSections(printed("printf '@@tk:whoami\\nuid=1000\\n'")), 'web-1')).to.deep.equal(state)
        rmSync(file)
        expect(hostStateFromSections(new FactSections(printed()), 'web-1')).to.deep.equal(emptyState())
        mkdirSync(file)
        expect(() => hostStateFromSections(new FactSections(printed()), 'web-1')).to.throw(`web-1: cannot read ${STATE_FILE}`)
        // A script that ended before the section: not known, to be read on its own.
        expect(hostStateFromSections(new FactSections('@@tk:whoami\nuid=1000\n'), 'web-1')).to.equal(undefined)
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    })
  })

  describe('writeHostState', () => {
    it('writes the state file whole, by the script itself when small and on stdin when large, whatever its strings hold', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tk-state-write-'))
      try {
        const scripts: Array<{stdin: boolean}> = []
        // The script tk sends as root, run here with sh on a directory of this test's.
        const host = {
          name: 'web-1',
          run: async (script: string, options: {stdin?: string | Buffer} = {}) => {
            scripts.push({stdin: options.stdin !== undefined})
            const result = spawnSync('sh', ['-c', script.replaceAll(STATE_DIR, join(dir, 'tk'))], {input: options.stdin ?? '', encoding: 'utf8'})
            return {code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr}
          },
        } as unknown as Host
        const odd = `it's "quoted" $HOME \`date\` \\ %s\nline`
        const small = {version: 1 as const, provisioners: {[odd]: {type: 'shell' as const, specHash: odd, appliedAt: 'x', tkVersion: '0.1.0'}}}
        await writeHostState(host, small)
        expect(JSON.parse(readFileSync(join(dir, 'tk', 'state.json'), 'utf8'))).to.deep.equal(small)
        const large = {version: 1 as const, provisioners: Object.fromEntries(Array.from({length: 400}, (_, index) => [`p${index}`, {type: 'shell' as const, specHash: 'a'.repeat(64), appliedAt: 'x', tkVersion: '0.1.0'}]))}
        await writeHostState(host, large)
        expect(JSON.parse(readFileSync(join(dir, 'tk', 'state.json'), 'utf8'))).to.deep.equal(large)
        expect(scripts).to.deep.equal([{stdin: false}, {stdin: true}])
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    })
  })

  describe('hideSecrets', () => {
    it('replaces every secret, longest first', () => {
      expect(hideSecrets('token abcdef and abc', ['abc', 'abcdef'])).to.equal('token *** and ***')
      expect(hideSecrets('nothing here', [''])).to.equal('nothing here')
    })
  })

  describe('file provisioner', () => {
    let dir: string
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'tk-file-prov-'))
    })
    afterEach(() => rmSync(dir, {recursive: true, force: true}))
    const provisioner = (source: string, more: Partial<FileProvisioner> = {}): FileProvisioner => ({name: 'f', type: 'file', run: 'once', hosts: [], source, destination: '/etc/app/app.env', followSymlinks: false, drift: 'check', ...more})

    it('hashes a single file under the destination\'s name, with the mode tk.yml gives or the source\'s', async () => {
      writeFileSync(join(dir, 'local.env'), 'A=1\n')
      chmodSync(join(dir, 'local.env'), 0o640)
      const tree = await readSourceTree(provisioner(join(dir, 'local.env')))
      expect(tree.kind).to.equal('file')
      // sha256 of "A=1\n"
      expect(tree.files).to.deep.equal([{path: 'app.env', sha256: createHash('sha256').update('A=1\n').digest('hex'), mode: '640'}])
      const withMode = await readSourceTree(provisioner(join(dir, 'local.env'), {mode: '0600'}))
      expect(withMode.files[0].mode).to.equal('600')
    })

    it("takes the source's mode without the group and other write bits a umask decides, unless tk.yml gives a mode", async () => {
      writeFileSync(join(dir, 'local.env'), 'A=1\n')
      // umask 002 makes 664 and 775; umask 022 makes 644 and 755: the host gets the same either way.
      for (const [mode, expected] of [[0o664, '644'], [0o644, '644'], [0o775, '755'], [0o600, '600'], [0o4775, '4755']] as const) {
        chmodSync(join(dir, 'local.env'), mode)
        expect((await readSourceTree(provisioner(join(dir, 'local.env')))).files[0].mode, mode.toString(8)).to.equal(expected)
      }
      chmodSync(join(dir, 'local.env'), 0o664)
      expect((await readSourceTree(provisioner(join(dir, 'local.env'), {mode: '0664'}))).files[0].mode).to.equal('664')
    })

    it('walks a directory in sorted order, with relative paths', async () => {
      mkdirSync(join(dir, 'conf', 'sub'), {recursive: true})
      writeFileSync(join(dir, 'conf', 'b.conf'), 'b')
      writeFileSync(join(dir, 'conf', 'a.conf'), 'a')
      writeFileSync(join(dir, 'conf', 'sub', 'c.sh'), 'c')
      const tree = await readSourceTree(provisioner(join(dir, 'conf')))
      expect(tree.kind).to.equal('directory')
      expect(tree.files.map((file) => file.path)).to.deep.equal(['a.conf', 'b.conf', 'sub/c.sh'])
    })

    it('says which source is missing, in one line', async () => {
      try {
        await readSourceTree(provisioner(join(dir, 'nope')))
        expect.fail('no error')
      } catch (error) {
        expect((error as Error).message).to.equal(`provisioner f: cannot read ${join(dir, 'nope')}: no such file or directory`)
      }
    })

    it('refuses a link that leads outside the source (files/key -> ~/.ssh/id_ed25519) unless followSymlinks is set; links inside it are sent', async () => {
      mkdirSync(join(dir, 'home', '.ssh'), {recursive: true})
      writeFileSync(join(dir, 'home', '.ssh', 'id_ed25519'), 'PRIVATE KEY\n')
      mkdirSync(join(dir, 'repo', 'files', 'conf'), {recursive: true})
      writeFileSync(join(dir, 'repo', 'files', 'conf', 'a.conf'), 'a')
      symlinkSync('a.conf', join(dir, 'repo', 'files', 'conf', 'b.conf'))
      expect((await readSourceTree(provisioner(join(dir, 'repo', 'files', 'conf')))).files.map((file) => file.path)).to.deep.equal(['a.conf', 'b.conf'])

      const key = join(dir, 'home', '.ssh', 'id_ed25519')
      symlinkSync(key, join(dir, 'repo', 'files', 'key'))
      symlinkSync(key, join(dir, 'repo', 'files', 'conf', 'key'))
      symlinkSync(join(dir, 'home', '.ssh'), join(dir, 'repo', 'files', 'ssh'))
      const refusal = (source: string) => `provisioner f: ${source} leads outside the source, to ${key}: tk sends a file from outside the source only when the provisioner says followSymlinks: true`
      for (const [source, file] of [
        [join(dir, 'repo', 'files', 'key'), join(dir, 'repo', 'files', 'key')],
        [join(dir, 'repo', 'files', 'conf'), join(dir, 'repo', 'files', 'conf', 'key')],
        [join(dir, 'repo', 'files', 'ssh'), join(dir, 'repo', 'files', 'ssh', 'id_ed25519')],
      ]) {
        // eslint-disable-next-line no-await-in-loop
        const error = await readSourceTree(provisioner(source)).then(() => undefined, (error_: Error) => error_)
        expect(error, source).to.be.instanceOf(InputError)
        expect(error?.message).to.equal(refusal(file))
      }
      const followed = await readSourceTree(provisioner(join(dir, 'repo', 'files', 'key'), {followSymlinks: true}))
      expect(followed.files[0].sha256).to.equal(createHash('sha256').update('PRIVATE KEY\n').digest('hex'))
    })

    it('parses the host\'s sums and stats, including names with spaces', () => {
      const hash = 'e'.repeat(64)
      const found = parseFileState(`sum ${hash}  ./a b.conf\nstat 644 root:root ./a b.conf\nstat 600 admin:admin ./only-stat\n`)
      expect(found.get('a b.conf')).to.deep.equal({sha256: hash, mode: '644', owner: 'root:root'})
      expect(found.get('only-stat')).to.deep.equal({mode: '600', owner: 'admin:admin'})
    })
  })

  describe('desiredEngine', () => {
    it('maps tk.yml\'s engine section, daemon options only when there are some', () => {
      const desired = desiredEngine('web-1', engine({users: ['deploy'], compose: false, version: '^20', daemon: {'log-driver': 'local'}}), {skipCheck: false})
      expect(desired).to.include({method: 'distro', compose: false, addLoginUser: true, engineVersion: '^20', restart: true})
      expect(desired.dockerUsers).to.deep.equal(['deploy'])
      expect(desired.daemonConfig).to.deep.equal({patch: {'log-driver': 'local'}, sources: ['tk.yml']})
      expect(desiredEngine('web-1', engine(), {skipCheck: true}).daemonConfig).to.equal(undefined)
    })

    it('wants an install script for method script', () => {
      expect(() => desiredEngine('web-1', engine({method: 'script'}), {skipCheck: false})).to.throw(/web-1: engine method is script, and no install script was given/)
      const desired = desiredEngine('web-1', engine({method: 'script'}), {skipCheck: false, script: {source: 'get.sh', content: 'echo'}})
      expect(desired.script).to.deep.equal({source: 'get.sh', content: 'echo'})
    })
  })

  describe('progress and summary', () => {
    const style = makeStyle(false)
    it('prints a line per change or failure when not on a terminal, nothing for steps that held', () => {
      let out = ''
      const progress = new UpProgress(['web-1', 'db-1'], {live: false, style, write: (text) => (out += text), dryRun: false})
      progress.start('web-1')
      progress.step('web-1', {kind: 'engine', id: 'install', title: 'Install', result: 'ok', detail: 'installed', durationMs: 10})
      progress.step('web-1', {kind: 'provisioner', id: 'motd', title: 'shell', result: 'changed', detail: 'ran as root', durationMs: 1200})
      progress.activity('db-1', "waiting for the host's lock (held by ann@ws)")
      progress.stop()
      expect(out).to.equal("web-1  changed shell:motd           1.2s  ran as root\ndb-1   waiting for the host's lock (held by ann@ws)\n")
    })

    it('redraws one line per host in place on a terminal', () => {
      const writes: string[] = []
      const progress = new UpProgress(['web-1'], {live: true, style, write: (text) => writes.push(text), dryRun: false})
      progress.start('web-1')
      progress.activity('web-1', 'install')
      progress.done({target: 'web-1', status: 'ok', value: {target: 'web-1', dryRun: false, changed: 3, steps: [], notices: [], durationMs: 5}, durationMs: 5})
      progress.stop()
      expect(writes[0]).to.match(/^\u001B\[2K/)
      expect(writes.at(-1)).to.match(/^\u001B\[1F\u001B\[2K✔ web-1 {2}3 changed/)
    })

    it('puts a note above the live block and draws the block again under it, leaving no stale block', () => {
      const writes: string[] = []
      const progress = new UpProgress(['web-1', 'db-1'], {live: true, style, write: (text) => writes.push(text), dryRun: false})
      progress.start('web-1')
      progress.note('web-1: creating sandbox machine')
      progress.stop()
      const noteAt = writes.findIndex((text) => text.includes('creating sandbox machine'))
      // Back over the two lines drawn, everything below cleared, the note, then the block anew (not moved over the note).
      expect(writes[noteAt]).to.equal('\u001B[2F\u001B[Jweb-1: creating sandbox machine\n')
      expect(writes[noteAt + 1]).to.match(/^\u001B\[2K. web-1 {2}connecting/)
      expect(writes.at(-1)).to.match(/^\u001B\[2F/)
    })

    it('shows a sandbox host whose machine is being made as creating, with its clock, not queued', () => {
      const writes: string[] = []
      const progress = new UpProgress(['web-1', 'db-1'], {live: true, style, write: (text) => writes.push(text), dryRun: false})
      progress.creating('web-1')
      progress.activity('web-1', 'building the Debian bookworm image')
      progress.start('db-1')
      progress.stop()
      const last = writes.at(-1)!
      expect(last).to.match(/. web-1 {2}building the Debian bookworm image \d+\.\ds/)
      expect(last).to.match(/. db-1 {3}connecting/)
      expect(writes.join('')).not.to.match(/web-1 +queued/)
    })

    it('cuts a long activity (apt\'s progress) to the terminal\'s width, keeping the clock', () => {
      const writes: string[] = []
      const progress = new UpProgress(['web-1'], {live: true, style, write: (text) => writes.push(text), dryRun: false, columns: () => 40})
      progress.start('web-1')
      progress.activity('web-1', 'install: unpacking docker-compose-plugin-with-a-long-name (45%)')
      progress.stop()
      const line = writes.at(-1)!.replace(/^\u001B\[1F\u001B\[2K/, '').trimEnd()
      expect(line.length).to.be.at.most(40)
      expect(line).to.match(/^. web-1 {2}install: unpacking.*… \d+\.\ds$/)
    })

    it('at scale, draws a summary of fixed height on a terminal: counts, the slowest running hosts, the failed ones', () => {
      const writes: string[] = []
      const targets = Array.from({length: 200}, (_, index) => `host-${String(index + 1).padStart(3, '0')}`)
      const progress = new UpProgress(targets, {live: true, style, write: (text) => writes.push(text), dryRun: false, columns: () => 80, rows: () => 50})
      for (const target of targets.slice(0, 30)) progress.start(target)
      for (const target of targets.slice(0, 20)) progress.done({target, status: 'ok', value: {target, dryRun: false, changed: 0, steps: [], notices: [], durationMs: 5}, durationMs: 5})
      for (const target of targets.slice(20, 27)) progress.done({target, status: 'failed', error: {message: 'Connection refused', exitCode: 5}, cause: undefined, durationMs: 5})
      progress.activity('host-028', 'install: unpacking containerd (40%)')
      progress.stop()
      const block = writes.at(-1)!.split('\n').filter(Boolean).map((line) => line.replace(/^(\u001B\[\d+F)?\u001B\[2K/, ''))
      expect(block[0]).to.match(/200 hosts: 3 running, 20 done, 7 failed, 170 queued$/)
      expect(block).to.include.members(['  slowest:', '  failed:', '    and 2 more (listed at the end)'])
      expect(block.some((line) => /^ {4}host-028 {2}install: unpacking containerd \(40%\)/.test(line))).to.equal(true)
      expect(block.some((line) => /^ {4}host-021 {2}Connection refused/.test(line))).to.equal(true)
      expect(block.length).to.be.at.most(1 + 1 + 5 + 1 + 5 + 1)
      for (const line of block) expect(line.length).to.be.at.most(80)
    })

    it('at scale, piped output has a line per host as it finishes', () => {
      let out = ''
      const targets = Array.from({length: 30}, (_, index) => `h${index}`)
      const progress = new UpProgress(targets, {live: false, style, write: (text) => (out += text), dryRun: false})
      progress.start('h1')
      progress.done({target: 'h1', status: 'ok', value: {target: 'h1', dryRun: false, changed: 2, steps: [], notices: [], durationMs: 5}, durationMs: 5})
      progress.start('h2')
      progress.done({target: 'h2', status: 'failed', error: {message: 'Connection refused', exitCode: 5}, cause: undefined, durationMs: 5})
      expect(out).to.match(/^✔ h1 {3}2 changed {8}\d+\.\ds\n✘ h2 {3}failed \d+\.\ds {2}Connection refused\n$/)
    })

    it('widens the step column to the longest provisioner name', () => {
      let out = ''
      const progress = new UpProgress(['web-1'], {live: false, style, write: (text) => (out += text), dryRun: false, stepWidth: 21})
      progress.step('web-1', {kind: 'provisioner', id: 'busybox-image', title: 'shell', result: 'changed', detail: 'built', durationMs: 2100})
      progress.step('web-1', {kind: 'provisioner', id: 'motd', title: 'shell', result: 'changed', detail: 'ran', durationMs: 10})
      expect(out.split('\n').slice(0, 2)).to.deep.equal(['web-1  changed shell:busybox-image     2.1s  built', 'web-1  changed shell:motd              0.0s  ran'])
    })

    it('sums up hosts, marking those --max-fail kept from starting', () => {
      const table = renderUpSummary(
        [
          {target: 'web-1', status: 'ok', value: {target: 'web-1', dryRun: false, changed: 0, steps: [], notices: [], durationMs: 800, engine: {version: '20.10.24'}}, durationMs: 800},
          {target: 'web-2', status: 'skipped', reason: 'not started: 1 host failed (--max-fail 1)', durationMs: 0},
        ],
        style,
        false,
      )
      expect(table).to.match(/web-1 +ok +0 +20\.10\.24/)
      expect(table).to.match(/web-2 +skipped +- +- +- +not started: 1 host failed \(--max-fail 1\)/)
    })

    it('is the table provision and upgrade print: one vocabulary, WOULD CHANGE in a dry run', async () => {
      const {renderProvisionSummary} = await import('../../../src/render/provision.js')
      const {renderUpgradeSummary} = await import('../../../src/render/upgrade.js')
      const failed = {target: 'db-1', status: 'failed' as const, error: {message: 'db-1: refused', exitCode: 5}, cause: undefined, durationMs: 30}
      const header = (table: string) => table.split('\n')[0].trim().split(/ {2,}/)
      expect(header(renderUpSummary([failed], style, true))).to.deep.equal(['HOST', 'RESULT', 'WOULD CHANGE', 'ENGINE', 'TIME', 'ERROR'])
      expect(header(renderProvisionSummary([failed], style, true))).to.deep.equal(['HOST', 'RESULT', 'WOULD CHANGE', 'ENGINE', 'OS', 'TIME', 'ERROR'])
      expect(header(renderUpgradeSummary([failed], style, false))).to.deep.equal(['HOST', 'RESULT', 'CHANGED', 'ENGINE', 'RANGE', 'TIME', 'ERROR'])
      for (const table of [renderUpSummary([failed], style, true), renderProvisionSummary([failed], style, true), renderUpgradeSummary([failed], style, true)]) {
        expect(table.split('\n')[1]).to.match(/^db-1 +FAILED +- +- .*0\.0s +db-1: refused$/)
      }
    })
  })
})
