/**
 * moby's current check-config.sh (the revision stored in
 * test/fixtures/check-config-upstream/, Apache-2.0, a test oracle only) is the
 * oracle for what tk check follows: on every fixture config, on configs made
 * from them to show each exit code difference, and on the running kernel,
 *   - every CONFIG flag it prints, tk reports with the same state;
 *   - tk reports no flag it does not print, beyond the ones docs/check.md lists;
 *   - its exit code and tk's agree, or differ only by a difference docs/check.md
 *     lists, and the test names which.
 */
import {expect} from 'chai'
import {spawn, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {UPSTREAM_REVISION} from '../../src/check/flags.js'
import {checkConfigFile, checkHost, type CheckReport} from '../../src/check/index.js'
import {LocalHost} from '../../src/transport/local-host.js'
import {KERNEL_CONFIGS} from '../fixtures/kernel-configs/index.js'

const ORACLE_DIR = new URL('../fixtures/check-config-upstream/', import.meta.url)
const ORACLE = fileURLToPath(new URL('check-config.sh', ORACLE_DIR))
/** grep itself stands in for zgrep (same arguments, same answer on plain text): no shell in between. */
const GREP = ['/usr/bin/grep', '/bin/grep'].find((path) => existsSync(path)) ?? '/bin/grep'
const WORDS: Record<string, string> = {enabled: 'enabled', 'enabled (as module)': 'module', missing: 'missing'}

/**
 * Necessary flags tk only warns about (docs/check.md, "Deliberate differences"):
 * check-config.sh exits 1 without them, tk passes.
 */
const WARN_IN_TK = new Set([
  'NETFILTER_XT_MATCH_IPVS',
  'NETFILTER_XT_MARK',
  'IP_NF_MANGLE',
  'IP_NF_RAW',
  'IP6_NF_FILTER',
  'IP6_NF_MANGLE',
  'IP6_NF_TARGET_MASQUERADE',
  'IP6_NF_RAW',
  'IP6_NF_NAT',
])
/** What tk fails and check-config.sh does not check at all. */
const FAIL_IN_TK_ONLY = new Set(['CONFIG_64BIT', 'architecture', 'kernel-version', 'storage-driver'])
/** Flags tk reports that this revision does not print: Debian's copy's legacy ones, 64BIT, and the MEMCG_SWAP note. */
const EXTRA_IN_TK = new Set(['64BIT', 'AUFS_FS', 'BLK_DEV_DM', 'DM_THIN_PROVISIONING', 'RT_GROUP_SCHED', 'MEMCG_SWAP'])

interface OracleRun {
  flags: Map<string, string>
  /** What made it exit 1, as it sets its exit code: the necessary section's failures and the limits. */
  reasons: string[]
  sysctls: Map<string, string>
  exit: number
}

function runOracle(args: string[], env: NodeJS.ProcessEnv): OracleRun {
  const result = spawnSync('sh', [ORACLE, ...args], {env: {...process.env, NO_COLOR: '1', ...env}, encoding: 'utf8'})
  return readOracle(result.stdout, result.status ?? -1)
}

/** The same, without blocking: two runs at a time halve the longest test on two cores. */
function runOracleAsync(args: string[], env: NodeJS.ProcessEnv): Promise<OracleRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [ORACLE, ...args], {env: {...process.env, NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'ignore']})
    let stdout = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve(readOracle(stdout, code ?? -1)))
  })
}

