/**
 * The `file` provisioner: a file or a directory of the repo copied to the
 * host, with an owner and a mode. Only files whose content, mode or owner
 * differ are sent, and nothing is sent when none do. `run: once` trusts the
 * host's state (unchanged source: the host is not even read); `run: always`
 * compares with the host every time and puts back what someone changed there.
 * It copies, it does not mirror: files removed from the source stay on the host.
 * Its host scripts write as root but never through a link or where another user
 * could steer the write (docs/security.md); here, a link in the source that
 * leads outside it is refused unless tk.yml says followSymlinks: true.
 */
import {readdir, readFile, realpath, stat} from 'node:fs/promises'
import {basename, dirname, join, posix, relative, sep} from 'node:path'


import type {FileProvisioner} from '../../config/types.js'
import {HostStateError, InputError} from '../../errors/index.js'
import {boundScript} from '../../transport/host-scripts.js'
import {sha256, specText} from '../spec-hash.js'
import type {RunResult} from '../../transport/host.js'

import {hideSecrets} from '../../config/secrets.js'
import {rehashOf, takePrefetched, trustsRecord, unchangedRun, type ProvisionerContext, type ProvisionerRunner} from './types.js'

export interface SourceFile {
  /** Relative to the source directory, with "/" separators; the destination's base name for a single file. */
  path: string
  sha256: string
  /** Octal, e.g. "644". */
  mode: string
}

export interface SourceTree {
  kind: 'file' | 'directory'
  /** Where the files are read from (the source directory, or the single file's directory). */
  root: string
  files: SourceFile[]
}

async function walk(root: string, directory: string, out: string[]): Promise<void> {
  const entries = await readdir(directory, {withFileTypes: true})
  for (const entry of entries) {
    const path = join(directory, entry.name)
    // eslint-disable-next-line no-await-in-loop -- a depth-first walk; order is sorted afterwards
    if (entry.isDirectory()) await walk(root, path, out)
    else if (entry.isFile() || (entry.isSymbolicLink() && (await stat(path)).isFile())) out.push(relative(root, path).split(sep).join('/'))
  }
}

/**
 * A source file's mode as it will be on the host: its own, without the group
 * and other write bits that a workstation's umask (002 or 022) decides —
 * otherwise two admins with different umasks would change each other's files
 * back and forth. A mode in tk.yml gives those bits when they are wanted.
 */
const sourceMode = (mode: number) => (mode & 0o7755).toString(8)

/** The source's files with their hashes and the modes they will have on the host. */
export async function readSourceTree(provisioner: FileProvisioner): Promise<SourceTree> {
  const fail = (error: unknown): never => {
    throw new InputError(`provisioner ${provisioner.name}: cannot read ${provisioner.source}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`)
  }
  const info = await stat(provisioner.source).catch(fail)
  const wanted = (mode: number) => (provisioner.mode ? String(Number.parseInt(provisioner.mode, 8).toString(8)) : sourceMode(mode))
  if (info.isFile()) {
    await refuseLinksOut(provisioner, [provisioner.source], await realpath(dirname(provisioner.source)).catch(fail))
    const data = await readFile(provisioner.source).catch(fail)
    return {kind: 'file', root: dirname(provisioner.source), files: [{path: posix.basename(provisioner.destination), sha256: sha256(data), mode: wanted(info.mode)}]}
  }
  if (!info.isDirectory()) fail(new Error('neither a file nor a directory'))
  const paths: string[] = []
  await walk(provisioner.source, provisioner.source, paths).catch(fail)
  paths.sort()
  const tree = join(await realpath(dirname(provisioner.source)).catch(fail), basename(provisioner.source))
  await refuseLinksOut(provisioner, paths.map((path) => join(provisioner.source, path)), tree)
  const files = await Promise.all(
    paths.map(async (path) => {
      const full = join(provisioner.source, path)
      const [data, fileInfo] = await Promise.all([readFile(full), stat(full)])
      return {path, sha256: sha256(data), mode: wanted(fileInfo.mode)}
    }),
  ).catch(fail)
  return {kind: 'directory', root: provisioner.source, files}
}

