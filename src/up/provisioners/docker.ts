/**
 * The `docker` provisioner of `tk up`: an image made present on the host's
 * engine (loaded from a `docker save` archive, or pulled), and optionally a
 * container run from it and recreated only when its spec or its image
 * changed. Facts come from one script run (docker-facts.sh); the plan is a
 * pure function of them; only the steps it names touch the host.
 *
 * Container environment values may be secrets: they travel to the host on
 * stdin into a root-only env-file that is removed after `docker run`, and tk
 * keeps only a keyed hash of them (the container's tk.spec label, the state
 * file; src/up/spec-hash.ts).
 */
import {readFile} from 'node:fs/promises'
import {basename} from 'node:path'

import {hideSecrets} from '../../config/secrets.js'
import type {DockerProvisioner} from '../../config/types.js'
import {ConfigurationError, HostStateError, UserError, userErrorOf} from '../../errors/index.js'
import type {Host, RunResult} from '../../transport/host.js'
import {boundScript} from '../../transport/host-scripts.js'
import {normalizeReference, readSaveArchive, type SaveArchive} from './docker-archive.js'
import {dockerFactsThroughApi, imageIdThroughApi, pullThroughApi} from './docker-api.js'
import type {SpecDigest} from '../spec-hash.js'
import {rehashOf, takePrefetched, trustsRecord, unchangedRun, type ProvisionerContext, type ProvisionerRun, type ProvisionerRunner} from './types.js'

export {normalizeReference, parseSaveManifest, readSaveArchive, type SaveArchive} from './docker-archive.js'

/** Archives read in this process, by path and reference: every host of a run, and its drift round trip, read one once. */
const archives = new Map<string, Promise<SaveArchive>>()

/** readSaveArchive, once per archive and reference in a run. */
export function readArchiveOnce(path: string, reference: string): Promise<SaveArchive> {
  const key = `${path}\0${reference}`
  let pending = archives.get(key)
  if (!pending) {
    pending = readSaveArchive(path, reference)
    archives.set(key, pending)
  }
  return pending
}

/** The label that carries the container's spec hash. */
export const SPEC_LABEL = 'tk.spec'

// ---- Spec -------------------------------------------------------------------

/**
 * What defines the provisioner's result on a host, as the text its spec hash
 * is taken of: the image reference, the archive's image ID, and the
 * container's spec with its environment values (so a changed secret
 * recreates the container) — never the values themselves anywhere but in the
 * hash input.
 */
export function dockerSpecText(provisioner: DockerProvisioner, archiveImageId?: string): string {
  const container = provisioner.container
  const spec = {
    type: 'docker',
    image: provisioner.image,
    archiveImageId: archiveImageId ?? null,
    container: container
      ? {
          name: container.name,
          command: container.command ?? null,
          ports: container.ports,
          env: Object.entries(container.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
          volumes: container.volumes,
          restart: container.restart,
          // Only when given: the spec of a container without one (and its tk.spec label) stays what older tk made it.
          ...(container.healthcheck ? {healthcheck: container.healthcheck} : {}),
        }
      : null,
  }
  return JSON.stringify(spec)
}

/**
 * A command string split into words as a POSIX shell would (quotes and
 * backslashes honoured, nothing expanded), as Compose does with `command:`.
 */
export function splitCommand(text: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: "'" | '"' | undefined
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (quote === "'") {
      if (char === "'") quote = undefined
      else word += char
    } else if (quote === '"') {
      if (char === '"') quote = undefined
      else if (char === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) word += text[++i]
      else word += char
    } else if (char === "'" || char === '"') {
      quote = char
      inWord = true
    } else if (char === '\\' && i + 1 < text.length) {
      word += text[++i]
      inWord = true
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += char
      inWord = true
    }
  }
  if (quote) throw new Error(`unterminated ${quote === "'" ? 'single' : 'double'} quote in the command`)
  if (inWord) words.push(word)
  return words
}

