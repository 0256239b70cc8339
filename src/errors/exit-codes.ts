/**
 * The one map of tk's exit codes. Commands and docs read it from here; later
 * capabilities add classes here rather than inventing numbers of their own.
 */
export const ExitCode = {
  /** Everything that was asked for holds. */
  OK: 0,
  /** A check or a step failed on at least one host. */
  FAILED: 1,
  /** The command line itself is wrong (oclif's own code for parse errors). */
  USAGE: 2,
  /** An input tk was pointed at (a kernel config, a file) is missing or unreadable. */
  INPUT: 3,
  /** tk.yml or another configuration is invalid. */
  CONFIG: 4,
  /** A host could not be reached: refused, timed out, name not resolved. */
  CONNECTION: 5,
  /** The host refused every credential offered. */
  AUTH: 6,
  /** The host's key is unknown under a strict policy, or has changed. */
  HOST_KEY: 7,
  /** The host runs something tk does not support (distribution, architecture, init). */
  UNSUPPORTED: 8,
  /** Root work was needed and sudo refused or wanted a password tk was not given. */
  PRIVILEGE: 9,
  /** The local machine lacks something tk needs (a program, a permission). */
  ENVIRONMENT: 10,
} as const

export type ExitCodeName = keyof typeof ExitCode

const descriptions: Record<ExitCodeName, string> = {
  OK: 'success',
  FAILED: 'a check or step failed',
  USAGE: 'invalid command line',
  INPUT: 'input missing or unreadable',
  CONFIG: 'configuration invalid',
  CONNECTION: 'host unreachable',
  AUTH: 'authentication failed',
  HOST_KEY: 'host key unknown or changed',
  UNSUPPORTED: 'unsupported host',
  PRIVILEGE: 'privilege escalation failed',
  ENVIRONMENT: 'local machine lacks a requirement',
}

/** The map as "  0  success" lines, for help texts and docs. */
export function exitCodeTable(names: ExitCodeName[] = Object.keys(ExitCode) as ExitCodeName[]): string {
  return names.map((name) => `  ${String(ExitCode[name]).padStart(2)}  ${descriptions[name]}`).join('\n')
}
