/**
 * Credentials of tk.yml's private registries for the docker provisioner's
 * pulls: read on the workstation (${ENV} values, or a docker credential
 * helper run here) before any host is touched, and handed to the engine only
 * in the X-Registry-Auth header of its API's pull request, over the SSH
 * connection (src/up/provisioners/docker-api.ts). Nothing is written on
 * the host; every value is a secret of the run (hidden from all output).
 */
import {spawn} from 'node:child_process'

import type {RegistryFile} from '../config/types.js'
import {InputError} from '../errors/index.js'

/** The X-Registry-Auth value for an image's registry, or undefined when tk.yml has no credentials for it. */
export type RegistryAuth = (image: string) => string | undefined

/** The registry an image reference names: its first segment when it looks like a host (a dot, a port, localhost), else Docker Hub. */
export function registryOfImage(image: string): string {
  const slash = image.indexOf('/')
  if (slash === -1) return 'docker.io'
  const first = image.slice(0, slash)
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first === 'index.docker.io' ? 'docker.io' : first
  return 'docker.io'
}

/** The engine's X-Registry-Auth header value: the credentials as JSON, base64 with the URL-safe alphabet, padded. */
export function registryAuthHeader(server: string, username: string, password: string): string {
  // URL-safe alphabet *with* padding: engines up to 20.10 decode with Go's base64.URLEncoding, and a
  // header that fails to decode is silently taken as no credentials at all.
  return Buffer.from(JSON.stringify({username, password, serveraddress: server})).toString('base64').replaceAll('+', '-').replaceAll('/', '_')
}

/** Runs `docker-credential-NAME get` here with the server on stdin: its Username and Secret. */
export function credentialHelperGet(helper: string, server: string): Promise<{username: string; secret: string}> {
  const command = `docker-credential-${helper}`
  return new Promise((resolve, reject) => {
    const child = spawn(command, ['get'], {stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(new InputError(`registry ${server}: cannot run ${command} (${error.code === 'ENOENT' ? 'not found on PATH' : error.message})`, {hint: 'install the credential helper, or give username and password'})),
    )
    child.on('close', (code) => {
      // Helpers print their reason (credentials not found) on stdout as often as on stderr; never the secret then.
      if (code !== 0) return reject(new InputError(`registry ${server}: ${command} get failed: ${(stderr.trim() || stdout.trim()).split('\n').pop() ?? `exit code ${code}`}`, {hint: `log in first: docker login ${server}`}))
      try {
        const answer = JSON.parse(stdout) as {Username?: unknown; Secret?: unknown}
        if (typeof answer.Username !== 'string' || typeof answer.Secret !== 'string' || answer.Secret === '') throw new Error('no Username and Secret')
        resolve({username: answer.Username, secret: answer.Secret})
      } catch {
        reject(new InputError(`registry ${server}: ${command} get did not answer with a Username and Secret`))
      }
    })
    child.stdin.end(server)
  })
}

/**
 * Each registry's header value, by server; a credential helper's secret is
 * added to `secrets` (the run's values never to print).
 */
export async function registryAuths(registries: readonly RegistryFile[] | undefined, secrets: string[]): Promise<RegistryAuth | undefined> {
  if (!registries || registries.length === 0) return undefined
  const headers = new Map<string, string>()
  for (const registry of registries) {
    let username = registry.username ?? ''
    let password = registry.password ?? ''
    if (registry.credentialHelper) {
      // eslint-disable-next-line no-await-in-loop -- one helper at a time: some prompt (a keychain unlock)
      const answer = await credentialHelperGet(registry.credentialHelper, registry.server)
      username = answer.username
      password = answer.secret
    }
    if (password.includes('${')) throw new InputError(`registry ${registry.server}: its password is an environment variable that is not set (${password})`, {hint: 'set it, then run tk up again'})
    secrets.push(password)
    headers.set(registry.server, registryAuthHeader(registry.server, username, password))
  }
  return (image) => headers.get(registryOfImage(image))
}
