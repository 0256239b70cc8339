/**
 * `docker save` archives made here, without an engine or a registry: one
 * image of one layer (a root filesystem tar, such as busyboxImageTar()), in
 * the classic layout (<id>.json, <layer>/layer.tar) or the OCI layout Docker
 * 25 and later write (blobs/sha256/…, index.json).
 */
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

export interface ImageArchiveSpec {
  /** The root filesystem, as a tar. */
  layer: Buffer
  /** RepoTags; none for an archive saved by ID. */
  tags?: string[]
  cmd?: string[]
  /** Labels: a different label gives a different image ID. */
  labels?: Record<string, string>
  layout?: 'classic' | 'oci'
  /** Extra files put first in the archive (to test how the reader skips them). */
  extra?: Record<string, string | Buffer>
}

export interface ImageArchive {
  tar: Buffer
  /** sha256:… of the config: the image ID on a classic image store. */
  imageId: string
  /** sha256:… of the OCI manifest (OCI layout only). */
  manifestDigest?: string
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

export function imageArchive(spec: ImageArchiveSpec): ImageArchive {
  const layout = spec.layout ?? 'classic'
  const layerHex = sha256(spec.layer)
  const config = JSON.stringify({
    architecture: process.arch === 'arm64' ? 'arm64' : 'amd64',
    os: 'linux',
    config: {Cmd: spec.cmd ?? ['true'], Labels: spec.labels ?? {}},
    rootfs: {type: 'layers', diff_ids: [`sha256:${layerHex}`]},
    history: [{created_by: 'tk test image archive'}],
  })
  const configHex = sha256(config)
  const files: Record<string, string | Buffer> = {...spec.extra}
  let manifestDigest: string | undefined
  if (layout === 'classic') {
    files[`${configHex}.json`] = config
    files[`${layerHex}/layer.tar`] = spec.layer
    files['manifest.json'] = JSON.stringify([{Config: `${configHex}.json`, RepoTags: spec.tags ?? null, Layers: [`${layerHex}/layer.tar`]}])
  } else {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configHex}`, size: Buffer.byteLength(config)},
      layers: [{mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layerHex}`, size: spec.layer.length}],
    })
    manifestDigest = `sha256:${sha256(manifest)}`
    files[`blobs/sha256/${configHex}`] = config
    files[`blobs/sha256/${layerHex}`] = spec.layer
    files[`blobs/sha256/${sha256(manifest)}`] = manifest
    files['oci-layout'] = JSON.stringify({imageLayoutVersion: '1.0.0'})
    files['index.json'] = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: Buffer.byteLength(manifest),
          annotations: spec.tags?.[0] ? {'io.containerd.image.name': spec.tags[0]} : {},
        },
      ],
    })
    files['manifest.json'] = JSON.stringify([{Config: `blobs/sha256/${configHex}`, RepoTags: spec.tags ?? null, Layers: [`blobs/sha256/${layerHex}`]}])
  }
  const dir = mkdtempSync(join(tmpdir(), 'tk-image-archive-'))
  try {
    for (const [name, data] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), {recursive: true})
      writeFileSync(join(dir, name), data)
    }
    const tar = spawnSync('tar', ['-C', dir, '-c', ...Object.keys(files)], {maxBuffer: 256 * 1024 * 1024})
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`)
    return {tar: tar.stdout, imageId: `sha256:${configHex}`, manifestDigest}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
