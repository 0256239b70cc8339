/**
 * What a `docker save` archive holds, read on this machine without loading
 * it: the image's ID (its config digest, as the engine will report it) and
 * the tags it carries. Only the archive's index files are read; the layers
 * are skipped over, so a large archive costs a few small reads.
 */
import {open} from 'node:fs/promises'

import {InputError} from '../../errors/index.js'

export interface SaveArchive {
  /** sha256:… of the image's config: the image ID on the engine's classic image store. */
  imageId: string
  /**
   * Every ID the image may have once loaded: the config digest, and the
   * manifest digests from index.json (the ID on a containerd image store).
   */
  imageIds: string[]
  /** Whether the archive tags the image as the provisioner's reference (else tk tags it after loading). */
  tagged: boolean
}

interface ManifestEntry {
  Config?: unknown
  RepoTags?: unknown
}

interface OciIndex {
  manifests?: Array<{digest?: unknown; annotations?: Record<string, unknown>}>
}

const BLOCK = 512
/** manifest.json and index.json are small; anything larger is not what we look for. */
const INDEX_LIMIT = 16 * 1024 * 1024
const DIGEST = /^sha256:[0-9a-f]{64}$/

/**
 * A reference in the short form docker save records in RepoTags:
 * "nginx" and "docker.io/library/nginx:latest" are both "nginx:latest".
 */
export function normalizeReference(reference: string): string {
  let ref = reference.trim()
  for (const prefix of ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/']) {
    if (ref.startsWith(prefix)) {
      ref = ref.slice(prefix.length)
      break
    }
  }
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1)
  if (!ref.includes('@') && !lastSegment.includes(':')) ref += ':latest'
  return ref
}

/**
 * The image for `reference` in a docker save archive's manifest.json (and
 * index.json, when the archive is also an OCI layout, as since Docker 25).
 * Throws a plain Error saying what is wrong; the caller names the file.
 */
export function parseSaveManifest(manifestText: string, indexText: string | undefined, reference: string): SaveArchive {
  let entries: ManifestEntry[]
  try {
    entries = JSON.parse(manifestText) as ManifestEntry[]
  } catch {
    throw new Error('its manifest.json is not JSON')
  }
  if (!Array.isArray(entries) || entries.length === 0) throw new Error('its manifest.json lists no image')
  const wanted = normalizeReference(reference)
  const tagsOf = (entry: ManifestEntry) => (Array.isArray(entry.RepoTags) ? entry.RepoTags.filter((tag): tag is string => typeof tag === 'string') : [])
  let entry = entries.find((candidate) => tagsOf(candidate).some((tag) => normalizeReference(tag) === wanted))
  const tagged = entry !== undefined
  if (!entry) {
    if (entries.length > 1) {
      const all = entries.flatMap(tagsOf)
      throw new Error(`it holds ${entries.length} images and none is tagged ${reference}${all.length > 0 ? ` (its tags: ${all.join(', ')})` : ''}`)
    }
    entry = entries[0]
  }
  const config = typeof entry.Config === 'string' ? /([0-9a-f]{64})(?:\.json)?$/.exec(entry.Config) : null
  if (!config) throw new Error('its manifest.json names no image config')
  const imageId = `sha256:${config[1]}`
  const imageIds = [imageId]
  if (indexText !== undefined) {
    let index: OciIndex
    try {
      index = JSON.parse(indexText) as OciIndex
    } catch {
      throw new Error('its index.json is not JSON')
    }
    const manifests = Array.isArray(index.manifests) ? index.manifests : []
    for (const manifest of manifests) {
      if (typeof manifest.digest !== 'string' || !DIGEST.test(manifest.digest)) continue
      const name = manifest.annotations?.['io.containerd.image.name']
      // One image in the archive: its manifest is ours whatever it is named.
      if (manifests.length === 1 || (typeof name === 'string' && normalizeReference(name) === wanted)) imageIds.push(manifest.digest)
    }
  }
  return {imageId, imageIds: [...new Set(imageIds)], tagged}
}

