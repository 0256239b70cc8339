/**
 * `tk bootstrap`: first contact with a new server. tk logs in with what the
 * provider gave (a password, as root or a default user with sudo), makes the
 * admin user with the admin's public key and passwordless sudo
 * (host-scripts/bootstrap-admin.sh), proves on a fresh connection that a key
 * login and sudo work, and only then, with `harden`, turns off password and
 * root logins (host-scripts/bootstrap-harden.sh), proving a fresh key login
 * again and undoing the change when anything fails.
 *
 * The password lives in memory only: it reaches the transport in the
 * connection's own options (never process.env, never argv, never a file) and
 * sudo gets it on stdin. A host whose admin can already log in with the key
 * and use sudo is worked on as the admin, without a password: a re-run after
 * --harden (root and passwords refused) changes nothing and asks nothing.
 */
import {readFile} from 'node:fs/promises'
import {homedir, userInfo} from 'node:os'
import {dirname, join, resolve} from 'node:path'

import {accountNameProblem} from '../config/account-name.js'
import {AuthenticationError, ConnectionError, HostStateError, InputError, UsageError, UserError} from '../errors/index.js'
import {HostConnector} from '../fleet/host-connector.js'
import {type FleetCounts, type FleetResult, fleetResultOf, type HostResultJson} from '../fleet/result.js'
import {type HostOutcome, runFleet} from '../fleet/runner.js'
import type {Target} from '../targets/index.js'
import type {PromptRequest, SecretPrompt, TransportOptions} from '../transport/connection.js'
import {boundScript} from '../transport/host-scripts.js'
import {SshHost} from '../transport/ssh-host.js'
import {parseTarget, resolveTarget, type TargetSpec} from '../transport/target.js'

/**
 * The test hook: set to 1, the sshd drop-in --harden writes gets a keyword sshd
 * does not know, so that `sshd -t` refuses it and the rollback can be tested
 * on a real host (test/integration/bootstrap.test.ts). Honoured only in the
 * harden step; it can only make --harden fail and undo itself.
 */
export const INVALID_DROPIN_HOOK = 'TK_TEST_BOOTSTRAP_INVALID_SSHD_DROPIN'

export interface BootstrapOptions {
  /** The admin to make (--user); default: the tk.yml host's user, else the local user. */
  admin?: string
  /** The admin's public key file (--key); default: tk.yml's bootstrap.key, else the .pub of the first identity tk would log in with. */
  publicKeyFile?: string
  /** Turn off password and root logins once key login and sudo are proven (also tk.yml's bootstrap.harden). */
  harden: boolean
  /** Say what would change; change nothing. */
  dryRun: boolean
  /** Ask for the password once and use it for every host. */
  samePassword: boolean
  concurrency?: number
  transport: TransportOptions
  onDone?: (outcome: HostOutcome<BootstrapReport>) => void
}

export type BootstrapStepName = 'user' | 'key' | 'sudo' | 'proof' | 'harden'

export interface BootstrapStep {
  step: BootstrapStepName
  /** ok: nothing to do; changed: done now; would-change: a dry run's finding. */
  result: 'ok' | 'changed' | 'would-change'
  detail: string
}

export interface BootstrapReport {
  /** Who tk logged in as, and how: "root@host:22 with a password" or "admin@host:22 with a key". */
  login: string
  admin: string
  changed: boolean
  steps: BootstrapStep[]
}

export type BootstrapHostJson = HostResultJson<BootstrapReport>

export type BootstrapFleetResult = FleetResult<BootstrapHostJson, FleetCounts, BootstrapReport>