function readOracle(stdout: string, exit: number): OracleRun {
  // eslint-disable-next-line no-control-regex
  const plain = stdout.replaceAll(/\u001B\[[0-9;]*m/g, '')
  const flags = new Map<string, string>()
  for (const match of plain.matchAll(/CONFIG_([A-Z0-9_]+): (enabled \(as module\)|enabled|missing)$/gm)) flags.set(match[1], WORDS[match[2]])
  const sysctls = new Map<string, string>()
  for (const match of plain.matchAll(/sysctl (\S+): (enabled|disabled)$/gm)) sysctls.set(match[1], match[2])

  // Only "Generally Necessary" and "Limits" reach its exit code: the optional
  // section's result is thrown away, and the network and storage checks run in
  // pipeline subshells.
  const necessary = plain.slice(plain.indexOf('Generally Necessary:'), plain.indexOf('Optional Features:'))
  const reasons = [...necessary.matchAll(/CONFIG_([A-Z0-9_]+): missing$/gm)].map((match) => `CONFIG_${match[1]}`)
  if (/cgroup hierarchy: (single mountpoint!|nonexistent\?\?)/.test(necessary)) reasons.push('cgroup-hierarchy')
  if (/apparmor: enabled, but apparmor_parser missing/.test(necessary)) reasons.push('apparmor')
  const maxKeys = /root_maxkeys: (\d+)$/m.exec(plain.slice(plain.indexOf('Limits:')))
  if (maxKeys && Number(maxKeys[1]) <= 10_000) reasons.push('root-maxkeys')
  return {flags, reasons, sysctls, exit}
}

/**
 * Compares one run with tk's report. Returns the documented differences that
 * decided the exit codes; throws on anything else.
 */
function compare(oracle: OracleRun, report: CheckReport): string[] {
  const tkFlags = new Map(report.checks.filter((check) => check.kind === 'flag').map((check) => [check.id.replace(/^CONFIG_/, ''), check.state]))
  const problems: string[] = []
  for (const [flag, state] of oracle.flags) {
    if (tkFlags.get(flag) !== state) problems.push(`${flag}: check-config.sh says ${state}, tk says ${tkFlags.get(flag) ?? 'nothing'}`)
  }
  for (const flag of tkFlags.keys()) {
    if (!oracle.flags.has(flag) && !EXTRA_IN_TK.has(flag) && !flag.startsWith('LEGACY_VSYSCALL')) problems.push(`${flag}: tk reports it, check-config.sh does not`)
  }

  const byId = new Map(report.checks.map((check) => [check.id, check]))
  const configFile = report.mode === 'config-file'
  const differences: string[] = []
  for (const reason of oracle.reasons) {
    const tk = byId.get(reason)
    if (tk?.status === 'fail') continue
    const flag = reason.replace(/^CONFIG_/, '')
    if (WARN_IN_TK.has(flag)) differences.push(`${reason}: check-config.sh fails, tk warns`)
    else if (tk && tk.kind === 'flag' && !tk.required) differences.push(`${reason}: check-config.sh fails, tk does not need it under cgroup v${report.cgroup.version}`)
    else if (reason === 'root-maxkeys' && tk?.status === 'warn') differences.push(`${reason}: check-config.sh fails, tk warns`)
    else if (configFile && tk?.status === 'n/a') differences.push(`${reason}: check-config.sh reads this machine, tk says n/a for a config file`)
    else problems.push(`${reason}: check-config.sh fails, tk says ${tk?.status ?? 'nothing'}`)
  }
  for (const check of report.checks.filter((item) => item.status === 'fail' && !oracle.reasons.includes(item.id))) {
    if (FAIL_IN_TK_ONLY.has(check.id)) differences.push(`${check.id}: tk fails, check-config.sh ${check.id === 'storage-driver' ? 'exits 0 without a storage driver' : 'does not check it'}`)
    else problems.push(`${check.id}: tk fails, check-config.sh does not`)
  }

  // Its exit code is what its failures say (else this model of it is out of date) ...
  expect(oracle.exit, `check-config.sh exited ${oracle.exit}; its failures: ${oracle.reasons.join(', ') || 'none'}`).to.equal(oracle.reasons.length > 0 ? 1 : 0)
  // ... and tk's differs only where a documented difference decided it.
  const tkExit = report.verdict === 'pass' ? 0 : 1
  if (tkExit !== oracle.exit && differences.length === 0) problems.push(`exit codes: check-config.sh ${oracle.exit}, tk ${tkExit}, and no documented difference explains it`)
  expect(problems).to.deep.equal([])
  return differences
}

/** What moby added in 2025: SCTP and the nftables backend's flags. */
const NEW_FLAGS = ['IP_SCTP', 'NFT_CT', 'NFT_FIB_IPV4', 'NFT_FIB_IPV6', 'NFT_FIB', 'NFT_MASQ', 'NFT_NAT', 'NF_TABLES']

/** Differences that depend on the machine the test runs on, not on the config. */
const onThisMachine = (difference: string) => difference.includes('reads this machine')

describe(`check-config.sh at moby ${UPSTREAM_REVISION.commit.slice(0, 12)} (${UPSTREAM_REVISION.date}) as the oracle for tk check`, function () {
  this.timeout(120_000)
  let shimDir: string
  let work: string

  /** uname -r as the config's kernel; zgrep as grep, which gives the same answer on plain-text configs in a fraction of the time. */
  const fixtureEnv = (release: string): NodeJS.ProcessEnv => {
    const dir = join(shimDir, release)
    mkdirSync(dir, {recursive: true})
    writeFileSync(join(dir, 'uname'), `#!/bin/sh\nif [ "$1" = "-r" ]; then echo ${release}; else exec /bin/uname "$@"; fi\n`)
    chmodSync(join(dir, 'uname'), 0o755)
    if (!existsSync(join(dir, 'zgrep'))) symlinkSync(GREP, join(dir, 'zgrep'))
    return {PATH: `${dir}:${process.env.PATH}`}
  }

  before(() => {
    shimDir = mkdtempSync(join(tmpdir(), 'tk-upstream-oracle-'))
    work = mkdtempSync(join(tmpdir(), 'tk-upstream-configs-'))
  })

  after(() => {
    rmSync(shimDir, {recursive: true, force: true})
    rmSync(work, {recursive: true, force: true})
  })

  it('is the revision src/check/flags.ts names', () => {
    const readme = readFileSync(new URL('README.md', ORACLE_DIR), 'utf8')
    expect(readme).to.contain(UPSTREAM_REVISION.commit)
    expect(readme).to.contain(UPSTREAM_REVISION.date)
  })

  /** For each fixture, the exit code differences that follow from the config alone. */
  const expected: Record<keyof typeof KERNEL_CONFIGS, string[]> = {
    bullseye: [],
    bookworm: [],
    trixie: [],
    bookworm686: ['CONFIG_64BIT: tk fails, check-config.sh does not check it'],
  }
  for (const [name, path] of Object.entries(KERNEL_CONFIGS) as Array<[keyof typeof KERNEL_CONFIGS, string]>) {
    it(`agrees on every flag of ${name}, and on the exit code but for ${expected[name].length === 0 ? 'nothing' : expected[name].join('; ')}`, async () => {
      const report = await checkConfigFile(path)
      const oracle = runOracle([path], fixtureEnv(report.kernel.version))
      expect(oracle.flags.size, 'the oracle printed no flags').to.be.greaterThan(60)
      expect(compare(oracle, report).filter((difference) => !onThisMachine(difference))).to.deep.equal(expected[name])
      // The 2025 additions, as the real config has them (all four Debian kernels build them as modules) ...
      const text = readFileSync(path, 'utf8')
      for (const flag of NEW_FLAGS) {
        const value = new RegExp(`^CONFIG_${flag}=([ym])$`, 'm').exec(text)?.[1]
        expect(oracle.flags.get(flag), flag).to.equal(value === 'm' ? 'module' : value === 'y' ? 'enabled' : 'missing')
      }
      // ... and from 5.8 neither swap flag.
      expect(oracle.flags.has('MEMCG_SWAP') || oracle.flags.has('MEMCG_SWAP_ENABLED')).to.equal(false)
    })
  }

  /** A fixture config with some flags switched off, written where the oracle can read it. */
  const edited = (drop: string[]): string => {
    let text = readFileSync(KERNEL_CONFIGS.bookworm, 'utf8')
    for (const flag of drop) text = text.replace(new RegExp(`^CONFIG_${flag}=.*$`, 'm'), `# CONFIG_${flag} is not set`)
    const path = join(work, `bookworm-without-${drop.join('-')}.config`)
    writeFileSync(path, text)
    return path
  }

  it('gates flags on the kernel version exactly where it does, on each side of every gate', async function () {
    this.timeout(300_000)
    // Each pair straddles one of its version tests (NETPRIO_CGROUP, RESOURCE_COUNTERS,
    // MEMCG_KMEM, DEVPTS_MULTIPLE_INSTANCES, CGROUP_BPF, the CFQ flags, NF_NAT_IPV4,
    // NF_NAT_NEEDED, INET_XFRM_MODE_TRANSPORT, the swap flags), on bookworm's config
    // relabelled with that version.
    const versions = ['3.13', '3.14', '3.18', '3.19', '4.5', '4.6', '4.7', '4.8', '4.14', '4.15', '4.19', '5.0', '5.1', '5.2', '5.3', '5.4', '5.7', '5.8']
    const text = readFileSync(KERNEL_CONFIGS.bookworm, 'utf8')
    const atVersion = async (version: string) => {
      const path = join(work, `bookworm-as-${version}.config`)
      writeFileSync(path, text.replace(/^# Linux\/x86 .* Kernel Configuration$/m, `# Linux/x86 ${version}.0 Kernel Configuration`))
      const [report, oracle] = await Promise.all([checkConfigFile(path), runOracleAsync([path], fixtureEnv(`${version}.0`))])
      try {
        compare(oracle, report)
      } catch (error) {
        throw new Error(`at ${version}: ${(error as Error).message}`)
      }
    }
    for (let index = 0; index < versions.length; index += 2) {
      // eslint-disable-next-line no-await-in-loop -- two at a time, one per core
      await Promise.all(versions.slice(index, index + 2).map(atVersion))
    }
  })

  it('exits 1 where tk passes on a kernel without IPVS matching or IPv6 netfilter (tk warns)', async () => {
    const path = edited(['NETFILTER_XT_MATCH_IPVS', 'IP6_NF_FILTER'])
    const report = await checkConfigFile(path)
    const oracle = runOracle([path], fixtureEnv(report.kernel.version))
    expect(oracle.exit).to.equal(1)
    expect(report.verdict).to.equal('pass')
    expect(compare(oracle, report).filter((difference) => !onThisMachine(difference))).to.deep.equal([
      'CONFIG_IP6_NF_FILTER: check-config.sh fails, tk warns',
      'CONFIG_NETFILTER_XT_MATCH_IPVS: check-config.sh fails, tk warns',
    ])
  })

  it('exits 0 where tk fails on a kernel without any current storage driver', async function () {
    const path = edited(['OVERLAY_FS', 'BTRFS_FS'])
    const report = await checkConfigFile(path)
    const oracle = runOracle([path], fixtureEnv(report.kernel.version))
    expect(report.verdict).to.equal('fail')
    const differences = compare(oracle, report)
    expect(differences.filter((difference) => !onThisMachine(difference))).to.deep.equal(['storage-driver: tk fails, check-config.sh exits 0 without a storage driver'])
    // Where this machine makes it fail on its own (its cgroups, say), the exit codes agree by chance.
    if (!differences.some(onThisMachine)) expect(oracle.exit).to.equal(0)
  })

  it('agrees on the running kernel: every flag, the forwarding sysctls, and the exit code but for documented differences', async function () {
    const report = await checkHost(new LocalHost()).catch(() => undefined)
    if (!report) this.skip() // no kernel config on this machine: nothing to compare
    // The real uname and zgrep: this is the machine's own kernel and its (often gzipped) config.
    const oracle = runOracle([report.kernel.configSource], {})
    const differences = compare(oracle, report)
    for (const [name, state] of oracle.sysctls) {
      const tk = report.checks.find((check) => check.id === name)
      expect(tk?.state === 'unreadable' ? 'disabled' : tk?.state, name).to.equal(state)
      expect(tk?.status).to.not.equal('fail')
    }
    for (const name of ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv6.conf.default.forwarding']) {
      expect(report.checks.find((check) => check.id === name)?.state, name).to.be.oneOf(['enabled', 'disabled', 'unreadable'])
    }
    // Whatever this machine's kernel lacks, each difference is one docs/check.md lists.
    for (const difference of differences) expect(difference).to.match(/tk warns|tk does not need it|tk fails, check-config.sh (does not check it|exits 0)/)
  })
})
