/**
 * A systemd unit's ExecStart as words: the engine unit's command line is a
 * fact of the host (read by the facts scripts), which daemon.json checks
 * compare against.
 */

/** Splits a command line as systemd does for ExecStart (quotes, no globbing); `$VAR` words are expanded from `env`. */
export function splitCommandLine(line: string, env: Record<string, string> = {}): string[] {
  const words: string[] = []
  for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
    const word = match[1] ?? match[2] ?? match[3]
    const variable = match[3] ? /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(word) : null
    if (variable) words.push(...(env[variable[1]] ?? '').split(/\s+/).filter(Boolean))
    else words.push(word)
  }
  return words
}
