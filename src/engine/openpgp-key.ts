/**
 * An apt repository's signing key as tk checks it before any host trusts it:
 * an OpenPGP public key (ASCII-armored or binary) holding exactly one primary
 * key, read with openpgp.js (which tk's offline bundles sign with too); its
 * fingerprint (v4 or v6) is the one tk compares with the expected one. Nothing
 * is verified here: apt's gpgv does that on the host with this key.
 */

export class OpenPgpKeyError extends Error {}

export interface OpenPgpKey {
  /** Upper-case hex: 40 digits (v4) or 64 (v6). */
  fingerprint: string
  /** The key in binary form, as written to /etc/apt/keyrings. */
  binary: Buffer
}

/** Reads a public key file's content; throws OpenPgpKeyError when it is not exactly one public key. */
export async function readOpenPgpPublicKey(data: Buffer): Promise<OpenPgpKey> {
  if (data.length === 0) throw new OpenPgpKeyError('it is empty')
  const text = data.toString('latin1')
  // openpgp.js is loaded when a key is read: it is large, and most commands never need it.
  const {readKeys} = await import('openpgp')
  let keys
  try {
    keys = text.includes('-----BEGIN PGP') ? await readKeys({armoredKeys: text}) : await readKeys({binaryKeys: new Uint8Array(data)})
  } catch (error) {
    throw new OpenPgpKeyError(`it is not an OpenPGP key (${(error as Error).message.split('\n')[0]})`)
  }
  // A keyring of several keys would make the host trust every one of them for this repository.
  if (keys.length > 1) throw new OpenPgpKeyError(`it holds ${keys.length} keys; give the repository's key alone`)
  const [key] = keys
  if (!key) throw new OpenPgpKeyError('it holds no public key')
  if (key.isPrivate()) throw new OpenPgpKeyError('it holds a secret key: give the public key only')
  return {fingerprint: key.getFingerprint().toUpperCase(), binary: Buffer.from(key.write())}
}
