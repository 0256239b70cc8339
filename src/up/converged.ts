/**
 * tk up's quick run: a host whose last full check changed nothing, and on
 * which nothing tk's plan is read from changed since, is not checked in full
 * again. After such a full check tk records, on the host (root:tk 0640
 * /var/lib/tk/up.record), the host's fingerprint as the check began — the
 * inodes, sizes, times and modes of the files the check reads and of the
 * provisioners' files, the boot, the engine's process, a few /proc values
 * (host-scripts/lib/fingerprint.sh) — with an account of the check: salted
 * digests of what tk.yml asked (the engine, each provisioner's spec and
 * sources) and of what the engine said of each docker provisioner's
 * container, and the steps as they were.
 *
 * The next run takes the fingerprint in the lock's own round trip, as the
 * login user: the same print (host-scripts/up-converged.sh), the same tk.yml
 * (the digest), the same containers (the engine's API, over the connection)
 * and a check less than QUICK_MAX_AGE_MS old make a quick run — no facts, no
 * sudo, no drift round trip. Anything else is a full check, as before. A
 * file changed in any way changes its ctime, which only root can set back
 * (by moving the clock); a package installed or removed rewrites dpkg's
 * status; a reboot changes the boot id; an engine restarted has a new
 * process. What the fingerprint cannot see (a mount made by hand, a
 * container's file system) waits for the next full check: at most an hour,
 * or at once with tk up --full.
 */
import {createHash, randomBytes} from 'node:crypto'

import type {DockerProvisioner, FileProvisioner, Provisioner, ShellProvisioner} from '../config/types.js'
import type {DesiredEngine} from '../provision/desired-engine.js'
import {FactSections} from '../facts/sections.js'
import type {Host} from '../transport/host.js'
import {boundScript} from '../transport/host-scripts.js'
import {dockerFactsOverApi, dockerSpecText, readArchiveOnce} from './provisioners/docker.js'
import {fileSpecText, readSourceTree} from './provisioners/file.js'
import {shellSpecText, shellText} from './provisioners/shell.js'
import {specText} from './spec-hash.js'

/** A quick run relies on a full check at most this old; older, the host is checked in full again. */
export const QUICK_MAX_AGE_MS = 60 * 60 * 1000

/** A step of the full check, as recorded (tk up's UpStep without its result and time: all were ok). */
export interface RecordedStep {
  kind: 'engine' | 'provisioner'
  id: string
  title: string
  detail: string
}

/** What the last full check that changed nothing found: the first line of up.record. */
export interface CheckAccount {
  v: 1
  /** When the full check ran (ISO 8601), who ran it and with which tk. */
  at: string
  by: string
  tkVersion: string
  /** Hex; the digests below are sha256(salt + text). */
  salt: string
  /** What tk.yml asked of the host (engine and provisioners, with their sources). */
  spec: string
  /** What the engine said of each docker provisioner's image and container, by provisioner name. */
  docker: Record<string, string>
  /** The check's steps, all ok. */
  steps: RecordedStep[]
  engine?: {version: string}
  os?: string
  notices: string[]
}

/** A host's quick-run inputs on tk's side: what the full check depends on, and the paths to fingerprint. */
export interface QuickPlan {
  /** The canonical text of what tk.yml asks of this host (never shown, never sent: digested with a salt). */
  material: string
  /** The provisioners' files on the host, fingerprinted with the engine's. */
  paths: string[]
  docker: DockerProvisioner[]
}

/**
 * Whether a host's tk up can be recorded for quick runs at all, known before anything is asked: not a
 * dry run (which reads the host in full to show what it would do, and records nothing), not --rerun,
 * no provisioner that runs every time (run: always) and no smoke test (a container run on every check).
 * tk up --full records too: it only never takes a quick run.
 */
export function quickRunPossible(provisioners: Provisioner[], desired: DesiredEngine, options: {dryRun: boolean; rerun?: ReadonlySet<string>}): boolean {
  if (options.dryRun || desired.smokeImage) return false
  if (provisioners.some((each) => options.rerun?.has(each.name))) return false
  return provisioners.every((each) => each.run === 'once')
}

/** The engine as asked, as text: the install script and a bundle by their digests. */
function engineMaterial(desired: DesiredEngine): unknown {
  const {script, bundle, ...rest} = desired
  return {
    ...rest,
    ...(script ? {script: {source: script.source, sha256: createHash('sha256').update(script.content).digest('hex')}} : {}),
    ...(bundle ? {bundle: {file: bundle.file, sha256: bundle.sha256}} : {}),
  }
}

/** A provisioner's part of the material, and the paths of its files on the host. */
export interface ProvisionerMaterial {
  spec: string
  paths: string[]
}

/**
 * Each provisioner's material, read (its sources hashed) once for a whole run however many hosts it
 * applies to: a run's hosts share one of these.
 */
export function provisionerMaterials(): (provisioner: Provisioner) => Promise<ProvisionerMaterial> {
  const read = new Map<Provisioner, Promise<ProvisionerMaterial>>()
  return (provisioner) => {
    let material = read.get(provisioner)
    if (!material) {
      material = provisionerMaterial(provisioner)
      read.set(provisioner, material)
    }
    return material
  }
}

