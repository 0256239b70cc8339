/** Runs the built tk CLI as a user would, capturing its output and exit code. */
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const TK_BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))

export interface TkRun {
  code: number
  stdout: string
  stderr: string
}

export function runTk(args: string[], options: {env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string} = {}): Promise<TkRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TK_BIN, ...args], {
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