/** `docker run` arguments after `--name NAME --env-file FILE`: everything but the environment. */
export function dockerRunArguments(provisioner: DockerProvisioner, specHash: string): string[] {
  const container = provisioner.container
  if (!container) throw new Error(`docker provisioner ${provisioner.name} has no container`)
  const command = container.command === undefined ? [] : typeof container.command === 'string' ? splitCommand(container.command) : container.command
  const health = container.healthcheck
  const seconds = (value: number | undefined, flag: string) => (value === undefined ? [] : [flag, `${value}s`])
  return [
    '--restart',
    container.restart,
    ...(health?.test === undefined ? [] : ['--health-cmd', health.test]),
    ...seconds(health?.interval, '--health-interval'),
    ...seconds(health?.timeout, '--health-timeout'),
    ...(health?.retries === undefined ? [] : ['--health-retries', String(health.retries)]),
    ...seconds(health?.startPeriod, '--health-start-period'),
    ...container.ports.flatMap((port) => ['-p', port]),
    ...container.volumes.flatMap((volume) => ['-v', volume]),
    '--label',
    `${SPEC_LABEL}=${specHash}`,
    '--label',
    `tk.provisioner=${provisioner.name}`,
    provisioner.image,
    ...command,
  ]
}

/**
 * The container's environment in docker's env-file format. docker reads each
 * line literally up to its end, so a value may hold anything but a newline.
 */
export function envFileText(env: Record<string, string>): string {
  const lines = Object.entries(env).map(([key, value]) => {
    if (key === '' || /[\s=]/.test(key)) throw new Error(`${JSON.stringify(key)} cannot be an environment variable name`)
    if (/[\r\n\0]/.test(value)) throw new Error(`the value of ${key} holds a line break, which docker's env-file cannot carry`)
    return `${key}=${value}\n`
  })
  return lines.join('')
}

// ---- Facts ------------------------------------------------------------------

export interface ContainerFacts {
  id: string
  imageId: string
  running: boolean
  /** The tk.spec label; undefined when the container has none (not made by tk). */
  specHash?: string
}

export interface DockerFacts {
  /** The image's ID, undefined when the engine does not have the reference. */
  imageId?: string
  /** Set when facts pulled first: the ID before the pull (null: the image was missing). */
  before?: string | null
  /** With an archive: the archive image ID the engine has (the reference's, else any), null for none. */
  archiveId?: string | null
  /** undefined: no container asked about; null: no such container. */
  container?: ContainerFacts | null
}

const orMissing = (word: string | undefined) => (word === undefined || word === '-' || word === '' ? undefined : word)

/** docker-facts.sh's output. */
export function parseDockerFacts(stdout: string): DockerFacts {
  const facts: DockerFacts = {}
  for (const line of stdout.split('\n')) {
    const [key, ...words] = line.trim().split(/\s+/)
    switch (key) {
      case 'before':
        facts.before = orMissing(words[0]) ?? null
        break
      case 'image':
        facts.imageId = orMissing(words[0])
        break
      case 'archive':
        facts.archiveId = orMissing(words[0]) ?? null
        break
      case 'container': {
        if (orMissing(words[0]) === undefined) {
          facts.container = null
          break
        }
        const label = words[3]
        facts.container = {
          id: words[0],
          imageId: words[1] ?? '',
          running: words[2] === 'true',
          ...(orMissing(label) ? {specHash: label} : {}),
        }
        break
      }
      default:
    }
  }
  return facts
}

// ---- Plan -------------------------------------------------------------------

export type DockerStep =
  | {kind: 'load'}
  | {kind: 'tag'; imageId: string}
  | {kind: 'pull'}
  | {kind: 'create'}
  | {kind: 'recreate'; reason: string}
  | {kind: 'start'}
  | {kind: 'stop'}

export interface DockerPlan {
  steps: DockerStep[]
  /** The facts' own pull moved the image (run: always): a change already made. */
  pulled?: {from?: string; to: string}
  /** What holds, for an ok result. */
  holds: string[]
}

const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12)

/**
 * The steps that bring the host to the provisioner's spec, from the facts;
 * nothing when everything holds.
 */
