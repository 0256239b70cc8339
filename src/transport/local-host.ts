/**
 * The local machine behind the host interface. File operations use node's fs
 * directly (no shell spawned), which keeps the local `tk check` fast.
 */
import {spawn} from 'node:child_process'
import {constants as fsConstants} from 'node:fs'
import {access, readFile, stat} from 'node:fs/promises'
import {delimiter, join} from 'node:path'

import type {Host, PathStat, RunResult} from './host.js'

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

export function statType(s: {isFile(): boolean; isDirectory(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSymbolicLink(): boolean}): PathStat['type'] {
  if (s.isFile()) return 'file'
  if (s.isDirectory()) return 'directory'
  if (s.isCharacterDevice()) return 'char-device'
  if (s.isBlockDevice()) return 'block-device'
  if (s.isSymbolicLink()) return 'symlink'
  return 'other'
}

export class LocalHost implements Host {
  readonly name = 'local'

  async run(script: string, options: {stdin?: string | Buffer; timeoutMs?: number; onStdout?: (chunk: Buffer) => void} = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', script], {stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs})
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout.on('data', (chunk: Buffer) => (options.onStdout ? options.onStdout(chunk) : out.push(chunk)))
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
      child.on('error', reject)
      child.on('close', (code, signal) => {
        resolve({
          code: code ?? (signal ? 128 + 15 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        })
      })
      child.stdin.end(options.stdin ?? '')
    })
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    try {
      return await readFile(path)
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
  }

  async stat(path: string): Promise<PathStat | undefined> {
    try {
      const s = await stat(path)
      return {type: statType(s), size: s.size, mode: s.mode}
    } catch (error) {
      if (isMissing(error)) return undefined
      throw error
    }
  }

  async hasCommand(name: string): Promise<boolean> {
    const dirs = (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)
    // Root's PATH on a server includes the sbin directories, where the tools checked for live.
    for (const extra of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!dirs.includes(extra)) dirs.push(extra)
    const found = await Promise.all(
      dirs.filter(Boolean).map((dir) =>
        access(join(dir, name), fsConstants.X_OK).then(
          () => true,
          () => false,
        ),
      ),
    )
    return found.includes(true)
  }

  async close(): Promise<void> {}
}
