/**
 * The host interface: the few operations checks and provisioning steps need
 * from a machine. A local and an SSH implementation stand behind it, so the
 * code above never knows which side it runs on.
 */
import type {Duplex} from 'node:stream'

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export interface PathStat {
  type: 'file' | 'directory' | 'char-device' | 'block-device' | 'symlink' | 'other'
  size: number
  mode: number
}

export interface Host {
  /** A name for messages: "local" or user@host:port. */
  readonly name: string
  /** Runs a POSIX sh script; never throws for a non-zero exit. With onStdout, stdout is streamed to it instead of collected. */
  run(script: string, options?: {stdin?: string | Buffer; timeoutMs?: number; onStdout?: (chunk: Buffer) => void}): Promise<RunResult>
  /** The file's bytes, or undefined when it does not exist. Other failures throw. */
  readFile(path: string): Promise<Buffer | undefined>
  /** What is at the path (following links), or undefined when nothing is. */
  stat(path: string): Promise<PathStat | undefined>
  /** Whether a command of that name is on the host's PATH. */
  hasCommand(name: string): Promise<boolean>
  /**
   * An HTTP GET to a unix socket on the host as the login user (the engine's API),
   * or undefined when it cannot be reached. Optional: callers fall back to a command.
   */
  getFromUnixSocket?(socketPath: string, path: string): Promise<{status: number; body: string} | undefined>
  /** Any HTTP request to a unix socket on the host as the login user (a pull with X-Registry-Auth), or undefined as above. Optional. */
  requestUnixSocket?(socketPath: string, request: {method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; timeoutMs: number}): Promise<{status: number; body: string} | undefined>
  /**
   * A remote forward on the host's loopback, over the connection tk already
   * has (SSH only): each connection made to 127.0.0.1:port there reaches
   * `onChannel` here. Optional: a local host has no connection to forward over.
   */
  forwardIn?(onChannel: (channel: Duplex) => void): Promise<{port: number; close(): Promise<void>}>
  close(): Promise<void>
}
