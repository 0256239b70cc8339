/**
 * Debian's copy of moby's check-config.sh (what `apt-get install docker.io`
 * puts on a host) is an oracle for flag states: run on each fixture with
 * `uname -r` shimmed to the fixture's kernel version, it must say for every
 * flag it prints exactly what tk says.
 *
 * It predates moby's 2025-2026 changes, so it cannot see the flags added since
 * (NOT_IN_DEBIANS_COPY below: tk's states for those are proven by
 * check-config-upstream-oracle.test.ts), and it asks for MEMCG_SWAP on every
 * kernel where upstream, and tk, stop at 5.8 (tk still reports its state, as
 * a note, so the states are compared here too). Its exit code is not
 * compared: it counts optional features, which upstream no longer does.
 */
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {checkConfigFile} from '../../src/check/index.js'
import {KERNEL_CONFIGS} from '../fixtures/kernel-configs/index.js'

const ORACLE = '/usr/share/docker.io/contrib/check-config.sh'
const WORDS: Record<string, string> = {enabled: 'enabled', 'enabled (as module)': 'module', missing: 'missing'}
/** Flags tk reports that Debian's copy does not print at all: moby added them after it was packaged. */
const NOT_IN_DEBIANS_COPY = [
  'IP_NF_MANGLE',
  'IP6_NF_FILTER',
  'IP6_NF_MANGLE',
  'IP6_NF_TARGET_MASQUERADE',
  'IP_NF_RAW',
  'IP6_NF_RAW',
  'IP6_NF_NAT',
  'CGROUP_BPF',
  'SECCOMP_FILTER',
  'IP_SCTP',
  'SECURITY_SELINUX',
  'SECURITY_APPARMOR',
  'NFT_CT',
  'NFT_FIB_IPV4',
  'NFT_FIB_IPV6',
  'NFT_FIB',
  'NFT_MASQ',
  'NFT_NAT',
  'NF_TABLES',
  'NETFILTER_XT_MATCH_BPF',
]

/** Runs the oracle with uname -r reporting `release`; returns flag -> state. */
function runOracle(configPath: string, release: string, shimDir: string): Map<string, string> {
  const shim = join(shimDir, 'uname')
  writeFileSync(shim, `#!/bin/sh\nif [ "$1" = "-r" ]; then echo ${release}; else exec /bin/uname "$@"; fi\n`)
  chmodSync(shim, 0o755)
  const result = spawnSync('bash', [ORACLE, configPath], {env: {...process.env, PATH: `${shimDir}:${process.env.PATH}`}, encoding: 'utf8'})
  // eslint-disable-next-line no-control-regex
  const plain = result.stdout.replaceAll(/\u001B\[[0-9;]*m/g, '')
  const states = new Map<string, string>()
  for (const match of plain.matchAll(/CONFIG_([A-Z0-9_]+): (enabled \(as module\)|enabled|missing)$/gm)) {
    states.set(match[1], WORDS[match[2]])
  }
  return states
}

describe("check-config.sh (Debian's copy) as the oracle for flag states", function () {
  this.timeout(120_000)
  let shimDir: string

  before(function () {
    if (!existsSync(ORACLE)) {
      throw new Error(`${ORACLE} is missing: install docker.io (apt-get install docker.io), as .ci/run does`)
    }
    shimDir = mkdtempSync(join(tmpdir(), 'tk-oracle-'))
  })

  after(() => rmSync(shimDir, {recursive: true, force: true}))

  for (const [name, path] of Object.entries(KERNEL_CONFIGS)) {
    it(`agrees on every flag of ${name}`, async () => {
      const report = await checkConfigFile(path)
      const oracle = runOracle(path, report.kernel.version, shimDir)
      expect(oracle.size, 'the oracle printed no flags').to.be.greaterThan(60)
      const tk = new Map(report.checks.filter((check) => check.kind === 'flag').map((check) => [check.id.replace(/^CONFIG_/, ''), check.state]))
      const disagreements: string[] = []
      for (const [flag, state] of oracle) {
        if (tk.get(flag) !== state) disagreements.push(`${flag}: check-config.sh says ${state}, tk says ${tk.get(flag) ?? 'nothing'}`)
      }
      expect(disagreements).to.deep.equal([])
      // What it cannot see: exactly the flags moby added since (64BIT is tk's own).
      const unseen = [...tk.keys()].filter((flag) => !oracle.has(flag) && flag !== '64BIT' && !flag.startsWith('LEGACY_VSYSCALL'))
      expect(unseen).to.have.members(NOT_IN_DEBIANS_COPY)
    })
  }
})
