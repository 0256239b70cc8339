/**
 * The daemon-config step of `tk provision`: plans a change of
 * /etc/docker/daemon.json from the host's facts (refusing, before anything
 * runs, options that would stop the engine or hide its data), and applies it:
 * dockerd's own validation where it has one, backup, atomic write, one
 * restart, a health check, and a rollback to the old file when the engine
 * does not come back. The shell lives in host-scripts/.
 */
import {
  changedPaths,
  checkDaemonKeys,
  checkFlagConflicts,
  DAEMON_JSON,
  DAEMON_KEYS,
  DATA_KEYS,
  formatDaemonConfig,
  hideUrlPasswords,
  holdsSecret,
  lineDiff,
  mergeDaemonConfig,
  parseDaemonConfig,
  sameJson,
  secretStrings,
  shownDaemonConfigs,
  type JsonObject,
} from '../engine/daemon-config.js'
import {hideSecrets} from '../config/secrets.js'
import {ConfigurationError, HostStateError} from '../errors/index.js'
import type {HostFacts} from '../facts/host-facts.js'
import type {Host} from '../transport/host.js'
import type {DesiredEngine} from './desired-engine.js'
import {boundScript} from '../transport/host-scripts.js'

/** How long the engine has to answer `docker info` after a restart. */
export const HEALTH_TIMEOUT_SECONDS = 60

/** The command line of the engine unit Debian's docker.io installs, for hosts where tk is about to install it. */
const DEBIAN_UNIT_ARGV = ['/usr/sbin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock']

export interface DaemonConfigPlan {
  /** The file's new text. */
  content: string
  /** Restart the engine after writing. */
  restart: boolean
  /** Whether dockerd on the host can --validate the file before it is written. */
  canValidate: boolean
  /** The file holds a secret: written root's alone (0600), its backup too. */
  secret: boolean
  /** Strings dockerd's messages and journal must not show (secret values, old and new), longest first. */
  hidden: string[]
}

/** A text from the host (dockerd's verdict, the journal) with the plan's secrets and any URL password hidden. */
function hideIn(plan: DaemonConfigPlan, text: string): string {
  return hideUrlPasswords(hideSecrets(text, plan.hidden))
}

/** The daemon-config step as planned, with what to tell the user. */
export type DaemonConfigStepPlan = {notices: string[]} & (
  | {action: 'ok'; detail: string}
  | {
      action: 'change'
      detail: string
      /** The file's line diff ("  ", "- ", "+ "), for plans and dry runs. */
      diff: string[]
      daemonConfig: DaemonConfigPlan
    }
)

/** A configuration tk refuses: nothing is written, nothing restarts. */
export class DaemonConfigRefused extends ConfigurationError {
  constructor(message: string, hint?: string) {
    super(message, {hint})
    this.name = 'DaemonConfigRefused'
  }
}

/** An engine is on the host: its packages or its daemon binary. */
const engineInstalled = (facts: HostFacts): boolean => Object.keys(facts.engine.packages).length > 0 || facts.engine.binaries.dockerd !== undefined