export function planDocker(provisioner: DockerProvisioner, facts: DockerFacts, spec: SpecDigest, archive?: SaveArchive): DockerPlan {
  const steps: DockerStep[] = []
  const holds: string[] = []
  let plan: DockerPlan = {steps, holds}
  /** Whether a container's image is the one the reference will name once the image steps ran. */
  let isCurrentImage: (id: string) => boolean

  if (archive) {
    isCurrentImage = (id) => archive.imageIds.includes(id)
    if (facts.imageId && archive.imageIds.includes(facts.imageId)) holds.push(`image ${provisioner.image} loaded (${shortId(facts.imageId)})`)
    else if (facts.archiveId) steps.push({kind: 'tag', imageId: facts.archiveId})
    else steps.push({kind: 'load'})
  } else if (facts.imageId) {
    const current = facts.imageId
    isCurrentImage = (id) => id === current
    if (facts.before !== undefined && facts.before !== current) plan = {...plan, pulled: {...(facts.before ? {from: facts.before} : {}), to: current}}
    else holds.push(`image ${provisioner.image} present (${shortId(current)})`)
  } else {
    isCurrentImage = () => false
    steps.push({kind: 'pull'})
  }

  const container = provisioner.container
  if (container) {
    const found = facts.container
    const stopped = container.state === 'stopped'
    // A container made (or remade) runs: one kept stopped is stopped right after.
    if (!found) steps.push({kind: 'create'}, ...(stopped ? [{kind: 'stop'} as const] : []))
    // A label of an older tk (a plain hash of the same spec) holds: the container is not recreated for it.
    else if (!spec.matches(found.specHash)) steps.push({kind: 'recreate', reason: found.specHash ? 'its spec changed' : 'it was not made by tk'}, ...(stopped ? [{kind: 'stop'} as const] : []))
    else if (!isCurrentImage(found.imageId)) steps.push({kind: 'recreate', reason: 'its image changed'}, ...(stopped ? [{kind: 'stop'} as const] : []))
    else if (!found.running && !stopped) steps.push({kind: 'start'})
    else if (found.running && stopped) steps.push({kind: 'stop'})
    else holds.push(`container ${container.name} ${stopped ? 'stopped (state: stopped)' : 'running'}`)
  }
  return plan
}

/** The plan as words for people: "load images/app.tar", "recreate container web (its spec changed)". */
export function describeStep(provisioner: DockerProvisioner, step: DockerStep): string {
  const name = provisioner.container?.name
  switch (step.kind) {
    case 'load':
      return `load ${provisioner.load ? basename(provisioner.load) : 'the archive'} as ${provisioner.image}`
    case 'tag':
      return `tag ${shortId(step.imageId)} as ${provisioner.image}`
    case 'pull':
      return `pull ${provisioner.image}`
    case 'create':
      return `create container ${name}`
    case 'recreate':
      return `recreate container ${name} (${step.reason})`
    case 'start':
      return `start container ${name}`
    case 'stop':
      return `stop container ${name} (state: stopped)`
  }
}

const PAST: Record<string, string> = {load: 'loaded', tag: 'tagged', pull: 'pulled', create: 'created', recreate: 'recreated', start: 'started', stop: 'stopped'}

/**
 * What changed on the host since tk made it as the spec says (the spec is the one tk applied):
 * "container web missing", "container web stopped", "container web runs another image (1a2b.., not 3c4d..)".
 */
export function dockerDrift(provisioner: DockerProvisioner, facts: DockerFacts, spec: SpecDigest, archive?: SaveArchive): string[] {
  const drift: string[] = []
  const container = provisioner.container
  const wanted = archive ? facts.archiveId ?? undefined : facts.imageId
  if (!facts.imageId && !(archive && facts.archiveId)) drift.push(`image ${provisioner.image} missing`)
  if (!container) return drift
  const found = facts.container
  if (!found) return [...drift, `container ${container.name} missing`]
  if (!spec.matches(found.specHash)) drift.push(`container ${container.name} ${found.specHash ? 'has another spec than tk gave it (its tk.spec label differs)' : 'was replaced by one tk did not make (no tk.spec label)'}`)
  else if (wanted && found.imageId !== wanted && !(archive?.imageIds.includes(found.imageId) ?? false)) drift.push(`container ${container.name} runs another image (${shortId(found.imageId)}, not ${shortId(wanted)})`)
  if (!found.running && container.state === 'running') drift.push(`container ${container.name} stopped`)
  if (found.running && container.state === 'stopped') drift.push(`container ${container.name} running (state: stopped)`)
  return drift
}

