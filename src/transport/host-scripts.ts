/**
 * The shell tk runs on hosts lives in host-scripts/ as POSIX sh scripts; this
 * reads them from the package and binds their arguments.
 *
 * This is the one loader of host scripts. Scripts travel to hosts as text, so
 * there is nothing on a host to `source`: a line `# tk:include PATH` is
 * replaced by that file of host-scripts/ when the script is read. Pieces that
 * several scripts need (waiting for apt's lock, restarting the engine, the
 * facts scripts' sections) are written once, in host-scripts/lib/, and a
 * script made of several (host-facts.sh) includes them.
 */
import {readFile} from 'node:fs/promises'

import {shQuote} from './sh-quote.js'

const cache = new Map<string, Promise<string>>()
// A line "# tk:include PATH" (a path under host-scripts/) is replaced by that file, its own includes in place.
const INCLUDE = /^# tk:include ([\w-]+(?:\/[\w.-]+)*\.sh)$/m

function readPiece(path: string): Promise<string> {
  return readFile(new URL(`../../host-scripts/${path}`, import.meta.url), 'utf8')
}

/**
 * A script with its includes in place. Each piece comes in once, where it is
 * first included: pieces define what they use (lib/facts-sections.sh's
 * section and show), and a script composed of several that each include it
 * defines it once.
 */
async function compose(path: string, included: Set<string>): Promise<string> {
  const parts = (await readPiece(path)).split(INCLUDE)
  let text = ''
  for (const [index, part] of parts.entries()) {
    if (index % 2 === 0) {
      text += part
    } else if (!included.has(part)) {
      included.add(part)
      // eslint-disable-next-line no-await-in-loop -- pieces are few and small; order matters
      text += (await compose(part, included)).trimEnd()
    }
  }
  return text
}

async function readHostScript(name: string): Promise<string> {
  return compose(name, new Set([name]))
}

/** A script of host-scripts/ as it is sent to a host, its includes in place. */
export function hostScript(name: string): Promise<string> {
  let pending = cache.get(name)
  if (!pending) {
    pending = readHostScript(name)
    cache.set(name, pending)
  }
  return pending
}

/**
 * The script with its positional arguments and environment set, ready for Host.run. The arguments are
 * set even when there are none: a bound script may run inside another (the host lock's round trip),
 * whose own arguments it must not take for its.
 */
export async function boundScript(name: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const script = await hostScript(name)
  const lines = [
    ...Object.entries(env).map(([key, value]) => `${key}=${shQuote(value)}; export ${key}`),
    `set --${args.map((arg) => ` ${shQuote(arg)}`).join('')}`,
  ]
  return `${lines.join('\n')}\n${script}`
}
