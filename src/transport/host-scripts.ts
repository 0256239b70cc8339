/**
 * The shell tk runs on hosts lives in host-scripts/ as POSIX sh scripts; this
 * reads them from the package and binds their arguments.
 *
 * Scripts travel to hosts as text, so there is nothing on a host to `source`:
 * a line `# tk:include lib/NAME.sh` is replaced by that file of
 * host-scripts/lib/ when the script is read. Pieces that several scripts
 * need (waiting for apt's lock, restarting the engine and waiting for it)
 * are written once there.
 */
import {readFile} from 'node:fs/promises'

import {shQuote} from './sh-quote.js'

const cache = new Map<string, Promise<string>>()
const INCLUDE = /^# tk:include (lib\/[\w.-]+\.sh)$/gm

async function readProvisioner(name: string): Promise<string> {
  const text = await readFile(new URL(`../../host-scripts/${name}`, import.meta.url), 'utf8')
  const includes = [...text.matchAll(INCLUDE)].map((match) => match[1])
  if (includes.length === 0) return text
  const pieces = new Map(await Promise.all(includes.map(async (path) => [path, await readFile(new URL(`../../host-scripts/${path}`, import.meta.url), 'utf8')] as const)))
  return text.replace(INCLUDE, (_line, path: string) => pieces.get(path)!.trimEnd())
}

/** A script of host-scripts/ as it is sent to a host, its includes in place. */
export function hostScript(name: string): Promise<string> {
  let pending = cache.get(name)
  if (!pending) {
    pending = readProvisioner(name)
    cache.set(name, pending)
  }
  return pending
}

/** The script with its positional arguments and environment set, ready for Host.run. */
export async function boundScript(name: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const script = await hostScript(name)
  const lines = [
    ...Object.entries(env).map(([key, value]) => `${key}=${shQuote(value)}; export ${key}`),
    ...(args.length > 0 ? [`set -- ${args.map((arg) => shQuote(arg)).join(' ')}`] : []),
  ]
  return `${lines.join('\n')}\n${script}`
}
