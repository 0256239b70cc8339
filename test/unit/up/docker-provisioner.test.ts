/**
 * The docker provisioner's pure parts: spec hashes, docker save archives read
 * without an engine, docker run arguments, the facts script's output and the
 * plan made from it. The host-side behaviour is in
 * test/integration/up-docker.test.ts, against real engines.
 */
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import type {DockerProvisioner} from '../../../src/config/types.js'
import type {Host, RunResult} from '../../../src/transport/host.js'
import {
  dockerDrift,
  dockerRunArguments,
  dockerSpecText,
  envFileText,
  lastLine,
  normalizeReference,
  parseDockerFacts,
  parseSaveManifest,
  planDocker,
  readSaveArchive,
  runDockerProvisioner,
  splitCommand,
} from '../../../src/up/provisioners/docker.js'
import {emptyState} from '../../../src/facts/up-state.js'
import {sha256, SpecHasher} from '../../../src/up/spec-hash.js'
import {imageArchive} from '../../support/image-archive.js'

const web = (overrides: Partial<NonNullable<DockerProvisioner['container']>> = {}, load?: string): DockerProvisioner => ({
  name: 'web',
  type: 'docker',
  run: 'once',
  hosts: ['web1'],
  image: 'registry.example:5000/app:1',
  ...(load ? {load} : {}),
  container: {name: 'web', ports: ['8080:80'], env: {TOKEN: 's3cret-value', MODE: 'prod'}, volumes: ['/srv:/srv:ro'], restart: 'unless-stopped', state: 'running', ...overrides},
  drift: 'check',
})

/** Hashes as a host whose spec key is this one would make them. */
const SPECS = new SpecHasher(Buffer.alloc(32, 7))
const dockerSpecHash = (provisioner: DockerProvisioner, archiveImageId?: string) => SPECS.digest(dockerSpecText(provisioner, archiveImageId)).value
const ID_A = `sha256:${'a'.repeat(64)}`
const ID_B = `sha256:${'b'.repeat(64)}`

