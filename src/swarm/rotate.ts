/**
 * tk swarm rotate-tokens: new join tokens for tk.yml's swarm, asked of one of
 * its managers through the engine's API over SSH. The old tokens stop
 * working at once; nodes already in the swarm are not affected, and the next
 * tk up reads the new ones when a host joins. The tokens themselves are
 * never returned, printed or written: only whether each one changed, judged
 * by comparing digests of them taken in memory before and after.
 */
import {createHash} from 'node:crypto'

import {HostStateError, UserError} from '../errors/index.js'
import type {NodeRole, SwarmEngine} from './engine-api.js'

export interface RotateTokensResult {
  dryRun: boolean
  /** The manager that was asked. */
  manager: string
  /** The swarm's ID. */
  swarm: string
  /** The roles whose join token was (or, in a dry run, would be) rotated. */
  rotated: NodeRole[]
  /** Managers of tk.yml tk could not ask, each with why (another was asked instead). */
  skipped: Array<{target: string; message: string}>
}

/** The engine of one manager of tk.yml, connected on demand (a connection failure is reported, and the next manager asked). */
export interface ManagerCandidate {
  name: string
  engine: () => Promise<SwarmEngine>
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex')

async function digests(engine: SwarmEngine, roles: readonly NodeRole[]): Promise<Map<NodeRole, string>> {
  const pairs = await Promise.all(roles.map(async (role) => [role, digest(await engine.joinToken(role))] as const))
  return new Map(pairs)
}

/**
 * Rotates the `roles`' join tokens on the first of `managers` that is an
 * active manager of a swarm (tk.yml's managers in file order). Throws a
 * one-line error when none is, or when the tokens did not change.
 */
export async function rotateJoinTokens(managers: readonly ManagerCandidate[], roles: readonly NodeRole[], options: {dryRun: boolean}): Promise<RotateTokensResult> {
  const skipped: RotateTokensResult['skipped'] = []
  for (const candidate of managers) {
    let engine: SwarmEngine
    try {
      engine = await candidate.engine() // eslint-disable-line no-await-in-loop -- one manager is enough: the next only when this one cannot answer
      const info = await engine.info() // eslint-disable-line no-await-in-loop
      if (info.LocalNodeState !== 'active' || !info.ControlAvailable) {
        skipped.push({target: candidate.name, message: info.LocalNodeState === 'active' ? 'a worker, not a manager' : `its swarm state is ${info.LocalNodeState || 'inactive'}`})
        continue
      }
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      skipped.push({target: candidate.name, message: error.message})
      continue
    }
    const swarm = await engine.inspect() // eslint-disable-line no-await-in-loop
    const result: RotateTokensResult = {dryRun: options.dryRun, manager: candidate.name, swarm: swarm.id, rotated: [...roles], skipped}
    if (options.dryRun) return result
    const before = await digests(engine, roles) // eslint-disable-line no-await-in-loop
    await engine.updateSwarm(swarm, {rotateTokens: {worker: roles.includes('worker'), manager: roles.includes('manager')}}) // eslint-disable-line no-await-in-loop
    const after = await digests(engine, roles) // eslint-disable-line no-await-in-loop
    const unchanged = roles.filter((role) => before.get(role) === after.get(role))
    if (unchanged.length > 0) throw new HostStateError(`${candidate.name}: the engine accepted the rotation but the ${unchanged.join(' and ')} join token${unchanged.length === 1 ? ' is' : 's are'} unchanged`, {hint: 'run tk swarm rotate-tokens again; see the engine\'s log on the manager'})
    return result
  }
  const why = skipped.map((each) => `${each.target}: ${each.message}`).join('; ')
  throw new HostStateError(`no manager of tk.yml's swarm could rotate the join tokens${why ? ` (${why})` : ''}`, {hint: 'run tk up to form the swarm, or bring a manager back'})
}
