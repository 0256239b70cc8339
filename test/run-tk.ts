/** Runs the built tk CLI as a user would, capturing its output and exit code. */
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const TK_BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))

export interface TkRun {
  code: number
  stdout: string
  stderr: string
}

export interface TkRunOptions {
  env?: NodeJS.ProcessEnv
  input?: string | Buffer
  cwd?: string
  /** Run as this user (runuser, as root) with only this environment, as they would from their own shell. */
  as?: {user: string; env: Record<string, string>}
}

export function runTk(args: string[], options: TkRunOptions = {}): Promise<TkRun> {
  return new Promise((resolve, reject) => {
    const [command, commandArgs] = options.as
      ? ['runuser', ['-u', options.as.user, '--', 'env', '-i', ...Object.entries({NO_COLOR: '1', ...options.as.env}).map(([name, value]) => `${name}=${value}`), process.execPath, TK_BIN, ...args]]
      : [process.execPath, [TK_BIN, ...args]]
    const child = spawn(command, commandArgs, {
      cwd: options.cwd,
      env: {...process.env, NO_COLOR: '1', ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({code: code ?? 1, stdout, stderr}))
    child.stdin.end(options.input ?? '')
  })
}