describe('docker provisioner', () => {
  describe('spec hash', () => {
    it('changes with an env value, and never holds the value', () => {
      const first = dockerSpecHash(web())
      const second = dockerSpecHash(web({env: {TOKEN: 'other-value', MODE: 'prod'}}))
      expect(first).to.match(/^hmac-sha256:[0-9a-f]{64}$/)
      expect(second).not.to.equal(first)
      expect(first).not.to.contain('s3cret')
    })

    it('ignores the order env is written in and the run policy, but not ports, the image or the archive', () => {
      const base = dockerSpecHash(web())
      expect(dockerSpecHash(web({env: {MODE: 'prod', TOKEN: 's3cret-value'}}))).to.equal(base)
      expect(dockerSpecHash({...web(), run: 'always'})).to.equal(base)
      expect(dockerSpecHash(web({ports: ['8081:80']}))).not.to.equal(base)
      expect(dockerSpecHash({...web(), image: 'registry.example:5000/app:2'})).not.to.equal(base)
      expect(dockerSpecHash(web(), ID_A)).not.to.equal(dockerSpecHash(web(), ID_B))
    })
  })

  describe('docker save archives', () => {
    let dir: string
    before(() => (dir = mkdtempSync(join(tmpdir(), 'tk-docker-unit-'))))
    after(() => rmSync(dir, {recursive: true, force: true}))
    const layer = Buffer.from('not really a layer, the reader never opens it')

    it('normalizes references the way docker save records them', () => {
      expect(normalizeReference('nginx')).to.equal('nginx:latest')
      expect(normalizeReference('docker.io/library/nginx:1.27')).to.equal('nginx:1.27')
      expect(normalizeReference('registry:5000/app')).to.equal('registry:5000/app:latest')
      expect(normalizeReference(`app@${ID_A}`)).to.equal(`app@${ID_A}`)
    })

    it('reads the image ID of a classic archive, skipping layers and long names', async () => {
      const made = imageArchive({layer, tags: ['app:1'], extra: {[`${'d'.repeat(120)}/file`]: Buffer.alloc(3000, 1)}})
      const path = join(dir, 'classic.tar')
      writeFileSync(path, made.tar)
      const archive = await readSaveArchive(path, 'app:1')
      expect(archive).to.deep.equal({imageId: made.imageId, imageIds: [made.imageId], tagged: true})
    })

    it('reads an OCI-layout archive (Docker 25+): the config digest, and the manifest digest a containerd store uses as ID', async () => {
      const made = imageArchive({layer, tags: ['docker.io/library/app:1'], layout: 'oci'})
      const path = join(dir, 'oci.tar')
      writeFileSync(path, made.tar)
      const archive = await readSaveArchive(path, 'app:1')
      expect(archive.imageId).to.equal(made.imageId)
      expect(archive.imageIds).to.deep.equal([made.imageId, made.manifestDigest])
      expect(archive.tagged).to.equal(true)
    })

    it('takes the only image of an archive saved under another tag or by ID, to tag after loading', () => {
      const one = parseSaveManifest(JSON.stringify([{Config: `${'c'.repeat(64)}.json`, RepoTags: null}]), undefined, 'app:1')
      expect(one).to.deep.equal({imageId: `sha256:${'c'.repeat(64)}`, imageIds: [`sha256:${'c'.repeat(64)}`], tagged: false})
    })

    it('refuses an archive of several images none of which is the reference', () => {
      const manifest = JSON.stringify([
        {Config: `${'c'.repeat(64)}.json`, RepoTags: ['a:1']},
        {Config: `${'e'.repeat(64)}.json`, RepoTags: ['b:1']},
      ])
      expect(() => parseSaveManifest(manifest, undefined, 'app:1')).to.throw('it holds 2 images and none is tagged app:1 (its tags: a:1, b:1)')
      expect(parseSaveManifest(manifest, undefined, 'docker.io/b:1').imageId).to.equal(`sha256:${'e'.repeat(64)}`)
    })

    it('refuses a root filesystem tar, a compressed archive and a missing file with one line each', async () => {
      const rootfs = join(dir, 'rootfs.tar')
      writeFileSync(join(dir, 'hello'), 'hello\n')
      writeFileSync(rootfs, spawnSync('tar', ['-C', dir, '-c', 'hello']).stdout)
      const gzip = join(dir, 'image.tar.gz')
      writeFileSync(gzip, gzipSync(imageArchive({layer}).tar))
      for (const [path, message] of [
        [rootfs, 'is not a docker save archive (it has no manifest.json)'],
        [gzip, 'is compressed'],
        [join(dir, 'missing.tar'), 'no such file'],
      ]) {
        // eslint-disable-next-line no-await-in-loop
        const error = await readSaveArchive(path, 'app:1').then(
          () => undefined,
          (error_: Error) => error_,
        )
        expect(error?.name).to.equal('InputError')
        expect(error?.message).to.contain(message)
      }
    })
  })

  describe('docker run arguments', () => {
    it('publish, mount, restart and label the container; the environment is not among them', () => {
      const args = dockerRunArguments(web({command: ['nginx', '-g', 'daemon off;']}), 'f00')
      expect(args).to.deep.equal([
        '--restart',
        'unless-stopped',
        '-p',
        '8080:80',
        '-v',
        '/srv:/srv:ro',
        '--label',
        'tk.spec=f00',
        '--label',
        'tk.provisioner=web',
        'registry.example:5000/app:1',
        'nginx',
        '-g',
        'daemon off;',
      ])
      expect(args.join(' ')).not.to.contain('s3cret')
    })

    it('split a command string into words as a shell would, expanding nothing', () => {
      expect(splitCommand(`nginx -g 'daemon off;'`)).to.deep.equal(['nginx', '-g', 'daemon off;'])
      expect(splitCommand(`sh -c "echo \\"hi\\" \\$HOME" a\\ b ''`)).to.deep.equal(['sh', '-c', 'echo "hi" $HOME', 'a b', ''])
      expect(() => splitCommand(`echo 'open`)).to.throw('unterminated single quote')
    })

    it('write the environment as an env-file, refusing what it cannot carry', () => {
      expect(envFileText({A: '1', B: 'x = "y" $z'})).to.equal('A=1\nB=x = "y" $z\n')
      expect(() => envFileText({A: 'two\nlines'})).to.throw('the value of A holds a line break')
    })
  })

  describe('the line a failed docker command is reported with', () => {
    const failed = (stderr: string, stdout = ''): RunResult => ({code: 1, stdout, stderr})

    it('is docker\'s reason, then what became of the previous container, when docker run failed on a recreate', () => {
      const stderr = [
        'docker: Error response from daemon: invalid containerPort: 80800.',
        "See 'docker run --help'.",
        'the new container did not start; the previous web is back, running',
        '',
      ].join('\n')
      expect(lastLine(failed(stderr))).to.equal('docker: Error response from daemon: invalid containerPort: 80800. (the new container did not start; the previous web is back, running)')
    })

    it('carries the health log\'s last lines after the reason, on one line, when the health wait rolled back', () => {
      const stderr = 'health-log: exit 1: "not ready\\n"\nhealth-log: exit 1: "still not"\nthe new container was not healthy: its health check failed\nthe new container was not healthy; the previous web is back, running\n'
      expect(lastLine(failed(stderr))).to.equal(
        'the new container was not healthy: its health check failed; its last health checks: exit 1: "not ready\\n"; exit 1: "still not" (the new container was not healthy; the previous web is back, running)',
      )
    })

    it('gives docker run the health check, and keeps the spec of a container without one as older tk made it', () => {
      const checked = web({healthcheck: {test: 'wget -q http://127.0.0.1/ || exit 1', interval: 2, retries: 3, startPeriod: 0.5, wait: 30}})
      const args = dockerRunArguments(checked, 'f00')
      expect(args.slice(2, 10)).to.deep.equal(['--health-cmd', 'wget -q http://127.0.0.1/ || exit 1', '--health-interval', '2s', '--health-retries', '3', '--health-start-period', '0.5s'])
      expect(dockerSpecText(web())).not.to.contain('healthcheck')
      expect(dockerSpecHash(checked)).not.to.equal(dockerSpecHash(web()))
    })

    it('is the last line of stderr otherwise, else of stdout, else the exit code', () => {
      expect(lastLine(failed("docker: Error response from daemon: Conflict.\nSee 'docker run --help'.\n"))).to.equal('docker: Error response from daemon: Conflict.')
      expect(lastLine(failed('', 'Error: no such image\n'))).to.equal('Error: no such image')
      expect(lastLine(failed(''))).to.equal('exit code 1')
    })
  })

  describe('facts and plan', () => {
    const spec = web()
    const hash = dockerSpecHash(spec)
    const digest = SPECS.digest(dockerSpecText(spec))
    const running = (overrides: Record<string, unknown> = {}) => ({id: 'c1', imageId: ID_A, running: true, specHash: hash, ...overrides})

    it('parses the facts script', () => {
      expect(parseDockerFacts(`before -\nimage ${ID_A}\ncontainer c1 ${ID_A} true ${hash}\n`)).to.deep.equal({before: null, imageId: ID_A, container: running()})
      expect(parseDockerFacts(`image -\narchive ${ID_B}\ncontainer -\n`)).to.deep.equal({imageId: undefined, archiveId: ID_B, container: null})
      expect(parseDockerFacts(`image ${ID_A}\ncontainer c1 ${ID_A} false -\n`).container).to.deep.equal({id: 'c1', imageId: ID_A, running: false})
    })

    it('does nothing when image and container hold', () => {
      const plan = planDocker(spec, {imageId: ID_A, container: running()}, digest)
      expect(plan.steps).to.deep.equal([])
      expect(plan.holds).to.deep.equal(['image registry.example:5000/app:1 present (aaaaaaaaaaaa)', 'container web running'])
    })

    it('pulls a missing image and then recreates the container from it', () => {
      expect(planDocker(spec, {container: running()}, digest).steps).to.deep.equal([{kind: 'pull'}, {kind: 'recreate', reason: 'its image changed'}])
    })

    it('takes a container labelled by an older tk (a plain sha256 of the same spec) as holding, and no other label', () => {
      const plain = sha256(dockerSpecText(spec))
      expect(planDocker(spec, {imageId: ID_A, container: running({specHash: plain})}, digest).steps).to.deep.equal([])
      expect(planDocker(spec, {imageId: ID_A, container: running({specHash: sha256(dockerSpecText(web({env: {TOKEN: 'changed', MODE: 'prod'}})))})}, digest).steps).to.deep.equal([
        {kind: 'recreate', reason: 'its spec changed'},
      ])
    })

    it('recreates on a changed spec or image, creates a missing container, starts a stopped one', () => {
      expect(planDocker(spec, {imageId: ID_A, container: running({specHash: 'old'})}, digest).steps).to.deep.equal([{kind: 'recreate', reason: 'its spec changed'}])
      expect(planDocker(spec, {imageId: ID_B, container: running()}, digest).steps).to.deep.equal([{kind: 'recreate', reason: 'its image changed'}])
      expect(planDocker(spec, {imageId: ID_A, container: null}, digest).steps).to.deep.equal([{kind: 'create'}])
      expect(planDocker(spec, {imageId: ID_A, container: running({running: false})}, digest).steps).to.deep.equal([{kind: 'start'}])
    })

    it('state: stopped: makes a missing container and stops it, stops a running one, leaves a stopped one', () => {
      const stopped = {...spec, container: {...spec.container!, state: 'stopped' as const}}
      expect(planDocker(stopped, {imageId: ID_A, container: null}, digest).steps).to.deep.equal([{kind: 'create'}, {kind: 'stop'}])
      expect(planDocker(stopped, {imageId: ID_A, container: running()}, digest).steps).to.deep.equal([{kind: 'stop'}])
      const left = planDocker(stopped, {imageId: ID_A, container: running({running: false})}, digest)
      expect(left.steps).to.deep.equal([])
      expect(left.holds).to.include('container web stopped (state: stopped)')
      expect(planDocker(stopped, {imageId: ID_B, container: running({running: false})}, digest).steps).to.deep.equal([{kind: 'recreate', reason: 'its image changed'}, {kind: 'stop'}])
    })

    it('says what drifted: a container missing, stopped, started against state: stopped, on another image, with another label', () => {
      expect(dockerDrift(spec, {imageId: ID_A, container: null}, digest)).to.deep.equal(['container web missing'])
      expect(dockerDrift(spec, {imageId: ID_A, container: running({running: false})}, digest)).to.deep.equal(['container web stopped'])
      expect(dockerDrift({...spec, container: {...spec.container!, state: 'stopped'}}, {imageId: ID_A, container: running()}, digest)).to.deep.equal(['container web running (state: stopped)'])
      expect(dockerDrift(spec, {imageId: ID_A, container: running({imageId: ID_B})}, digest)).to.deep.equal(['container web runs another image (bbbbbbbbbbbb, not aaaaaaaaaaaa)'])
      expect(dockerDrift(spec, {imageId: ID_A, container: running({specHash: undefined})}, digest)).to.deep.equal(['container web was replaced by one tk did not make (no tk.spec label)'])
      expect(dockerDrift(spec, {container: running()}, digest)[0]).to.equal('image registry.example:5000/app:1 missing')
    })

    it('counts a pull that moved the image as done, and recreates the container still on the old one', () => {
      const plan = planDocker(spec, {before: ID_A, imageId: ID_B, container: running()}, digest)
      expect(plan.pulled).to.deep.equal({from: ID_A, to: ID_B})
      expect(plan.steps).to.deep.equal([{kind: 'recreate', reason: 'its image changed'}])
    })

    it('with an archive: loads only when the engine has none of its IDs, else tags what it has', () => {
      const archive = {imageId: ID_A, imageIds: [ID_A], tagged: true}
      const loaded = {...spec, load: '/x/app.tar'}
      const archiveHash = dockerSpecHash(loaded, ID_A)
      const archiveDigest = SPECS.digest(dockerSpecText(loaded, ID_A))
      expect(planDocker(loaded, {imageId: ID_A, archiveId: ID_A, container: running({specHash: archiveHash})}, archiveDigest, archive).steps).to.deep.equal([])
      expect(planDocker(loaded, {imageId: ID_B, archiveId: ID_A, container: running({specHash: archiveHash})}, archiveDigest, archive).steps).to.deep.equal([{kind: 'tag', imageId: ID_A}])
      expect(planDocker(loaded, {archiveId: null, container: null}, archiveDigest, archive).steps).to.deep.equal([{kind: 'load'}, {kind: 'create'}])
    })
  })

  describe('runDockerProvisioner', () => {
    /** A host that answers docker-facts.sh with `facts` and records every script and its stdin. */
    const recordingHost = (facts: string, code = 0) => {
      const runs: Array<{script: string; stdin?: string}> = []
      const host: Host = {
        name: 'web1',
        async run(script: string, options: {stdin?: string | Buffer} = {}): Promise<RunResult> {
          runs.push({script, stdin: options.stdin?.toString()})
          if (script.includes("What tk up's docker provisioner needs to know")) return {code, stdout: facts, stderr: code === 0 ? '' : 'Error: Cannot connect to the Docker daemon\n'}
          return {code: 0, stdout: 'c2\n', stderr: ''}
        },
        readFile: async () => undefined,
        stat: async () => undefined,
        hasCommand: async () => true,
        close: async () => undefined,
      }
      return {host, runs}
    }
    const context = (host: Host, overrides: Record<string, unknown> = {}) => ({target: 'web1', hosts: {login: host, root: host}, state: emptyState(), dryRun: false, secrets: ['s3cret-value'], specs: SPECS, ...overrides})

    it('run: once and drift: ignore with the same spec in the state touches nothing', async () => {
      const {host, runs} = recordingHost('')
      const state = {version: 1 as const, provisioners: {web: {type: 'docker' as const, specHash: dockerSpecHash(web()), appliedAt: '2026-01-01T00:00:00Z', tkVersion: '0.1.0'}}}
      const run = await runDockerProvisioner({...web(), drift: 'ignore'}, context(host, {state}))
      expect(run.result).to.equal('ok')
      expect(runs).to.deep.equal([])
    })

    it('sends env values on stdin only: never in a script or its arguments, never in the result', async () => {
      const {host, runs} = recordingHost(`image ${ID_A}\ncontainer -\n`)
      const run = await runDockerProvisioner(web(), context(host))
      expect(run.result).to.equal('changed')
      expect(run.detail).to.equal('created container web')
      expect(runs).to.have.length(2)
      for (const {script} of runs) expect(script).not.to.contain('s3cret')
      expect(runs[1].stdin).to.equal('TOKEN=s3cret-value\nMODE=prod\n')
      expect(JSON.stringify(run)).not.to.contain('s3cret')
    })

    it('a dry run inspects and says what it would do', async () => {
      const {host, runs} = recordingHost(`image -\ncontainer -\n`)
      const run = await runDockerProvisioner({...web(), run: 'always'}, context(host, {dryRun: true}))
      expect(run).to.include({result: 'would-change', detail: 'would pull registry.example:5000/app:1, then create container web (the registry is not asked in a dry run)'})
      expect(runs).to.have.length(1)
      expect(runs[0].script).not.to.match(/^set -- .*'pull'/m)
    })

    it('fails with one line naming the host, the provisioner and what failed', async () => {
      const {host} = recordingHost('', 1)
      const error = await runDockerProvisioner(web(), context(host)).catch((error_: Error) => error_)
      expect((error as Error).message).to.equal('web1: docker provisioner web: inspecting the engine failed: Error: Cannot connect to the Docker daemon')
    })
  })
})