async function provisionerMaterial(provisioner: Provisioner): Promise<ProvisionerMaterial> {
  switch (provisioner.type) {
    case 'shell': {
      return {spec: shellSpecText(provisioner as ShellProvisioner, await shellText(provisioner as ShellProvisioner)), paths: []}
    }
    case 'file': {
      const tree = await readSourceTree(provisioner as FileProvisioner)
      const paths = tree.kind === 'file' ? [provisioner.destination] : [provisioner.destination, ...tree.files.map((file) => `${provisioner.destination.replace(/\/+$/, '')}/${file.path}`)]
      return {spec: fileSpecText(provisioner as FileProvisioner, tree), paths}
    }
    case 'docker': {
      const archive = provisioner.load ? await readArchiveOnce(provisioner.load, provisioner.image) : undefined
      return {spec: dockerSpecText(provisioner as DockerProvisioner, archive?.imageId), paths: []}
    }
  }
}

/**
 * What the full check of this host depends on from tk's side, and what to fingerprint on the host;
 * `materials` is the run's (provisionerMaterials), a new one when none is given.
 */
export async function quickPlan(
  target: string,
  user: string,
  desired: DesiredEngine,
  provisioners: Provisioner[],
  tkVersion: string,
  materials: (provisioner: Provisioner) => Promise<ProvisionerMaterial> = provisionerMaterials(),
): Promise<QuickPlan> {
  const parts = await Promise.all(provisioners.map((each) => materials(each)))
  const material = specText({
    v: 1,
    tkVersion,
    target,
    user,
    engine: engineMaterial(desired),
    provisioners: provisioners.map((each, index) => ({config: each, spec: parts[index].spec})),
  })
  return {material, paths: parts.flatMap((part) => part.paths), docker: provisioners.filter((each): each is DockerProvisioner => each.type === 'docker')}
}

/**
 * The lock round trip's first part: the fingerprint, and the account when it is the recorded one
 * (never with `full`: tk up --full takes the fingerprint, to record, and always reads the facts).
 */
export function quickCheckScript(plan: QuickPlan, options: {full?: boolean} = {}): Promise<string> {
  return boundScript('up-converged.sh', plan.paths, options.full ? {TK_FULL_CHECK: '1'} : {})
}

/** What the quick check printed: the fingerprint (to record after a full check) and the account it matched. */
export interface QuickLook {
  fingerprint?: string[]
  account?: CheckAccount
}

export function readQuickLook(sections: FactSections): QuickLook {
  const look: QuickLook = {}
  if (sections.has('fingerprint')) {
    const lines = sections.lines('fingerprint')
    const end = lines.indexOf('end')
    if (end > 0) look.fingerprint = lines.slice(0, end + 1)
  }
  if (sections.has('converged')) {
    try {
      const account = JSON.parse(sections.lines('converged')[0] ?? '') as CheckAccount
      if (account?.v === 1 && typeof account.salt === 'string' && typeof account.spec === 'string' && Array.isArray(account.steps)) look.account = account
    } catch {
      // an account tk cannot read: a full check, which records a new one
    }
  }
  return look
}

const salted = (salt: string, text: string) => createHash('sha256').update(salt).update('\n').update(text).digest('hex')

/**
 * What the engine says now of each docker provisioner's image and container (through its API over the
 * connection; undefined where it does not answer the login user), asked as soon as the lock is held,
 * beside the fingerprint.
 */
export function askEngine(plan: QuickPlan, login: Host): Promise<Array<string | undefined>> {
  return Promise.all(plan.docker.map((each) => dockerFactsOverApi(login, each).catch(() => undefined)))
}

/**
 * Whether the account holds for this run: the same tk.yml (the material's digest), a check recent
 * enough, and each docker provisioner's container as the engine describes it now (askEngine; a login
 * user the engine does not answer gets a full check).
 */
export async function accountHolds(account: CheckAccount, plan: QuickPlan, engine: Promise<Array<string | undefined>>, now = Date.now()): Promise<boolean> {
  if (salted(account.salt, plan.material) !== account.spec) return false
  const age = now - Date.parse(account.at)
  if (!(age >= 0 && age < QUICK_MAX_AGE_MS)) return false
  const answers = await engine
  return plan.docker.every((each, index) => answers[index] !== undefined && account.docker[each.name] === salted(account.salt, answers[index]!))
}

/**
 * The account of a full check that changed nothing, with the docker provisioners' answers as its
 * drift read them through the engine's API; undefined when one was not read that way.
 */
export function newAccount(
  plan: QuickPlan,
  apiAnswers: ReadonlyMap<string, string>,
  check: Omit<CheckAccount, 'v' | 'salt' | 'spec' | 'docker'>,
): CheckAccount | undefined {
  const salt = randomBytes(16).toString('hex')
  const docker: Record<string, string> = {}
  for (const each of plan.docker) {
    const answer = apiAnswers.get(each.name)
    if (answer === undefined) return undefined
    docker[each.name] = salted(salt, answer)
  }
  return {v: 1, ...check, salt, spec: salted(salt, plan.material), docker}
}

/**
 * What follows the state's write after a full check, as root, in the same round trip: the record
 * written (the account and the fingerprint as the check began, but state.json's line, taken from the
 * file as just written), or removed when there is none to write. Sent on stdin: the account's digests
 * cover secrets.
 */
export async function recordScript(record?: {account: CheckAccount; fingerprint: string[]}): Promise<{script: string; stdin?: string}> {
  if (!record) return {script: await boundScript('up-record.sh', ['forget'])}
  // The fingerprint's last two lines are state.json's and "end": the script prints them anew.
  const head = record.fingerprint.slice(0, -2)
  return {script: await boundScript('up-record.sh', ['write']), stdin: `${JSON.stringify(record.account)}\n${head.join('\n')}\n`}
}

/** A quick run's steps: the full check's, as it recorded them. */
export function quickSteps(account: CheckAccount): Array<RecordedStep & {result: 'ok'; durationMs: 0}> {
  return account.steps.map((step) => ({...step, result: 'ok' as const, durationMs: 0}))
}
