/**
 * The shell tk runs on hosts lives in provisioners/ as POSIX sh scripts; this
 * reads them from the package and binds their arguments.
 */
import {readFile} from 'node:fs/promises'

import {shQuote} from '../host/sh-quote.js'

const cache = new Map<string, Promise<string>>()


export function provisionerScript(name: string): Promise<string> {
  let pending = cache.get(name)
  if (!pending) {
    pending = readFile(new URL(`../../provisioners/${name}`, import.meta.url), 'utf8')
    cache.set(name, pending)
  }
  return pending
}

/** The script with its positional arguments and environment set, ready for Host.run. */
export async function boundScript(name: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const script = await provisionerScript(name)
  const lines = [
    ...Object.entries(env).map(([key, value]) => `${key}=${shQuote(value)}; export ${key}`),
    ...(args.length > 0 ? [`set -- ${args.map((arg) => shQuote(arg)).join(' ')}`] : []),
  ]
  return `${lines.join('\n')}\n${script}`
}