export function planDaemonConfig(target: string, facts: HostFacts, desired: DesiredEngine, installing: boolean): DaemonConfigStepPlan | undefined {
  if (!desired.daemonConfig) return undefined
  const {patch} = desired.daemonConfig
  const {daemon, server} = facts.engine

  if (daemon.configUnreadable) {
    throw new DaemonConfigRefused(
      `${target}: ${DAEMON_JSON} exists but neither the login user nor sudo -n can read it, so tk cannot merge the options into it`,
      'tk never replaces a file it cannot read: make it readable to the login user, or allow it passwordless sudo',
    )
  }
  let current: JsonObject
  try {
    current = parseDaemonConfig(daemon.configText)
  } catch (error) {
    throw new DaemonConfigRefused(
      `${target}: ${DAEMON_JSON} on the host cannot be merged with: ${(error as Error).message}`,
      'fix or remove the file by hand; tk does not overwrite a file it cannot read',
    )
  }
  const merged = mergeDaemonConfig(current, patch)
  const secretPaths = desired.daemonConfig.secretPaths ?? []
  // Messages quote values: never a secret one, the host's old value included.
  const hidden = secretStrings([current, merged], secretPaths)
  const hide = (text: string) => hideSecrets(text, hidden)

  // tk's own checks: the keys asked for (the host's other keys were accepted by its engine), and conflicts in the whole file.
  const named = Object.keys(patch).filter((name) => patch[name] !== null)
  const engineVersion = daemon.dockerdVersion ?? server?.version
  const argv = daemon.argv ?? (installing ? DEBIAN_UNIT_ARGV : [])
  const problems = [...checkDaemonKeys(merged, named, engineVersion), ...checkFlagConflicts(merged, argv)]
  if (problems.length > 0) {
    throw new DaemonConfigRefused(
      hide(`${target}: daemon.json refused, nothing written, engine not restarted: ${problems.map(String).join('; ')}`),
      'fix the options (see docs/daemon-config.md)',
    )
  }

  const notices: string[] = []
  const unknown = Object.keys(current).filter((name) => !DAEMON_KEYS[name] && !named.includes(name))
  if (unknown.length > 0) notices.push(`${target}: ${DAEMON_JSON} keeps ${unknown.join(', ')}, which tk does not know; only dockerd checks them.`)

  if (sameJson(current, merged)) {
    return {action: 'ok', detail: `${DAEMON_JSON} holds the options already`, notices}
  }

  // Guards: a new storage driver or data root hides every image and container the engine has.
  const images = server?.images ?? 0
  const containers = server?.containers ?? 0
  const running: Record<(typeof DATA_KEYS)[number], string | undefined> = {'storage-driver': server?.storageDriver, 'data-root': server?.rootDir}
  for (const name of DATA_KEYS) {
    const [before, after] = [current[name], merged[name]]
    if (sameJson(before, after)) continue
    if (after !== undefined && after === running[name]) continue // the engine uses that already
    // An engine the login user cannot ask (not in the docker group yet): what it holds is unknown, not nothing.
    if (!installing && !server && !desired.force && engineInstalled(facts)) {
      throw new DaemonConfigRefused(
        hide(`${target}: changing ${name} (${before ?? 'default'} -> ${after ?? 'default'}) would hide any images and containers the engine has, and the login user cannot ask the engine how many there are`),
        'run once without this option so that the login user joins the docker group, or pass --force to change it anyway',
      )
    }
    if (images + containers > 0 && !desired.force) {
      throw new DaemonConfigRefused(
        hide(`${target}: changing ${name} (${running[name] ?? before ?? 'default'} -> ${after ?? 'default'}) hides the ${images} image(s) and ${containers} container(s) on the host from the engine`),
        'pass --force to change it anyway (they come back only when it is changed back)',
      )
    }
  }

  const paths = changedPaths(current, merged)
  const restart = desired.restart
  const stops = restart && !installing && !server?.liveRestore && (server?.running ?? 0) > 0 ? server!.running! : 0
  if (stops > 0) notices.push(`${target}: restarting the engine stops its ${stops} running container(s): live-restore is off.`)
  if (!restart) notices.push(`${target}: ${DAEMON_JSON} changed without a restart; the engine uses it from its next restart.`)
  // The diff is shown and in --json: secret values hidden on both sides.
  const shown = shownDaemonConfigs(current, merged, secretPaths)
  const before = daemon.configText === undefined ? '' : formatDaemonConfig(shown.before)
  return {
    action: 'change',
    detail: `set ${paths.join(', ')}; ${restart ? `restart the engine${stops > 0 ? ` (stops ${stops} running container(s))` : ''}` : 'no restart'}`,
    diff: lineDiff(before, formatDaemonConfig(shown.after)),
    daemonConfig: {content: formatDaemonConfig(merged), restart, canValidate: daemon.canValidate, secret: holdsSecret(merged, secretPaths), hidden},
    notices,
  }
}

/** Asks dockerd (read-only) whether the new file is valid; throws when it is not. Hosts without --validate pass. */
export async function validateWithDockerd(target: string, root: Host, plan: DaemonConfigPlan): Promise<void> {
  if (!plan.canValidate) return
  const result = await root.run(await boundScript('validate-daemon-config.sh'), {stdin: plan.content})
  if (result.code === 0 || result.code === 4) return
  if (result.code === 3) throw refusedByDockerd(target, hideIn(plan, result.stderr))
  throw new HostStateError(`${target}: validate-daemon-config.sh exited ${result.code}: ${result.stderr.trim()}`)
}

