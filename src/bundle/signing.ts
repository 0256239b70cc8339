/**
 * The keys that sign bundles, and checking what they signed (OpenPGP, with
 * openpgp.js: the workstation needs no gpg). tk makes one key the first time
 * a bundle is made and keeps it in its config directory, private (0600); a
 * user's own key comes in with `--key FILE`. A bundle is trusted when its
 * signer is tk's key here or a public key the user put in
 * CONFIG/bundle-keys/ (a key given with --key is put there when it signs).
 */
import {mkdir, open, readdir, readFile, writeFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'

import * as openpgp from 'openpgp'

import {EnvironmentError, InputError} from '../errors/index.js'

/** $XDG_CONFIG_HOME/tk, else ~/.config/tk. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'tk')
}

export const OWN_KEY_FILE = 'bundle-key.asc'
export const TRUSTED_KEYS_DIR = 'bundle-keys'

export interface Signer {
  key: openpgp.PrivateKey
  fingerprint: string
  userIds: string[]
}

/** tk's own signing key: read, or made (Ed25519) and written 0600 on first use. */
export async function ownSigningKey(dir = configDir()): Promise<Signer> {
  const file = join(dir, OWN_KEY_FILE)
  let armored: string | undefined
  try {
    armored = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new EnvironmentError(`cannot read tk's bundle key ${file}: ${(error as Error).message}`)
  }
  if (armored === undefined) {
    const {privateKey} = await openpgp.generateKey({type: 'ecc', curve: 'curve25519Legacy', userIDs: [{name: 'tk bundle signing key'}], format: 'armored'})
    await mkdir(dir, {recursive: true, mode: 0o700})
    // Created 0600 from the start: never readable by others, not even for a moment.
    try {
      const handle = await open(file, 'wx', 0o600)
      try {
        await handle.writeFile(privateKey)
      } finally {
        await handle.close()
      }
      armored = privateKey
    } catch (error) {
      // Another tk made it first: use that one.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new EnvironmentError(`cannot write tk's bundle key ${file}: ${(error as Error).message}`)
      armored = await readFile(file, 'utf8')
    }
  }
  return signerOf(await openpgp.readPrivateKey({armoredKey: armored}), file)
}

/** A user's signing key (an armored OpenPGP private key; TK_BUNDLE_KEY_PASSPHRASE unlocks a protected one). */
export async function userSigningKey(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Signer> {
  let key: openpgp.PrivateKey
  try {
    key = await openpgp.readPrivateKey({armoredKey: await readFile(file, 'utf8')})
  } catch (error) {
    throw new InputError(`--key ${file}: not an armored OpenPGP private key (${(error as Error).message})`, {hint: 'export one with gpg --armor --export-secret-keys KEYID > FILE'})
  }
  if (!key.isDecrypted()) {
    const passphrase = env.TK_BUNDLE_KEY_PASSPHRASE
    if (!passphrase) throw new InputError(`--key ${file} is protected by a passphrase`, {hint: 'set TK_BUNDLE_KEY_PASSPHRASE in the environment'})
    try {
      key = await openpgp.decryptKey({privateKey: key, passphrase})
    } catch {
      throw new InputError(`--key ${file}: TK_BUNDLE_KEY_PASSPHRASE does not unlock it`)
    }
  }
  return signerOf(key, file)
}

async function signerOf(key: openpgp.PrivateKey, file: string): Promise<Signer> {
  try {
    await key.getSigningKey()
  } catch {
    throw new InputError(`${file}: the key cannot sign`)
  }
  return {key, fingerprint: key.getFingerprint().toUpperCase(), userIds: key.getUserIDs()}
}

/** Puts a signer's public key among the trusted ones (CONFIG/bundle-keys/FINGERPRINT.asc). */
export async function trustSigner(signer: Signer, dir = configDir()): Promise<void> {
  const keys = join(dir, TRUSTED_KEYS_DIR)
  await mkdir(keys, {recursive: true, mode: 0o700})
  await writeFile(join(keys, `${signer.fingerprint}.asc`), signer.key.toPublic().armor(), {mode: 0o644})
}

/** Fingerprints of the keys this workstation trusts for bundles: tk's own and CONFIG/bundle-keys/*.asc. */
export async function trustedFingerprints(dir = configDir()): Promise<Set<string>> {
  const found = new Set<string>()
  const add = async (file: string) => {
    try {
      const text = await readFile(file, 'utf8')
      for (const key of await openpgp.readKeys({armoredKeys: text})) found.add(key.getFingerprint().toUpperCase())
    } catch {
      // A missing or unreadable file trusts nothing.
    }
  }
  await add(join(dir, OWN_KEY_FILE))
  let names: string[] = []
  try {
    names = await readdir(join(dir, TRUSTED_KEYS_DIR))
  } catch {
    names = []
  }
  await Promise.all(names.filter((name) => name.endsWith('.asc')).map((name) => add(join(dir, TRUSTED_KEYS_DIR, name))))
  return found
}

export async function publicKeyArmor(signer: Signer): Promise<string> {
  return signer.key.toPublic().armor()
}

/** A detached armored signature of data. */
export async function signDetached(signer: Signer, data: string): Promise<string> {
  const message = await openpgp.createMessage({text: data})
  return openpgp.sign({message, signingKeys: signer.key, detached: true, format: 'armored'})
}

/** apt's InRelease: the Release file, clear-signed. */
export async function clearSign(signer: Signer, text: string): Promise<string> {
  const message = await openpgp.createCleartextMessage({text})
  return openpgp.sign({message, signingKeys: signer.key, format: 'armored'})
}

export interface SignatureCheck {
  /** The signing key's fingerprint (upper-case hex) and user ids, as the bundle's key.asc gives them. */
  fingerprint?: string
  userIds: string[]
  /** The signature was made by key.asc over exactly this data. */
  verified: boolean
  /** Why not, when it is not. */
  problem?: string
}

/** Checks a detached signature of data against the armored public key given. */
export async function checkDetached(data: string, armoredSignature: string, armoredKey: string): Promise<SignatureCheck> {
  let key: openpgp.Key
  try {
    key = await openpgp.readKey({armoredKey})
  } catch (error) {
    return {userIds: [], verified: false, problem: `key.asc is not an OpenPGP public key (${(error as Error).message})`}
  }
  const fingerprint = key.getFingerprint().toUpperCase()
  const userIds = key.getUserIDs()
  try {
    const signature = await openpgp.readSignature({armoredSignature})
    const message = await openpgp.createMessage({text: data})
    const {signatures} = await openpgp.verify({message, signature, verificationKeys: key})
    await signatures[0]!.verified
    return {fingerprint, userIds, verified: true}
  } catch (error) {
    return {fingerprint, userIds, verified: false, problem: `the manifest's signature does not verify (${(error as Error).message})`}
  }
}
