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
  /** Keep each host's output in its result instead of writing it (tk exec --json, --json-lines). */
  capture?: boolean
  /** A host finished (tk exec --json-lines prints its line here). */
  onDone?: (outcome: HostOutcome<ExecResult>) => void
}

export interface ExecResult {
  code: number
  signal?: string
  timedOut?: boolean
  /** The host's output as UTF-8, when captured. */
  stdout?: string
  stderr?: string
}

/** One host of tk exec --json: its exit code and output, or why it could not run the command; how long it took either way. */
export interface ExecJsonHost {
  target: string
  exitCode?: number
  signal?: string
  timedOut?: boolean
  stdout?: string
  stderr?: string
  durationMs: number
  error?: HostFailure
  skipped?: string
}

export function execJsonHosts(outcomes: ReadonlyArray<HostOutcome<ExecResult>>): ExecJsonHost[] {
  return outcomes.map((outcome) => execJsonHost(outcome))
}

/** One host's element of tk exec --json's hosts (and its line with --json-lines). */
export function execJsonHost(outcome: HostOutcome<ExecResult>): ExecJsonHost {
  const base = {target: outcome.target, durationMs: Math.round(outcome.durationMs)}
  if (outcome.status === 'skipped') return {...base, skipped: outcome.reason}
  if (outcome.status === 'failed') return {...base, error: outcome.error}
  const {code, ...rest} = outcome.value
  return {...base, exitCode: code, ...rest}
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
      const out = options.prefix && !options.capture ? new PrefixedLines(options.stdout, label) : undefined
      const err = options.prefix && !options.capture ? new PrefixedLines(options.stderr, label) : undefined
      const captured = {stdout: [] as Buffer[], stderr: [] as Buffer[]}
      try {
        const result = await host.run(command, {
          asRoot: options.asRoot,
          stdin: options.stdin,
          timeoutMs: options.timeoutMs,
          onStdout: (chunk) => (options.capture ? captured.stdout.push(chunk) : out ? out.write(chunk) : options.stdout.write(chunk)),
          onStderr: (chunk) => (options.capture ? captured.stderr.push(chunk) : err ? err.write(chunk) : options.stderr.write(chunk)),
        })
        const output = options.capture ? {stdout: Buffer.concat(captured.stdout).toString('utf8'), stderr: Buffer.concat(captured.stderr).toString('utf8')} : {}
        return {code: result.code, signal: result.signal, timedOut: result.timedOut, ...output}
      } finally {
        out?.flush()
        err?.flush()
      }
    },
    {concurrency: options.concurrency, onDone: options.onDone},
  )
}