/**
 * The container's spec as it differs from the host's, in diff form: image and state, from the facts.
 * (The container's other settings are known on the host only by their keyed hash, the tk.spec label.)
 */
function containerDiff(provisioner: DockerProvisioner, facts: DockerFacts, spec: SpecDigest, archive?: SaveArchive): string[] {
  const container = provisioner.container
  const found = facts.container
  if (!container) return []
  const name = `container ${container.name}`
  if (!found) return [`+ ${name}: image ${provisioner.image}, ${container.state}`]
  const lines: string[] = []
  const wanted = archive ? facts.archiveId ?? archive.imageId : facts.imageId
  if (wanted && found.imageId !== wanted && !(archive?.imageIds.includes(found.imageId) ?? false)) lines.push(`- ${name} image: ${shortId(found.imageId)}`, `+ ${name} image: ${shortId(wanted)} (${provisioner.image})`)
  if (!spec.matches(found.specHash)) lines.push(`- ${name} spec: ${found.specHash ? 'tk.spec label of another spec' : 'no tk.spec label'}`, `+ ${name} spec: tk.yml's (command, ports, env, volumes, restart)`)
  const running = found.running ? 'running' : 'stopped'
  if (running !== container.state) lines.push(`- ${name} state: ${running}`, `+ ${name} state: ${container.state}`)
  return lines
}

/** The host script that reads what the provisioner's image and container are now (docker-facts.sh); with `load`, the archive is read for its image IDs. */
export async function dockerFactsScript(provisioner: DockerProvisioner, options: {pull?: boolean; archive?: SaveArchive} = {}): Promise<string> {
  if (provisioner.load && !options.archive) options = {...options, archive: await readArchiveOnce(provisioner.load, provisioner.image)}
  return boundScript('docker-facts.sh', [normalizeReference(provisioner.image), provisioner.container?.name ?? '', options.pull ? 'pull' : '', ...(options.archive?.imageIds ?? [])])
}

/**
 * What docker-facts.sh would print (without a pull), asked through the engine's API over the
 * connection: no docker CLI started on the host. Undefined when the login user cannot ask the
 * engine: the caller runs dockerFactsScript as root instead.
 */
export async function dockerFactsOverApi(host: Host, provisioner: DockerProvisioner, archive?: SaveArchive): Promise<string | undefined> {
  if (provisioner.load && !archive) archive = await readArchiveOnce(provisioner.load, provisioner.image)
  return dockerFactsThroughApi(host, provisioner.image, provisioner.container?.name, SPEC_LABEL, archive?.imageIds)
}

// ---- Run --------------------------------------------------------------------


/** docker-run-container.sh's own last word after a failed docker run (or health wait): what became of the previous container. */
const RESTORED = /^the new container (did not start|was not healthy); /
/** docker-run-container.sh's account of a container's last health checks. */
const HEALTH_LOG = /^health-log: /

/** How long tk up waits for a created container's health check (the image's, or healthcheck.test) by default, in seconds. */
export const DEFAULT_HEALTH_WAIT = 120

/**
 * The line that says what went wrong: the last of stderr, else of stdout (not the docker CLI's
 * "See 'docker run --help'."). When docker-run-container.sh put the previous container back, its
 * note follows docker's own reason, which comes before it on stderr and is what the user can act on.
 */
export function lastLine(result: RunResult): string {
  const lines = (text: string) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !/^See 'docker .*--help'\.?$/.test(line))
  const stderr = lines(result.stderr)
  const restored = stderr.findLast((line) => RESTORED.test(line))
  const checks = stderr.filter((line) => HEALTH_LOG.test(line)).map((line) => line.replace(HEALTH_LOG, ''))
  const said = stderr.filter((line) => !RESTORED.test(line) && !HEALTH_LOG.test(line)).pop() ?? lines(result.stdout).pop()
  const reason = said && checks.length > 0 ? `${said}; its last health checks: ${checks.join('; ')}` : said
  if (restored) return reason ? `${reason} (${restored})` : restored
  return reason ?? `exit code ${result.code}`
}

