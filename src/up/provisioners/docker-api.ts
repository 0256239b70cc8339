/**
 * The docker provisioner's requests to the host's engine API, each in an SSH
 * channel to the engine's socket (OpenSSH stream-local forwarding, as tk
 * status and tk tunnel reach the engine), as the login user:
 * - a pull with the registry's credentials in the request (X-Registry-Auth),
 *   so the credentials are on no command line and in no file on the host,
 *   and the docker CLI there keeps no login;
 * - what the image and the container are now (docker-facts.sh's answer,
 *   without starting the docker CLI on the host: ~0.1 s of CPU there, on
 *   every tk up of every host), when the login user may ask the engine.
 */
import {HostStateError} from '../../errors/index.js'
import type {Host} from '../../transport/host.js'
import {normalizeReference} from './docker-archive.js'

/** The engine's socket (docker's own default; a daemon.json hosts: elsewhere is not followed here). */
const ENGINE_SOCKET = '/var/run/docker.sock'
/** A pull may take minutes (large layers); the channel is given this long. */
const PULL_TIMEOUT_MS = 15 * 60_000

/** fromImage and tag of POST /images/create for a reference. */
export function pullQuery(image: string): string {
  const ref = normalizeReference(image)
  if (ref.includes('@')) return `fromImage=${encodeURIComponent(ref)}`
  const colon = ref.lastIndexOf(':')
  return `fromImage=${encodeURIComponent(ref.slice(0, colon))}&tag=${encodeURIComponent(ref.slice(colon + 1))}`
}

/** The error a pull's answer holds: its status's message, or the stream's last {"error": ...}; undefined when it pulled. */
export function pullError(status: number, body: string): string | undefined {
  const messages: string[] = []
  for (const line of body.split('\n')) {
    if (line.trim() === '') continue
    try {
      const event = JSON.parse(line) as {error?: string; message?: string}
      if (event.error) messages.push(event.error)
      else if (status !== 200 && event.message) messages.push(event.message)
    } catch {
      if (status !== 200) messages.push(line.trim())
    }
  }
  if (messages.length > 0) return messages.at(-1)
  return status === 200 ? undefined : `the engine answered HTTP ${status}`
}

/** Pulls `image` on the host's engine with `auth` (an X-Registry-Auth value); throws what the engine said, secrets hidden by the caller. */
export async function pullThroughApi(host: Host, image: string, auth: string, prefix: string): Promise<void> {
  if (!host.requestUnixSocket) throw new HostStateError(`${prefix}: a pull with registry credentials needs an SSH connection to the engine's socket`)
  const answer = await host.requestUnixSocket(ENGINE_SOCKET, {method: 'POST', path: `/images/create?${pullQuery(image)}`, headers: {'X-Registry-Auth': auth}, timeoutMs: PULL_TIMEOUT_MS})
  if (!answer) {
    throw new HostStateError(`${prefix}: cannot reach the engine's API at ${ENGINE_SOCKET} over SSH to pull ${image} with the registry's credentials`, {
      hint: "the login user needs the docker group (engine.users) and sshd must allow stream-local forwarding (AllowStreamLocalForwarding yes, the default)",
    })
  }
  const error = pullError(answer.status, answer.body)
  if (error) throw new HostStateError(`${prefix}: docker pull failed: ${error}`)
}

/** What GET PATH on the engine's API answers: its JSON, null for a 404 (no such object); throws on any other answer or none. */
async function getJson<T>(host: Host, path: string): Promise<T | null> {
  const answer = await host.requestUnixSocket?.(ENGINE_SOCKET, {method: 'GET', path, timeoutMs: 30_000}).catch(() => undefined)
  if (answer?.status === 404) return null
  if (answer?.status !== 200) throw new Error(`the engine did not answer GET ${path}`)
  return JSON.parse(answer.body) as T
}

const imagePath = (image: string) => `/images/${encodeURIComponent(image)}/json`

/** The image ID the engine has for `image`, or undefined when it has none (GET /images/NAME/json). */
export async function imageIdThroughApi(host: Host, image: string): Promise<string | undefined> {
  return getJson<{Id?: string}>(host, imagePath(normalizeReference(image))).then(
    (found) => found?.Id,
    () => undefined,
  )
}

/** What GET /containers/NAME/json says that docker-facts.sh reads. */
interface ContainerJson {
  Id?: string
  Image?: string
  State?: {Running?: boolean}
  Config?: {Labels?: Record<string, string> | null}
}

/**
 * docker-facts.sh's lines (image, archive, container), read through the engine's API instead of the
 * docker CLI; undefined when the engine did not answer every request (the login user not in the
 * docker group, forwarding refused, no engine): the caller then runs docker-facts.sh as root.
 * `archiveIds`: the IDs an image archive's image may have (docker-facts.sh's arguments after PULL).
 */
export async function dockerFactsThroughApi(host: Host, image: string, container: string | undefined, specLabel: string, archiveIds: readonly string[] = []): Promise<string | undefined> {
  if (!host.requestUnixSocket) return undefined
  try {
    const [imageJson, containerJson] = await Promise.all([
      getJson<{Id?: string}>(host, imagePath(normalizeReference(image))),
      container ? getJson<ContainerJson>(host, `/containers/${encodeURIComponent(container)}/json`) : undefined,
    ])
    const imageId = imageJson?.Id
    const lines = [`image ${imageId ?? '-'}`]
    if (archiveIds.length > 0) {
      // As docker-facts.sh: the ID the reference has if it is one of them, else the first the engine has.
      let archive = archiveIds.find((id) => id === imageId)
      for (const id of archive ? [] : archiveIds) {
        // eslint-disable-next-line no-await-in-loop -- in order: the first the engine has
        if (await getJson(host, imagePath(id))) {
          archive = id
          break
        }
      }
      lines.push(`archive ${archive ?? '-'}`)
    }
    if (container !== undefined) {
      const label = containerJson?.Config?.Labels?.[specLabel]
      lines.push(containerJson?.Id ? `container ${containerJson.Id} ${containerJson.Image ?? '-'} ${containerJson.State?.Running === true} ${label || '-'}` : 'container -')
    }
    return `${lines.join('\n')}\n`
  } catch {
    return undefined
  }
}
