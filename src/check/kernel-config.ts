/**
 * A Linux kernel configuration (.config / config.gz): parsing, the version
 * written in its header, and each flag's state as check-config.sh reports it.
 */
import {gunzipSync} from 'node:zlib'

import {InputError} from '../errors/index.js'

export type FlagState = 'enabled' | 'module' | 'missing'

export interface KernelVersion {
  major: number
  minor: number
  patch: number
  /** As written, e.g. "6.1.176" or "6.18.44-fc-v769". */
  text: string
}

/** Parses the leading "major.minor[.patch]" of a kernel release string. */
export function parseKernelVersion(text: string): KernelVersion | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim())
  if (!match) return undefined
  return {major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0), text: text.trim()}
}

/** -1, 0 or 1 as `version` is below, at or above major.minor. */
export function compareKernel(version: KernelVersion, major: number, minor: number): number {
  if (version.major !== major) return version.major < major ? -1 : 1
  if (version.minor !== minor) return version.minor < minor ? -1 : 1
  return 0
}

const HEADER = /^# Linux\/(\S+) (\d+\.\d+(?:\.\d+)?\S*) Kernel Configuration\s*$/m
const ASSIGNMENT = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/

export class KernelConfig {
  /** Where it was read from, for messages. */
  readonly source: string
  /** The version in the "# Linux/x86 6.1.0 Kernel Configuration" header, when there is one. */
  readonly headerVersion?: KernelVersion
  /** The architecture named in that header ("x86", "arm64", ...). */
  readonly headerArch?: string
  private readonly values: Map<string, string>

  constructor(source: string, values: Map<string, string>, header?: {arch: string; version: KernelVersion}) {
    this.source = source
    this.values = values
    this.headerArch = header?.arch
    this.headerVersion = header?.version
  }

  /** Parses the text of a kernel config; `source` names it in errors. */
  static parse(text: string, source: string): KernelConfig {
    const values = new Map<string, string>()
    for (const line of text.split('\n')) {
      const match = ASSIGNMENT.exec(line.trimEnd())
      if (match) values.set(match[1], match[2])
    }
    if (values.size === 0) {
      throw new InputError(`${source} is not a kernel config: it has no CONFIG_ lines`, {hint: 'pass the kernel\'s .config or config.gz with --kernel-config'})
    }
    const header = HEADER.exec(text.slice(0, 4096))
    const version = header ? parseKernelVersion(header[2]) : undefined
    return new KernelConfig(source, values, header && version ? {arch: header[1], version} : undefined)
  }

  /** Decodes raw bytes (plain text or gzip) and parses them. */
  static fromBytes(bytes: Buffer, source: string): KernelConfig {
    if (bytes.length === 0) throw new InputError(`${source} is empty`, {hint: 'pass the kernel\'s .config or config.gz with --kernel-config'})
    let data = bytes
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        data = gunzipSync(bytes)
      } catch {
        throw new InputError(`${source} is a damaged gzip file (truncated or corrupt)`, {hint: 'copy the config again, or pass the uncompressed .config'})
      }
    }
    if (data.includes(0)) {
      throw new InputError(`${source} is binary data, not a kernel config`, {hint: 'pass the kernel\'s .config or config.gz with --kernel-config'})
    }
    return KernelConfig.parse(data.toString('utf8'), source)
  }

  /** enabled (=y), module (=m) or missing, exactly as check-config.sh decides it. */
  state(flag: string): FlagState {
    const value = this.values.get(flag)
    if (value === 'y') return 'enabled'
    if (value === 'm') return 'module'
    return 'missing'
  }

  /** Set as built-in or module. */
  isSet(flag: string): boolean {
    return this.state(flag) !== 'missing'
  }

  get size(): number {
    return this.values.size
  }
}