export const runDockerProvisioner: ProvisionerRunner<DockerProvisioner> = async (provisioner, context) => {
  const prefix = `${context.target}: docker provisioner ${provisioner.name}`
  const fail = (what: string, result: RunResult) => new HostStateError(hideSecrets(`${prefix}: ${what} failed: ${lastLine(result)}`, context.secrets))

  let archive: SaveArchive | undefined
  if (provisioner.load) {
    try {
      archive = await readArchiveOnce(provisioner.load, provisioner.image)
    } catch (error) {
      if (error instanceof UserError) throw userErrorOf(error, hideSecrets(`${prefix}: ${error.message}`, context.secrets))
      throw error
    }
  }
  let envFile = ''
  if (provisioner.container) {
    try {
      envFile = envFileText(provisioner.container.env)
      if (typeof provisioner.container.command === 'string') splitCommand(provisioner.container.command)
    } catch (error) {
      throw new ConfigurationError(`${prefix}: ${(error as Error).message}`)
    }
  }
  const spec = context.specs.digest(dockerSpecText(provisioner, archive?.imageId))
  const specHash = spec.value
  const record = context.state.provisioners[provisioner.name]
  const done = (result: ProvisionerRun['result'], detail: string): ProvisionerRun => ({result, detail: hideSecrets(detail, context.secrets), specHash, ...rehashOf(spec, record)})

  // drift: ignore with run: once trusts the record: the host is not looked at while the spec is unchanged.
  const unchanged = trustsRecord(provisioner) && record?.type === 'docker' ? unchangedRun(spec, record, (earlier) => `unchanged since ${earlier.appliedAt} (drift: ignore)`) : undefined
  if (unchanged) return unchanged

  const root = context.hosts.root
  const pull = provisioner.run === 'always' && !archive && !context.dryRun
  // A registry of tk.yml's: its pulls go through the engine's API with the credentials (docker-api.ts), not the facts script.
  const auth = archive ? undefined : context.registryAuth?.(provisioner.image)
  const scriptPull = pull && !auth
  // What the drift round trip read serves unless this run pulls first.
  const prefetched = pull ? undefined : takePrefetched(context, provisioner.name)
  // Without a pull by the script, the engine's API answers as well, without the docker CLI on the host.
  let stdout = prefetched ?? (scriptPull ? undefined : await dockerFactsOverApi(context.hosts.login, provisioner, archive))
  if (stdout === undefined) {
    // With its tag spelt out, the reference can never be taken for a container name.
    const factsRun = await root.run(await dockerFactsScript(provisioner, {pull: scriptPull, archive}))
    if (factsRun.code !== 0) {
      const pullFailed = scriptPull && /^before /m.test(factsRun.stdout) && !/^image /m.test(factsRun.stdout)
      throw fail(pullFailed ? 'docker pull' : 'inspecting the engine', factsRun)
    }
    stdout = factsRun.stdout
  }
  const facts = parseDockerFacts(stdout)
  if (pull && auth) {
    // As the facts script's own pull reports it: the ID before (null: none), and the one the reference names now.
    await pullWithAuth(context, provisioner.image, auth, prefix)
    facts.before = facts.imageId ?? null
    facts.imageId = await imageIdThroughApi(context.hosts.login, provisioner.image)
  }
  const plan = planDocker(provisioner, facts, spec, archive)
  const pulled = plan.pulled ? [`pulled ${provisioner.image} (${plan.pulled.from ? `${shortId(plan.pulled.from)} -> ` : ''}${shortId(plan.pulled.to)})`] : []
  // Drift is what differs from what tk applied: with a changed spec (or none applied yet) it is tk.yml's change.
  const drift = record && spec.matches(record.specHash) && plan.steps.length > 0 ? dockerDrift(provisioner, facts, spec, archive) : []
  const diff = plan.steps.length > 0 ? containerDiff(provisioner, facts, spec, archive) : []
  const shown = {...(drift.length > 0 ? {drift} : {}), ...(diff.length > 0 ? {diff} : {})}
  const because = drift.length > 0 ? ` (${drift.join('; ')})` : ''

  if (context.dryRun) {
    if (plan.steps.length === 0) return done('ok', plan.holds.join('; '))
    const unasked = provisioner.run === 'always' && !archive ? ' (the registry is not asked in a dry run)' : ''
    return {...done('would-change', `would ${plan.steps.map((step) => describeStep(provisioner, step)).join(', then ')}${because}${unasked}`), ...shown}
  }
  if (plan.steps.length === 0 && pulled.length === 0) return done('ok', plan.holds.join('; '))

  const did: string[] = [...pulled]
  for (const step of plan.steps) {
    await applyStep(provisioner, step, context, {archive, envFile, specHash, fail})
    did.push(describeStep(provisioner, step).replace(/^\w+/, (verb) => PAST[verb] ?? verb))
  }
  return {...done('changed', `${did.join('; ')}${because}`), ...shown}
}

