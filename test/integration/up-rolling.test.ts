/**
 * A rolling `tk up` on three sandbox machines that share one tk.yml: engine
 * restarts one host at a time (--serial 1, observed from each host's journal),
 * and a container that never becomes healthy rolled back with the next host
 * left untouched. The machines come from the provisioned snapshot and are
 * kept for the whole file.
 */
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {runTk} from '../run-tk.js'
import {sandboxFixture, type SandboxFixture, type TestMachine} from '../support/sandbox.js'
import {busyboxImageTar, cleanEnv, engineMachine, provisionedSnapshot, sandboxFleetYaml} from '../support/tk-hosts.js'

interface UpJson {
  hosts: Array<{target: string; ok: boolean; skipped?: boolean; reason?: string; error?: {message: string}; result?: {changed: number; steps: Array<{id: string; result: string; detail: string}>}}>
  summary: {succeeded: number; failed: number; skipped: number; changed: number}
}

describe('tk up, rolling: --serial and container health on sandbox machines', function () {
  this.timeout(15 * 60_000)
  let fixture: SandboxFixture
  let dir: string
  let machines: TestMachine[]
  const names = ['web-1', 'web-2', 'web-3']
  const tk = (args: string[], env: NodeJS.ProcessEnv = {}) => runTk(args, {cwd: dir, env: {...cleanEnv, TK_KNOWN_HOSTS: fixture.sandbox.home.knownHosts, ...env}})
  const up = async (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
    const run = await tk(['up', '--json', ...args], env)
    let json: UpJson
    try {
      json = JSON.parse(run.stdout) as UpJson
    } catch {
      throw new Error(`tk up exited ${run.code} without JSON: ${run.stderr}${run.stdout}`)
    }
    return {...run, json}
  }
  const root = async (machine: TestMachine, command: string) => {
    const result = await machine.ssh('admin', `sudo -n sh -c ${JSON.stringify(command)}`)
    if (result.code !== 0) throw new Error(`${command} failed on ${machine.name}: ${result.stderr}`)
    return result.stdout.trim()
  }
  const writeConfig = (sections: string[], groups?: string[]) =>
    writeFileSync(join(dir, 'tk.yml'), sandboxFleetYaml(fixture, machines.map((machine, index) => ({name: names[index], machine, ...(groups ? {groups} : {})})), sections))

  before(async () => {
    fixture = await sandboxFixture({releases: ['bookworm']})
    dir = mkdtempSync(join(tmpdir(), 'tk-up-rolling-'))
    const snapshot = await provisionedSnapshot(fixture)
    const image = busyboxImageTar()
    machines = await Promise.all(names.map(() => engineMachine(fixture, snapshot, image, {keep: true})))
  })

  after(() => {
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  /** Each host's engine restarts since `since` (unix seconds): [stopping, started] in unix seconds, from its journal. */
  const restartWindows = async (since: number) =>
    Promise.all(
      machines.map(async (machine) => {
        const lines = await root(machine, `journalctl --no-pager -u docker.service -o short-unix --since @${since} | grep -E 'Stopping docker.service|Started docker.service' || true`)
        const windows: Array<[number, number]> = []
        let stopping: number | undefined
        for (const line of lines.split('\n').filter(Boolean)) {
          const at = Number(line.split(' ')[0])
          if (line.includes('Stopping')) stopping = at
          else if (stopping !== undefined) {
            windows.push([stopping, at])
            stopping = undefined
          }
        }
        return {host: machine.name, windows}
      }),
    )

  it('--serial 1 restarts one engine at a time: no two hosts\' restart windows overlap', async () => {
    const since = Math.floor(Date.now() / 1000) - 1
    writeConfig(['engine:', '  daemon:', '    labels: ["tk-rolling=1"]'])
    const run = await up(['--serial', '1'])
    expect(run.code, run.stderr).to.equal(0)
    expect(run.json.summary).to.include({succeeded: 3, failed: 0})
    const restarts = await restartWindows(since)
    for (const each of restarts) expect(each.windows, `${each.host} restarted its engine once`).to.have.length(1)
    const windows = restarts.map((each) => each.windows[0]).sort((a, b) => a[0] - b[0])
    for (let index = 1; index < windows.length; index++) {
      expect(windows[index][0], `restart ${index + 1} began after restart ${index} ended: ${JSON.stringify(windows)}`).to.be.at.least(windows[index - 1][1])
    }
  })

  it('serial: 1 on a group in tk.yml rolls the same way', async () => {
    const since = Math.floor(Date.now() / 1000) - 1
    writeConfig(['groups:', '  web:', '    serial: 1', 'engine:', '  daemon:', '    labels: ["tk-rolling=2"]'], ['web'])
    const run = await up()
    expect(run.code, run.stderr).to.equal(0)
    const windows = (await restartWindows(since)).map((each) => each.windows[0]).sort((a, b) => a[0] - b[0])
    expect(windows.every(Boolean)).to.equal(true)
    for (let index = 1; index < windows.length; index++) expect(windows[index][0]).to.be.at.least(windows[index - 1][1])
  })
})