/** A tar header's numeric field: octal text, or base-256 when the top bit is set (GNU, for sizes of 8 GiB and more). */
function tarNumber(field: Buffer): number {
  if (field[0] & 0x80) {
    let value = field[0] & 0x7f
    for (const byte of field.subarray(1)) value = value * 256 + byte
    return value
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim()
  return text === '' ? 0 : Number.parseInt(text, 8)
}

function tarString(field: Buffer): string {
  const end = field.indexOf(0)
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8')
}

/** The `path` record of a pax extended header, if it has one. */
function paxPath(data: Buffer): string | undefined {
  let text = data.toString('utf8')
  while (text.length > 0) {
    const space = text.indexOf(' ')
    const length = Number.parseInt(text.slice(0, space), 10)
    if (space <= 0 || !Number.isFinite(length) || length <= 0) return undefined
    const record = text.slice(space + 1, length - 1)
    if (record.startsWith('path=')) return record.slice(5)
    text = text.slice(length)
  }
  return undefined
}

/**
 * Reads manifest.json and index.json from the top of a tar file, seeking over
 * everything else.
 */
async function readTarIndexFiles(path: string): Promise<{manifest?: string; index?: string; compressed: boolean}> {
  const file = await open(path, 'r')
  try {
    const header = Buffer.alloc(BLOCK)
    const found: {manifest?: string; index?: string} = {}
    let offset = 0
    let longName: string | undefined
    for (;;) {
      const {bytesRead} = await file.read(header, 0, BLOCK, offset)
      if (offset === 0 && bytesRead >= 2 && header[0] === 0x1f && header[1] === 0x8b) return {compressed: true}
      if (bytesRead < BLOCK || header.every((byte) => byte === 0)) break
      const size = tarNumber(header.subarray(124, 136))
      const type = String.fromCharCode(header[156] || 0x30)
      const magic = header.subarray(257, 262).toString('latin1')
      const prefix = magic === 'ustar' ? tarString(header.subarray(345, 500)) : ''
      const plainName = tarString(header.subarray(0, 100))
      const name = (longName ?? (prefix ? `${prefix}/${plainName}` : plainName)).replace(/^(\.\/)+/, '')
      const dataOffset = offset + BLOCK
      offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK
      const read = async () => {
        const data = Buffer.alloc(size)
        await file.read(data, 0, size, dataOffset)
        return data
      }
      if (type === 'x' || type === 'L') {
        // A pax header or a GNU long name: it names the entry that follows.
        longName = size <= INDEX_LIMIT ? (type === 'x' ? paxPath(await read()) : tarString(await read())) : undefined
        continue
      }
      longName = undefined
      if (type !== '0' && type !== '7') continue
      if (name === 'manifest.json' && size <= INDEX_LIMIT) found.manifest = (await read()).toString('utf8')
      if (name === 'index.json' && size <= INDEX_LIMIT) found.index = (await read()).toString('utf8')
    }
    return {...found, compressed: false}
  } finally {
    await file.close()
  }
}

/** The image a `docker save` archive on this machine holds for `reference`; an InputError when it holds none. */
export async function readSaveArchive(path: string, reference: string): Promise<SaveArchive> {
  let files: Awaited<ReturnType<typeof readTarIndexFiles>>
  try {
    files = await readTarIndexFiles(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new InputError(`cannot read the image archive ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
  }
  if (files.compressed) throw new InputError(`${path} is compressed: tk loads uncompressed docker save archives`, {hint: `gunzip it, or write it with plain docker save -o`})
  if (files.manifest === undefined) {
    throw new InputError(`${path} is not a docker save archive (it has no manifest.json)`, {hint: 'make it with docker save -o FILE IMAGE; a root filesystem tar for docker import is not supported'})
  }
  try {
    return parseSaveManifest(files.manifest, files.index, reference)
  } catch (error) {
    throw new InputError(`${path} cannot be used for ${reference}: ${(error as Error).message}`)
  }
}
