/**
 * `tk exec`: one command on one host or many, streamed as it comes. With
 * several hosts each output line is prefixed with its host, and no line from
 * one host is ever cut into by another's.
 */
import {ExitCode} from '../errors/exit-codes.js'
import {countOutcomes, type FleetCounts, type FleetResult, fleetExitCode, outcomeError} from '../fleet/result.js'
import {type HostFailure, type HostOutcome} from '../fleet/runner.js'
import type {Target} from '../targets/index.js'
import type {TransportOptions} from '../transport/connection.js'
import {runOnSessions} from '../fleet/host-session.js'

export interface ExecOptions {
  asRoot?: boolean
  stdin?: Buffer
  timeoutMs?: number
  concurrency?: number
  transport: TransportOptions
  /** Where output goes; the command passes process.stdout and process.stderr. */
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** Prefix lines with the host name (several hosts). */
  prefix: boolean
}

export interface ExecResult {
  code: number
  signal?: string
  timedOut?: boolean
}

/** Splits a stream of chunks into whole lines, each written with a prefix. */
class PrefixedLines {
  private pending = ''
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly prefix: string,
  ) {}

  write(chunk: Buffer): void {
    const text = this.pending + chunk.toString('utf8')
    const lines = text.split('\n')
    this.pending = lines.pop() ?? ''
    if (lines.length > 0) this.out.write(lines.map((line) => `${this.prefix}${line}\n`).join(''))
  }

  flush(): void {
    if (this.pending !== '') this.out.write(`${this.prefix}${this.pending}\n`)
    this.pending = ''
  }
}

export type ExecFleetResult = FleetResult<{target: string; result?: ExecResult; error?: HostFailure}, FleetCounts, ExecResult>

/** One command on every target; a non-zero exit on a host counts as exit 1 for the fleet. */
export async function execOnHosts(targets: Target[], command: string, options: ExecOptions): Promise<ExecFleetResult> {
  const outcomes = await execEach(targets, command, options)
  return {
    hosts: outcomes.map((outcome) => (outcome.status === 'ok' ? {target: outcome.target, result: outcome.value} : {target: outcome.target, error: outcomeError(outcome)})),
    summary: countOutcomes(outcomes),
    exitCode: fleetExitCode(outcomes, (result) => (result.code === 0 ? 0 : ExitCode.FAILED)),
    outcomes,
  }
}

async function execEach(targets: Target[], command: string, options: ExecOptions): Promise<Array<HostOutcome<ExecResult>>> {
  const width = Math.max(...targets.map((target) => target.name.length))
  return runOnSessions(
    targets,
    options.transport,
    async (session) => {
      const host = (await session.open()).login
      const label = `${session.name.padEnd(width)} | `
      const out = options.prefix ? new PrefixedLines(options.stdout, label) : undefined
      const err = options.prefix ? new PrefixedLines(options.stderr, label) : undefined
      try {
        const result = await host.run(command, {
          asRoot: options.asRoot,
          stdin: options.stdin,
          timeoutMs: options.timeoutMs,
          onStdout: (chunk) => (out ? out.write(chunk) : options.stdout.write(chunk)),
          onStderr: (chunk) => (err ? err.write(chunk) : options.stderr.write(chunk)),
        })
        return {code: result.code, signal: result.signal, timedOut: result.timedOut}
      } finally {
        out?.flush()
        err?.flush()
      }
    },
    {concurrency: options.concurrency},
  )
}
