/**
 * Writing a bundle file from .debs and their index records: the flat
 * repository (the .debs, Packages, Release, InRelease clear-signed), the
 * signer's public key, the manifest with every file's sha256 and its
 * detached signature, packed into one tar. Each .deb's sha256 is checked
 * against its record as it is copied in.
 */
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {copyFile, mkdir, mkdtemp, rename, rm, stat, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {c as createTar} from 'tar'

import {InputError} from '../errors/index.js'
import {BUNDLE_FORMAT, type BundleManifest, type BundlePackage, debFileName, KEY_FILE, MANIFEST_FILE, MINIMAL_INSTALL, REPO_DIR, SIGNATURE_FILE} from './format.js'
import {clearSign, publicKeyArmor, type Signer, signDetached} from './signing.js'

export interface BundleDeb {
  name: string
  version: string
  arch: string
  /** The .deb on this machine. */
  path: string
  /** Its record of the release's Packages index (Filename is rewritten to the bundle's). */
  stanza: string
  /** The sha256 that record names. */
  sha256: string
}

export interface BundleContents {
  output: string
  signer: Signer
  release: string
  arch: string
  install: string[]
  engine: {package: string; version: string}
  method: BundleManifest['method']
  repository?: BundleManifest['repository']
  pin?: string[]
  debs: BundleDeb[]
  now?: Date
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** The flat repository's Release file: its one index, Packages, by size and sha256. */
export function releaseFile(arch: string, packages: string, date: Date): string {
  const sha256 = createHash('sha256').update(packages).digest('hex')
  return [
    'Origin: tk',
    'Label: tk engine bundle',
    `Date: ${date.toUTCString().replace('GMT', 'UTC')}`,
    `Architectures: ${arch} all`,
    'SHA256:',
    ` ${sha256} ${Buffer.byteLength(packages)} Packages`,
    '',
  ].join('\n')
}

export async function writeBundle(contents: BundleContents): Promise<{sha256: string; size: number}> {
  const {output, signer, arch} = contents
  const staging = await mkdtemp(join(dirname(output), `.${basename(output)}.`))
  try {
    await mkdir(join(staging, REPO_DIR))
    const packages: BundlePackage[] = []
    const stanzas: string[] = []
    for (const deb of contents.debs) {
      const file = debFileName(deb.name, deb.version, deb.arch)
      const copy = join(staging, REPO_DIR, file)
      // eslint-disable-next-line no-await-in-loop -- one file at a time: each is large
      await copyFile(deb.path, copy)
      // eslint-disable-next-line no-await-in-loop
      const sha256 = await fileSha256(copy)
      if (sha256 !== deb.sha256) throw new InputError(`tk bundle: ${deb.path} does not match ${contents.release}'s index; remove it and run again`)
      // eslint-disable-next-line no-await-in-loop
      const {size} = await stat(copy)
      stanzas.push(`${deb.stanza.trim().replace(/^Filename: .*$/m, `Filename: ./${file}`)}\n`)
      packages.push({name: deb.name, version: deb.version, arch: deb.arch, file: `${REPO_DIR}/${file}`, sha256, size})
    }
    const now = contents.now ?? new Date()
    const index = stanzas.join('\n')
    const release = releaseFile(arch, index, now)
    const files: Record<string, string> = {}
    const put = async (path: string, text: string) => {
      await writeFile(join(staging, path), text)
      files[path] = createHash('sha256').update(text).digest('hex')
    }
    await put(`${REPO_DIR}/Packages`, index)
    await put(`${REPO_DIR}/Release`, release)
    await put(`${REPO_DIR}/InRelease`, await clearSign(signer, release))
    await put(KEY_FILE, await publicKeyArmor(signer))
    for (const item of packages) files[item.file] = item.sha256
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      release: contents.release,
      arch,
      method: contents.method,
      ...(contents.repository ? {repository: contents.repository} : {}),
      ...(contents.pin ? {pin: contents.pin} : {}),
      created: now.toISOString(),
      minimal: MINIMAL_INSTALL,
      install: contents.install,
      engine: contents.engine,
      packages,
      files,
    }
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`
    await writeFile(join(staging, MANIFEST_FILE), manifestText)
    await writeFile(join(staging, SIGNATURE_FILE), await signDetached(signer, manifestText))
    const partial = `${output}.partial`
    await createTar({file: partial, cwd: staging, portable: true}, [MANIFEST_FILE, SIGNATURE_FILE, KEY_FILE, ...Object.keys(files).filter((path) => path !== KEY_FILE)])
    await rename(partial, output)
    return {sha256: await fileSha256(output), size: (await stat(output)).size}
  } finally {
    await rm(staging, {recursive: true, force: true})
  }
}
