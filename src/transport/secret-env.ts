/**
 * The environment variables that carry tk's secrets, and copies of an
 * environment without them, for the processes tk starts: the docker CLI
 * gets none of them, a detached tunnel keeps only what it needs to log in
 * again.
 */

/** Environment variables that carry tk's secrets (passwords, a key's passphrase). */
export const SECRET_ENV = ['TK_SUDO_PASSWORD', 'TK_SSH_PASSWORD', 'TK_SSH_PASSPHRASE'] as const
export type SecretEnvName = (typeof SECRET_ENV)[number]

/** A copy of `env` without tk's secrets, but for those named in `keep`. */
export function withoutSecrets(env: NodeJS.ProcessEnv, keep: readonly SecretEnvName[] = []): NodeJS.ProcessEnv {
  const copy = {...env}
  for (const name of SECRET_ENV) if (!keep.includes(name)) delete copy[name]
  return copy
}