/**
 * A link in the source that leads outside it (files/key -> ~/.ssh/id_ed25519)
 * would send a file of this machine that the repository does not hold: refused
 * unless tk.yml's followSymlinks says so. `tree` is where the source really is
 * (its directory, or a file source's directory), its parents' links resolved.
 */
async function refuseLinksOut(provisioner: FileProvisioner, files: string[], tree: string): Promise<void> {
  if (provisioner.followSymlinks) return
  for (const file of files) {
    // eslint-disable-next-line no-await-in-loop -- the first one out is reported; links are few
    const real = await realpath(file)
    if (!real.startsWith(tree + sep)) {
      throw new InputError(
        `provisioner ${provisioner.name}: ${file} leads outside the source, to ${real}: tk sends a file from outside the source only when the provisioner says followSymlinks: true`,
      )
    }
  }
}

/** "sum"/"stat" lines of host-scripts/file-state.sh -> path -> what the host has. */
export function parseFileState(output: string): Map<string, {sha256?: string; mode?: string; owner?: string}> {
  const found = new Map<string, {sha256?: string; mode?: string; owner?: string}>()
  const entry = (path: string) => {
    const key = path.replace(/^\.\//, '')
    let value = found.get(key)
    if (!value) found.set(key, (value = {}))
    return value
  }
  for (const line of output.split('\n')) {
    const sum = /^sum ([0-9a-f]{64}) {2}(.+)$/.exec(line)
    if (sum) entry(sum[2]).sha256 = sum[1]
    const info = /^stat (\d+) (\S+) (.+)$/.exec(line)
    if (info) Object.assign(entry(info[3]), {mode: info[1], owner: info[2]})
  }
  return found
}

/** Owner as stat prints it (user:group); a bare user means the user's own group, which tk cannot know here: only the user is compared. */
function ownerMatches(wanted: string, actual: string | undefined): boolean {
  if (!actual) return false
  return wanted.includes(':') ? actual === wanted : actual.split(':')[0] === wanted
}

/** The host script that reads what the destination holds now (file-state.sh), for this provisioner's source. */
export async function fileStateScript(provisioner: FileProvisioner, tree?: SourceTree): Promise<string> {
  const kind = (tree ?? (await readSourceTree(provisioner))).kind
  return boundScript('file-state.sh', [provisioner.destination, kind, provisioner.owner ?? 'root:root'])
}

/** A file of the source that differs on the host, and how. */
interface StaleFile extends SourceFile {
  missing: boolean
  content: boolean
  modeChanged: boolean
  /** The host's mode (to tell whether its copy may be shown), when the file is there. */
  hostMode?: string
  /** The host's owner, when it differs. */
  hostOwner?: string
}

function staleFiles(tree: SourceTree, onHost: ReturnType<typeof parseFileState>, owner: string): StaleFile[] {
  const stale: StaleFile[] = []
  for (const file of tree.files) {
    const there = onHost.get(file.path)
    const missing = !there?.sha256
    const content = !missing && there!.sha256 !== file.sha256
    const modeChanged = !missing && there!.mode !== file.mode
    const ownerChanged = !missing && !ownerMatches(owner, there!.owner)
    if (missing || content || modeChanged || ownerChanged) {
      stale.push({...file, missing, content, modeChanged, ...(there?.mode ? {hostMode: there.mode} : {}), ...(ownerChanged && there?.owner ? {hostOwner: there.owner} : {})})
    }
  }
  return stale
}

/** "1 file changed on the host (content of app.env, mode of run.sh 755)": what someone changed since tk wrote it. */
function driftOf(stale: StaleFile[], destination: string, single: boolean): string[] {
  const name = (file: StaleFile) => (single ? destination : file.path)
  const missing = stale.filter((file) => file.missing)
  const changed = stale.filter((file) => !file.missing)
  const lines: string[] = []
  if (changed.length > 0) {
    const what = changed.map((file) => [file.content ? 'content' : '', file.modeChanged ? `mode ${file.hostMode}` : '', file.hostOwner ? `owner ${file.hostOwner}` : ''].filter(Boolean).join(', ') + ` of ${name(file)}`)
    lines.push(`${changed.length} file${changed.length === 1 ? '' : 's'} changed on the host (${what.join('; ')})`)
  }
  if (missing.length > 0) lines.push(`${missing.length} file${missing.length === 1 ? '' : 's'} missing on the host (${missing.map((file) => name(file)).join(', ')})`)
  return lines
}

/** The provisioner's spec as text, what its hash (and tk up's quick-run digest) covers. */
export function fileSpecText(provisioner: FileProvisioner, tree: SourceTree): string {
  return specText({type: 'file', destination: provisioner.destination, owner: provisioner.owner ?? 'root:root', mode: provisioner.mode, kind: tree.kind, files: tree.files})
}

export const runFileProvisioner: ProvisionerRunner<FileProvisioner> = async (provisioner, context) => {
  const tree = await readSourceTree(provisioner)
  const owner = provisioner.owner ?? 'root:root'
  const spec = context.specs.digest(fileSpecText(provisioner, tree))
  const hash = spec.value
  const count = `${tree.files.length} file${tree.files.length === 1 ? '' : 's'}`
  const recorded = context.state.provisioners[provisioner.name]
  // drift: ignore with run: once trusts the record (unchanged source: the host is not even read).
  const unchanged = trustsRecord(provisioner) ? unchangedRun(spec, recorded, (record) => `${provisioner.destination}: ${count}, unchanged since ${record.appliedAt} (drift: ignore)`) : undefined
  if (unchanged) return unchanged

  let stdout = takePrefetched(context, provisioner.name)
  if (stdout === undefined) {
    const state = await context.hosts.root.run(await fileStateScript(provisioner, tree))
    if (state.code !== 0) throw hostFailure(provisioner, context, 'read', state)
    stdout = state.stdout
  }
  const stale = staleFiles(tree, parseFileState(stdout), owner)
  if (stale.length === 0) return {result: 'ok', detail: `${provisioner.destination}: ${count} in place`, specHash: hash, ...rehashOf(spec, recorded)}
  const single = tree.kind === 'file'
  // What tk wrote there was changed since: drift. With a changed source (or never applied) it is tk.yml's change.
  const drift = recorded && spec.matches(recorded.specHash) ? driftOf(stale, provisioner.destination, single) : []
  const what = single ? provisioner.destination : `${stale.length} of ${count} under ${provisioner.destination}`
  const diff = context.diffs === false ? [] : await fileDiffs(provisioner, tree, stale, context)
  const shown = {...(drift.length > 0 ? {drift} : {}), ...(diff.length > 0 ? {diff} : {})}
  const because = drift.length > 0 ? ` (${drift.join('; ')})` : ''
  if (context.dryRun) return {result: 'would-change', detail: `would write ${what}${because}`, specHash: hash, ...shown}

  // One file travels as its bytes (the destination's name may differ from the source's); several as a tar.
  const payload = single ? await readFile(provisioner.source) : await tarOf(tree.root, stale.map((file) => file.path))
  const directory = single ? posix.dirname(provisioner.destination) : provisioner.destination
  const args = [directory, owner, single ? stale[0].mode : (provisioner.mode ?? ''), single ? 'raw' : 'tar', ...stale.map((file) => file.path)]
  const installed = await context.hosts.root.run(await boundScript('file-install.sh', args), {stdin: payload})
  if (installed.code !== 0) throw hostFailure(provisioner, context, 'write', installed)
  return {result: 'changed', detail: `wrote ${what}${because}`, specHash: hash, ...shown}
}

/**
 * Unified diffs, host copy -> source, of the files whose content differs. A file is shown by size
 * and hash only (never its text) when it may hold a secret or is not text: its mode here or on the
 * host is not world-readable, its name looks secret (SECRET_NAME), or it is binary or large.
 */
async function fileDiffs(provisioner: FileProvisioner, tree: SourceTree, stale: StaleFile[], context: ProvisionerContext): Promise<string[]> {
  const lines: string[] = []
  const single = tree.kind === 'file'
  for (const file of stale.filter((each) => each.content || each.missing)) {
    const hostPath = single ? provisioner.destination : posix.join(provisioner.destination, file.path)
    const source = single ? provisioner.source : join(tree.root, ...file.path.split('/'))
    // eslint-disable-next-line no-await-in-loop -- few files change at once; each read is small
    const [ours, theirs] = await Promise.all([readFile(source), file.missing ? Promise.resolve(Buffer.alloc(0)) : context.hosts.root.readFile(hostPath)])
    const before = theirs ?? Buffer.alloc(0)
    // eslint-disable-next-line no-await-in-loop -- in the files' order
    lines.push(...(await fileDiff(hostPath, before, ours, {hidden: !showable(hostPath, file.mode) || (file.hostMode !== undefined && !showable(hostPath, file.hostMode)), secrets: context.secrets})))
  }
  return lines
}

/** The file provisioner's diff for one file (pure): a unified diff, or sizes and hashes when it must not or cannot be shown as text. */
export async function fileDiff(path: string, before: Buffer, after: Buffer, options: {hidden: boolean; secrets: string[]}): Promise<string[]> {
  const summary = (data: Buffer) => `${data.length} bytes, sha256 ${sha256(data).slice(0, 12)}`
  if (options.hidden || isBinary(before) || isBinary(after) || before.length + after.length > MAX_DIFF_BYTES) {
    const why = options.hidden ? 'may hold a secret: not shown' : 'binary or large: not shown'
    return [`${path}: ${before.length === 0 ? 'new' : summary(before)} -> ${summary(after)} (${why})`]
  }
  // jsdiff and tar are loaded when a file changes: a converged run never needs them.
  const {createTwoFilesPatch} = await import('diff')
  const patch = createTwoFilesPatch(`${path} (host)`, `${path} (tk.yml)`, before.toString('utf8'), after.toString('utf8'), undefined, undefined, {context: 2})
  // The line of "=" jsdiff puts first says nothing; the secrets of tk.yml never show, whichever side.
  return hideSecrets(patch, options.secrets).split('\n').filter((line) => line !== '' && !/^=+$/.test(line))
}

/** Files at most this big (both sides together) are diffed as text. */
const MAX_DIFF_BYTES = 256 * 1024
/** Names that say a file holds a secret: its diff shows sizes and hashes only. */
export const SECRET_NAME = /(secret|passw|token|credential|private|\.key$|\.pem$|\.p12$|\.pfx$|(^|\/)\.?env$|\.env$|id_(rsa|ecdsa|ed25519))/i

/** Whether a file with this mode and path may be shown: readable by everyone on the host, and no secret-looking name. */
export function showable(path: string, mode: string): boolean {
  return (Number.parseInt(mode, 8) & 0o004) !== 0 && !SECRET_NAME.test(path)
}

function isBinary(data: Buffer): boolean {
  return data.subarray(0, 8000).includes(0)
}

/** The exit code of host-scripts/lib/enter-directory.sh's refusals; its line on stderr says why. */
const REFUSED = 9

/** One line: what the host refused (a link, a path another user can change), or why reading or writing failed. */
function hostFailure(provisioner: FileProvisioner, context: ProvisionerContext, verb: 'read' | 'write', result: RunResult): HostStateError {
  const last = result.stderr.trim().split('\n').pop() ?? ''
  const prefix = `${context.target}: file provisioner ${provisioner.name}`
  if (result.code === REFUSED && last.startsWith('refused: ')) return new HostStateError(`${prefix}: refused ${provisioner.destination}: ${last.slice('refused: '.length)}`)
  return new HostStateError(`${prefix}: cannot ${verb} ${provisioner.destination}: ${last || `exit code ${result.code}`}`)
}

/** A tar of the files, named relative to root. */
async function tarOf(root: string, files: string[]): Promise<Buffer> {
  const chunks: Buffer[] = []
  // follow: a symlink in the source travels as the file it points to, as its hash in the plan was taken.
  const {create: createTar} = await import('tar')
  const stream = createTar({cwd: root, portable: true, noDirRecurse: true, follow: true}, files)
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}
