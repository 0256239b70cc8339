/**
 * Reading a bundle file on the workstation: its manifest, who signed it and
 * whether the signature verifies, whether that signer is trusted here, and
 * whether every file in it has the hash the signed manifest names (and no
 * file is there that it does not name). `tk bundle inspect` shows all of
 * it; provisioning refuses a bundle with any problem before any host is
 * touched.
 */
import {createHash} from 'node:crypto'
import {stat} from 'node:fs/promises'

import {t as listTar} from 'tar'

import {InputError} from '../errors/index.js'
import {type BundleManifest, KEY_FILE, MANIFEST_FILE, parseManifest, SIGNATURE_FILE} from './format.js'
import {checkDetached, trustedFingerprints} from './signing.js'
import {fileSha256} from './write.js'

export interface OpenedBundle {
  file: string
  /** sha256 of the whole file: its name on hosts (/var/lib/tk/bundles/SHA256). */
  sha256: string
  size: number
  manifest?: BundleManifest
  signer: {fingerprint?: string; userIds: string[]; verified: boolean; trusted: boolean}
  /** What is wrong with it: empty for a sound bundle. */
  problems: string[]
}

/** A bundle whose problems are none, with its manifest. */
export type SoundBundle = OpenedBundle & {manifest: BundleManifest}

const TEXT_FILES = new Set([MANIFEST_FILE, SIGNATURE_FILE, KEY_FILE])
const MAX_TEXT = 4 * 1024 * 1024

/** The bundle's entries: sha256 of each regular file, the text of the small ones; anything else is a problem. */
async function readEntries(file: string): Promise<{hashes: Map<string, string>; texts: Map<string, string>; problems: string[]}> {
  const hashes = new Map<string, string>()
  const texts = new Map<string, string>()
  const problems: string[] = []
  const pending: Array<Promise<void>> = []
  await listTar({
    file,
    strict: true,
    onReadEntry(entry) {
      const path = entry.path.replace(/^\.\//, '')
      if (entry.type === 'Directory' && (path === 'repo/' || path === '')) return entry.resume()
      if (entry.type !== 'File') {
        problems.push(`${path}: a ${entry.type} entry, which a bundle never holds`)
        return entry.resume()
      }
      if (hashes.has(path)) problems.push(`${path} appears twice`)
      const hash = createHash('sha256')
      const chunks: Buffer[] = []
      const keep = TEXT_FILES.has(path) && (entry.size ?? 0) <= MAX_TEXT
      pending.push(
        new Promise((resolve) => {
          entry.on('data', (chunk: Buffer) => {
            hash.update(chunk)
            if (keep) chunks.push(chunk)
          })
          entry.on('end', () => {
            hashes.set(path, hash.digest('hex'))
            if (keep) texts.set(path, Buffer.concat(chunks).toString('utf8'))
            resolve()
          })
        }),
      )
    },
  })
  await Promise.all(pending)
  return {hashes, texts, problems}
}

/** Reads and checks a bundle; never throws for what is wrong inside it (that is in problems). */
export async function openBundle(file: string, trusted?: Set<string>): Promise<OpenedBundle> {
  let size: number
  try {
    size = (await stat(file)).size
  } catch (error) {
    throw new InputError(`cannot read the bundle ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
  }
  const signer: OpenedBundle['signer'] = {userIds: [], verified: false, trusted: false}
  const [sha256, entries] = await Promise.all([
    fileSha256(file),
    readEntries(file).catch((error: Error) => ({hashes: new Map<string, string>(), texts: new Map<string, string>(), problems: [`not a tk bundle (${error.message})`]})),
  ])
  const problems = [...entries.problems]
  const manifestText = entries.texts.get(MANIFEST_FILE)
  let manifest: BundleManifest | undefined
  if (manifestText === undefined) problems.push(`no ${MANIFEST_FILE}: not a tk bundle`)
  else {
    try {
      manifest = parseManifest(manifestText)
    } catch (error) {
      problems.push((error as Error).message)
    }
  }
  const signature = entries.texts.get(SIGNATURE_FILE)
  const key = entries.texts.get(KEY_FILE)
  if (manifestText !== undefined && (signature === undefined || key === undefined)) problems.push('the manifest is not signed')
  if (manifestText !== undefined && signature !== undefined && key !== undefined) {
    const check = await checkDetached(manifestText, signature, key)
    Object.assign(signer, {fingerprint: check.fingerprint, userIds: check.userIds, verified: check.verified})
    if (check.problem) problems.push(check.problem)
    const known = trusted ?? (await trustedFingerprints())
    signer.trusted = check.fingerprint !== undefined && known.has(check.fingerprint)
    if (check.verified && !signer.trusted) problems.push(`signed by ${check.fingerprint}, a key this workstation does not trust`)
  }
  if (manifest) {
    for (const [path, expected] of Object.entries(manifest.files)) {
      const got = entries.hashes.get(path)
      if (got === undefined) problems.push(`${path} is missing`)
      else if (got !== expected) problems.push(`${path} does not match its signed sha256`)
    }
    for (const path of entries.hashes.keys()) {
      if (!TEXT_FILES.has(path) || path === KEY_FILE) {
        if (!(path in manifest.files)) problems.push(`${path} is not in the signed manifest`)
      }
    }
  }
  return {file, sha256, size, ...(manifest ? {manifest} : {}), signer, problems}
}

/** The sound bundle of each file named (undefined where none is), each file read and checked once. */
export async function soundBundles(files: Array<string | undefined>): Promise<Array<SoundBundle | undefined>> {
  const opened = new Map<string, Promise<SoundBundle>>()
  const trusted = files.some(Boolean) ? await trustedFingerprints() : new Set<string>()
  return Promise.all(
    files.map((file) => {
      if (!file) return undefined
      if (!opened.has(file)) opened.set(file, openBundle(file, trusted).then(requireSound))
      return opened.get(file)
    }),
  )
}

/** The bundle, when it has no problem; else one line saying the first and how many more. */
export function requireSound(bundle: OpenedBundle): SoundBundle {
  if (bundle.problems.length > 0 || !bundle.manifest) {
    const more = bundle.problems.length > 1 ? ` (and ${bundle.problems.length - 1} more problems)` : ''
    const untrusted = bundle.problems.some((problem) => problem.includes('does not trust'))
    throw new InputError(`the bundle ${bundle.file} is refused: ${bundle.problems[0] ?? 'no manifest'}${more}; nothing was sent to any host`, {
      hint: untrusted ? 'put the signer\'s public key in ~/.config/tk/bundle-keys/ if you trust it (tk bundle inspect shows it)' : 'make the bundle again with tk bundle',
    })
  }
  return bundle as SoundBundle
}