function refusedByDockerd(target: string, stderr: string): DaemonConfigRefused {
  const reason = stderr.trim().split('\n').filter(Boolean).join(' | ')
  return new DaemonConfigRefused(`${target}: daemon.json refused by dockerd --validate, nothing written, engine not restarted: ${reason}`, 'fix the options (see docs/daemon-config.md)')
}

/** The engine did not come back with the new file; `restored` says whether it runs again on the old one. */
export class DaemonConfigRolledBack extends HostStateError {
  constructor(
    message: string,
    readonly journal: string[],
  ) {
    super(message, {hint: 'fix the options and run again; the journal lines are under the daemon-config step'})
    this.name = 'DaemonConfigRolledBack'
  }
}

/**
 * Writes the file (backup, atomic rename), restarts the engine once and
 * proves it answers, or rolls back — in one script on the host
 * (write-daemon-config.sh), so that a connection lost half-way cannot leave
 * the new file under a stopped engine. Returns the step's detail.
 */
export async function applyDaemonConfig(target: string, root: Host, facts: HostFacts, plan: DaemonConfigPlan, now = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  const init = facts.init === 'unknown' ? 'systemd' : facts.init
  const mode = plan.secret ? 'private' : 'keep'
  const args = plan.restart ? [stamp, mode, init, String(HEALTH_TIMEOUT_SECONDS)] : [stamp, mode]
  // Two restarts at most, each bounded on the host (300 s for systemctl, then the wait): tk waits a little longer.
  const result = await root.run(await boundScript('write-daemon-config.sh', args), {stdin: plan.content, timeoutMs: 2 * (HEALTH_TIMEOUT_SECONDS + 330) * 1000})
  if (result.code === 3) throw refusedByDockerd(target, hideIn(plan, result.stderr))
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(result.stdout)?.[1]?.trim()
  const backup = value('backup')
  if (backup === undefined) throw new HostStateError(`${target}: write-daemon-config.sh exited ${result.code}: ${result.stderr.trim()}`)
  const kept = backup === 'none' ? 'there was no file before' : `backup ${backup}`
  if (result.code === 0) return plan.restart ? `written (${kept}); engine restarted, answers (pid=${value('pid')})` : `written (${kept}); not restarted (--no-restart)`

  // The engine did not come back with the new file: the script put the old one back and restarted it.
  const [logText, restoreFailure] = result.stderr.split('@@tk:restore-failed ')
  const journal = hideIn(plan, logText).trim().split('\n').filter(Boolean)
  const reason = journalReason(journal)
  const previous = backup === 'none' ? 'removed the new one' : `from ${backup}`
  if (result.code === 4) {
    throw new DaemonConfigRolledBack(
      `${target}: the engine did not start with the new ${DAEMON_JSON} (${reason}); tk put the previous file back (${previous}) and restarted the engine, which answers again`,
      journal,
    )
  }
  const what =
    result.code === 6
      ? `restoring the previous file failed (${(restoreFailure ?? '').trim()})`
      : result.code === 5
        ? 'did not come back after tk restored the previous file either'
        : `the script ended with exit ${result.code}`
  throw new DaemonConfigRolledBack(`${target}: the engine did not start with the new ${DAEMON_JSON} (${reason}), and ${what}: the engine is DOWN, see journalctl -u docker`, journal)
}

/** The journal line that says why dockerd stopped: its own fatal message when there is one. */
export function journalReason(journal: string[]): string {
  const line =
    journal.findLast((text) => /failed to start daemon|unable to configure the docker daemon/i.test(text)) ??
    journal.findLast((text) => /level=(fatal|error)/.test(text)) ??
    journal.findLast((text) => /dockerd\[\d+\]:/.test(text)) ??
    'no journal lines'
  return line.replace(/^.*?dockerd\[\d+\]:\s*/, 'dockerd: ')
}