async function applyStep(
  provisioner: DockerProvisioner,
  step: DockerStep,
  context: ProvisionerContext,
  run: {archive?: SaveArchive; envFile: string; specHash: string; fail: (what: string, result: RunResult) => UserError},
): Promise<void> {
  const root = context.hosts.root
  const container = provisioner.container
  let result: RunResult
  switch (step.kind) {
    case 'load': {
      // The whole archive goes on the script's stdin, straight into `docker load`.
      const data = await readFile(provisioner.load as string)
      result = await root.run(await boundScript('docker-load-image.sh', [provisioner.image, ...(run.archive?.imageIds ?? [])]), {stdin: data})
      if (result.code !== 0) throw run.fail('docker load', result)
      return
    }
    case 'tag':
      result = await root.run(await boundScript('docker-tag-image.sh', [step.imageId, provisioner.image]))
      if (result.code !== 0) throw run.fail('docker tag', result)
      return
    case 'pull': {
      const auth = context.registryAuth?.(provisioner.image)
      if (auth) return pullWithAuth(context, provisioner.image, auth, `${context.target}: docker provisioner ${provisioner.name}`)
      result = await root.run(await boundScript('docker-pull-image.sh', [provisioner.image]))
      if (result.code !== 0) throw run.fail('docker pull', result)
      return
    }
    case 'create':
    case 'recreate': {
      // A container kept running counts only once healthy (when it has a health check): the wait is the script's, which rolls back.
      const wait = container!.state === 'running' ? container!.healthcheck?.wait ?? DEFAULT_HEALTH_WAIT : 0
      const progress = healthProgress(container!.name, context.onProgress)
      result = await root.run(await boundScript('docker-run-container.sh', ['--health-wait', String(wait), container!.name, ...dockerRunArguments(provisioner, run.specHash)]), {
        stdin: run.envFile,
        onStdout: progress,
      })
      if (result.code !== 0) throw run.fail(/^the new container was not healthy/m.test(result.stderr) ? 'the health wait' : 'docker run', result)
      return
    }
    case 'start':
      result = await root.run(await boundScript('docker-start-container.sh', [container!.name]))
      if (result.code !== 0) throw run.fail('docker start', result)
      return
    case 'stop':
      result = await root.run(await boundScript('docker-stop-container.sh', [container!.name]))
      if (result.code !== 0) throw run.fail('docker stop', result)
  }
}

/** A pull through the engine's API with the registry's credentials; what the engine said, with every secret hidden. */
async function pullWithAuth(context: ProvisionerContext, image: string, auth: string, prefix: string): Promise<void> {
  try {
    await pullThroughApi(context.hosts.login, image, auth, prefix)
  } catch (error) {
    if (error instanceof UserError) throw userErrorOf(error, hideSecrets(error.message, context.secrets))
    throw error
  }
}

/** docker-run-container.sh's "health STATUS SECONDS" lines as progress: "container web: health starting (4 s)". */
function healthProgress(name: string, onProgress: ((text: string) => void) | undefined): (chunk: Buffer) => void {
  let pending = ''
  return (chunk) => {
    pending += chunk.toString('utf8')
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      const match = /^health (\S+) (\d+)$/.exec(line.trim())
      if (match) onProgress?.(`container ${name}: ${match[1]} (${match[2]} s)`)
    }
  }
}
