/**
 * What may be a user name on a host (the users tk adds to the docker group):
 * Debian's rule for useradd, lower-case letters, digits, '_', '-' and '.'
 * (LDAP names like "ann.lee"), starting with a letter or '_', an optional
 * trailing '$' (Samba machine accounts), at most 32 characters. The same
 * rule as tk.yml's schema (definitions.accountName).
 */
export const ACCOUNT_NAME = /^[a-z_][a-z0-9_.-]*\$?$/
export const ACCOUNT_NAME_MAX = 32

/** Why `name` cannot be a user on a host, or undefined when it can. */
export function accountNameProblem(name: string): string | undefined {
  if (name.length > ACCOUNT_NAME_MAX) return `"${name}" is longer than ${ACCOUNT_NAME_MAX} characters`
  if (!ACCOUNT_NAME.test(name)) return `"${name}" cannot be a user name: use lower-case letters, digits, '_', '-' and '.', starting with a letter or '_'`
  return undefined
}