/** The key line from a .pub file, checked to be one public key and no private one. */
export async function readPublicKey(file: string): Promise<string> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError(`Cannot read the public key ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {hint: 'Pass the admin\'s public key with --key FILE.pub'})
  }
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'))
  const ssh2 = (await import('ssh2')) as unknown as {default: typeof import('ssh2')}
  const parsed = lines.length === 1 ? ssh2.default.utils.parseKey(lines[0]) : undefined
  const key = Array.isArray(parsed) ? parsed[0] : parsed
  if (!key || key instanceof Error || key.isPrivateKey() || !/^[\w@.-]+ [A-Za-z0-9+/=]+( \S.*)?$/.test(lines[0])) {
    throw new InputError(`${file} is not one OpenSSH public key line ("ssh-ed25519 AAAA... comment")`, {hint: 'Pass the .pub file, never the private key'})
  }
  return lines[0]
}

/** The admin's name for a target: --user, else the tk.yml host's user, else the local user. */
export function adminFor(target: Target, given: string | undefined): string {
  const name = given ?? (target.raw ? undefined : target.user) ?? userInfo().username
  const problem = accountNameProblem(name)
  if (problem) throw new UsageError(`--user: ${problem}`)
  if (name === 'root') throw new UsageError('--user root: tk bootstrap makes an admin who is not root (root logins are what --harden turns off)', {hint: 'Name the admin with --user NAME'})
  return name
}

/** Where a target is, and who logs in first: the user typed, or tk.yml's bootstrap.user; root when none is given. */
function loginSpec(target: Target): TargetSpec {
  if (target.raw) {
    const spec = parseTarget(target.address)
    return {...spec, user: spec.user ?? 'root'}
  }
  return {host: target.address, port: target.port, user: target.host?.bootstrap?.user ?? 'root'}
}

/** tk.yml's bootstrap.key as a path: ~ is the home directory, a relative path is relative to tk.yml. */
function configuredKey(target: Target): string | undefined {
  const key = target.host?.bootstrap?.key
  if (key === undefined) return undefined
  if (key === '~' || key.startsWith('~/')) return join(homedir(), key.slice(1))
  return resolve(target.configFile ? dirname(target.configFile) : '.', key)
}

/** Options that log in with keys (and the agent) only: no password from anywhere, passphrases still asked. */
function keyOnly(options: TransportOptions): TransportOptions {
  const prompt = options.prompt
  return {
    ...options,
    env: {...(options.env ?? process.env), TK_SSH_PASSWORD: '', TK_SUDO_PASSWORD: ''},
    prompt: prompt && ((request: PromptRequest) => (request.kind === 'passphrase' ? prompt(request) : Promise.resolve(undefined))),
  }
}

/**
 * The password login's prompt for one host: the login password is asked once
 * (or, with `shared`, once for every host) and is also sudo's answer, as a
 * provider's default user's sudo password is its login password.
 */
function passwordPrompt(options: TransportOptions, shared: {answer?: Promise<string | undefined>} | undefined): SecretPrompt {
  const env = options.env ?? process.env
  const ask = options.prompt ?? (() => Promise.resolve(undefined))
  let given: string | undefined
  return async (request) => {
    if (request.kind === 'passphrase') return ask(request)
    if (request.kind === 'sudo-password' && (given ?? env.TK_SSH_PASSWORD)) return given ?? env.TK_SSH_PASSWORD
    if (shared) {
      shared.answer ??= ask({kind: request.kind, message: request.kind === 'password' ? 'Password for every host (tk bootstrap --same-password): ' : request.message})
      given = await shared.answer
    } else {
      given = await ask(request)
    }
    return given
  }
}

/** The default public key: the .pub beside the first identity file tk would log in to the admin with. */
async function defaultPublicKeyFile(spec: TargetSpec, options: TransportOptions): Promise<string> {
  const {identityFiles} = resolveTarget(spec, options)
  for (const file of identityFiles) {
    try {
      // eslint-disable-next-line no-await-in-loop -- a few files, first match wins
      await readFile(`${file}.pub`)
      return `${file}.pub`
    } catch {}
  }
  throw new InputError(`No public key found beside the identity files tk would use (${identityFiles.join(', ')})`, {hint: 'Pass the admin\'s public key with --key FILE.pub, or make one with ssh-keygen -t ed25519'})
}

/** The private key beside a .pub, for proving the login with exactly that key (the agent may hold it too). */
function privateKeyOf(publicKeyFile: string): string[] {
  return publicKeyFile.endsWith('.pub') ? [publicKeyFile.slice(0, -4)] : []
}

/** Parses the scripts' "STEP ok|change|would DETAIL" lines. */
function stepsOf(stdout: string): BootstrapStep[] {
  const results = {ok: 'ok', change: 'changed', would: 'would-change'} as const
  return stdout
    .split('\n')
    .map((line) => /^(user|key|sudo|harden) (ok|change|would) (.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({step: match[1] as BootstrapStepName, result: results[match[2] as keyof typeof results], detail: match[3]}))
}

/** Runs one of the bootstrap scripts as root; a refusal (exit 9) or any failure is the host's HostStateError. */
async function runScript(host: SshHost, name: string, args: string[], what: string, stdin?: string): Promise<BootstrapStep[]> {
  const result = await host.runAsRoot(await boundScript(name, args), stdin === undefined ? {} : {stdin})
  if (result.code !== 0) {
    const reason = result.stderr.trim().split('\n').pop() || `exit ${result.code}`
    throw new HostStateError(`${host.name}: ${what}: ${reason}`)
  }
  return stepsOf(result.stdout)
}

/** A fresh key-only connection as the admin, and `sudo -n` through it: what --harden must not take away. */
async function proveKeyLogin(spec: TargetSpec, options: TransportOptions, when: string, afterReload = false): Promise<string> {
  let host: SshHost | undefined
  // sshd reloads by executing itself again: for a moment after `systemctl reload` returns, nothing
  // listens (refused) or a login is cut off. Only such failures are tried again, for at most ~10 s;
  // a refused key is the proof failing, at once.
  for (let attempt = 1; !host; attempt++) {
    try {
      // eslint-disable-next-line no-await-in-loop -- one try at a time, bounded
      host = await SshHost.connect(spec, options)
    } catch (error) {
      const transient = afterReload && error instanceof ConnectionError && attempt < 20
      if (!transient) throw new HostStateError(`${when}: a fresh key login as ${spec.user} failed: ${(error as Error).message}`, {cause: error})
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve_) => setTimeout(resolve_, 500))
    }
  }
  try {
    const sudo = await host.run('sudo -n id -u')
    if (sudo.code !== 0 || sudo.stdout.trim() !== '0') {
      throw new HostStateError(`${host.name}: ${when}: ${spec.user} logs in with the key but sudo -n fails: ${sudo.stderr.trim() || `exit ${sudo.code}`}`)
    }
    return `a fresh connection as ${host.name} logged in with the key, and sudo -n works`
  } finally {
    await host.close()
  }
}

interface Login {
  host: SshHost
  how: string
  /** Logged in as the admin with the key, and sudo -n worked: that is the proof already. */
  proof?: string
}

/**
 * The connection tk works through: as the admin with the key when that works
 * and sudo -n does too (a re-run), else as the login user with the password.
 */
async function logIn(login: TargetSpec, adminSpec: TargetSpec, base: TransportOptions, keyOptions: TransportOptions, prompt: SecretPrompt): Promise<Login> {
  try {
    const admin = await SshHost.connect(adminSpec, keyOptions)
    if ((await admin.run('sudo -n true')).code === 0) return {host: admin, how: `${admin.name} with a key`, proof: `this run logged in as ${admin.name} with the key, and sudo -n works`}
    await admin.close()
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error
  }
  const host = await SshHost.connect(login, {...base, prompt})
  return {host, how: `${host.name} with a password`}
}

async function bootstrapHost(target: Target, options: BootstrapOptions, shared: {answer?: Promise<string | undefined>} | undefined): Promise<BootstrapReport> {
  if (target.provider === 'sandbox') throw new UsageError(`${target.name} is a sandbox machine: it has its admin, key and sudo already`)
  const admin = adminFor(target, options.admin)
  const base = new HostConnector(options.transport).optionsFor(target)
  const login = loginSpec(target)
  const adminSpec: TargetSpec = {...login, user: admin}
  const publicKeyFile = options.publicKeyFile ?? configuredKey(target) ?? (await defaultPublicKeyFile(adminSpec, base))
  const harden = options.harden || target.host?.bootstrap?.harden === true
  const publicKey = await readPublicKey(publicKeyFile)
  const keyOptions = keyOnly({...base, identityFiles: [...privateKeyOf(publicKeyFile), ...(base.identityFiles ?? [])]})

  const {host, how, proof} = await logIn(login, adminSpec, base, keyOptions, passwordPrompt(base, shared))
  try {
    const mode = options.dryRun ? 'check' : 'apply'
    const steps = await runScript(host, 'bootstrap-admin.sh', [admin, mode], `making the admin ${admin}`, `${publicKey}\n`)
    if (!options.dryRun) steps.push({step: 'proof', result: 'ok', detail: proof ?? (await proveKeyLogin(adminSpec, keyOptions, 'the proof before --harden'))})
    if (harden) steps.push(...(await hardenHost(host, adminSpec, keyOptions, options)))
    return {login: how, admin, changed: steps.some((step) => step.result !== 'ok'), steps}
  } finally {
    await host.close()
  }
}

/** --harden over the working connection, which stays open: it is how a failed proof is undone. */
async function hardenHost(host: SshHost, adminSpec: TargetSpec, keyOptions: TransportOptions, options: BootstrapOptions): Promise<BootstrapStep[]> {
  const env = options.transport.env ?? process.env
  const hook = env[INVALID_DROPIN_HOOK] === '1' ? ['invalid'] : []
  const steps = await runScript(host, 'bootstrap-harden.sh', [options.dryRun ? 'check' : 'apply', ...hook], '--harden was undone, the host is reachable as before')
  if (options.dryRun || !steps.some((step) => step.result === 'changed')) return steps
  try {
    const proof = await proveKeyLogin(adminSpec, keyOptions, 'the proof after --harden', true)
    await runScript(host, 'bootstrap-harden.sh', ['commit'], 'forgetting the previous sshd drop-in')
    return [...steps, {step: 'proof', result: 'ok', detail: proof}]
  } catch (error) {
    await runScript(host, 'bootstrap-harden.sh', ['undo'], 'undoing --harden')
    const message = error instanceof UserError ? error.message : String(error)
    throw new HostStateError(`${host.name}: ${message}; --harden was undone and sshd reloaded, the host is reachable as before`, {cause: error})
  }
}

export async function bootstrapHosts(targets: Target[], options: BootstrapOptions): Promise<BootstrapFleetResult> {
  const byName = new Map(targets.map((target) => [target.name, target]))
  const shared = options.samePassword ? {} : undefined
  const outcomes = await runFleet(targets.map((target) => target.name), (name) => bootstrapHost(byName.get(name)!, options, shared), {
    concurrency: options.concurrency,
    onDone: options.onDone,
  })
  return fleetResultOf(outcomes)
}
