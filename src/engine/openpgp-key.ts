/**
 * An apt repository's signing key as tk checks it before any host trusts it:
 * an OpenPGP public key (ASCII-armored or binary) holding exactly one primary
 * key, whose fingerprint (RFC 4880 §12.2 for v4 keys, RFC 9580 §5.5.4 for v6)
 * is computed here from the key's own bytes. Only the packet framing is read:
 * nothing is decrypted or verified, apt's gpgv does that on the host.
 */
import {createHash} from 'node:crypto'

export class OpenPgpKeyError extends Error {}

export interface OpenPgpKey {
  /** Upper-case hex: 40 digits (v4) or 64 (v6). */
  fingerprint: string
  /** The key in binary form, as written to /etc/apt/keyrings. */
  binary: Buffer
}

const BEGIN = '-----BEGIN PGP PUBLIC KEY BLOCK-----'

/** The binary packets of an armored block (its header lines and its checksum line left out). */
function dearmor(text: string): Buffer {
  const lines = text.split(/\r?\n/)
  const start = lines.findIndex((line) => line.trim() === BEGIN)
  const end = lines.findIndex((line, index) => index > start && /^-----END PGP PUBLIC KEY BLOCK-----\s*$/.test(line.trim()))
  if (start === -1 || end === -1) throw new OpenPgpKeyError('it is not an OpenPGP public key block')
  const body = lines.slice(start + 1, end)
  // Armor headers (Version:, Comment:) end at the first empty line, when there are any.
  const blank = body.findIndex((line) => line.trim() === '')
  const data = (blank !== -1 && body.slice(0, blank).every((line) => /^[\w-]+: /.test(line)) ? body.slice(blank + 1) : body).filter(
    (line) => line.trim() !== '' && !/^=[A-Za-z0-9+/]{4}$/.test(line.trim()),
  )
  const joined = data.join('').replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(joined)) throw new OpenPgpKeyError('its armor is not base64')
  return Buffer.from(joined, 'base64')
}

interface Packet {
  tag: number
  body: Buffer
}

function packets(data: Buffer): Packet[] {
  const found: Packet[] = []
  let at = 0
  while (at < data.length) {
    const header = data[at]
    if ((header & 0x80) === 0) throw new OpenPgpKeyError('it is not OpenPGP data')
    let tag: number
    let length: number
    let offset: number
    if (header & 0x40) {
      tag = header & 0x3f
      const first = data[at + 1]
      if (first === undefined) throw new OpenPgpKeyError('it ends inside a packet header')
      if (first < 192) [length, offset] = [first, 2]
      else if (first < 224) [length, offset] = [((first - 192) << 8) + data[at + 2] + 192, 3]
      else if (first === 255) [length, offset] = [data.readUInt32BE(at + 2), 6]
      else throw new OpenPgpKeyError('it uses partial packet lengths, which a key never does')
    } else {
      tag = (header >> 2) & 0x0f
      const type = header & 0x03
      if (type === 3) throw new OpenPgpKeyError('it has a packet of indeterminate length')
      const size = 1 << type
      if (at + 1 + size > data.length) throw new OpenPgpKeyError('it ends inside a packet header')
      length = size === 1 ? data[at + 1] : size === 2 ? data.readUInt16BE(at + 1) : data.readUInt32BE(at + 1)
      offset = 1 + size
    }
    if (at + offset + length > data.length) throw new OpenPgpKeyError('it ends inside a packet')
    found.push({tag, body: data.subarray(at + offset, at + offset + length)})
    at += offset + length
  }
  return found
}

function fingerprintOf(body: Buffer): string {
  const version = body[0]
  if (version === 4) {
    const prefix = Buffer.from([0x99, (body.length >> 8) & 0xff, body.length & 0xff])
    return createHash('sha1').update(prefix).update(body).digest('hex').toUpperCase()
  }
  if (version === 6) {
    const prefix = Buffer.alloc(5)
    prefix[0] = 0x9b
    prefix.writeUInt32BE(body.length, 1)
    return createHash('sha256').update(prefix).update(body).digest('hex').toUpperCase()
  }
  throw new OpenPgpKeyError(`its key is version ${version}; apt keys are version 4 (or 6)`)
}

/** Reads a public key file's content; throws OpenPgpKeyError when it is not exactly one public key. */
export function readOpenPgpPublicKey(data: Buffer): OpenPgpKey {
  const text = data.toString('latin1')
  const binary = text.includes(BEGIN) ? dearmor(text) : data
  if (binary.length === 0) throw new OpenPgpKeyError('it is empty')
  const all = packets(binary)
  if (all.some((packet) => packet.tag === 5 || packet.tag === 7)) throw new OpenPgpKeyError('it holds a secret key: give the public key only')
  const primaries = all.filter((packet) => packet.tag === 6)
  if (primaries.length === 0) throw new OpenPgpKeyError('it holds no public key')
  // A keyring of several keys would make the host trust every one of them for this repository.
  if (primaries.length > 1) throw new OpenPgpKeyError(`it holds ${primaries.length} keys; give the repository's key alone`)
  if (all[0].tag !== 6) throw new OpenPgpKeyError('it does not start with its public key')
  return {fingerprint: fingerprintOf(primaries[0].body), binary: Buffer.from(binary)}
}
