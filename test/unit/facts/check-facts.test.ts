import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {firstCgroupV1Mount, gatherCheckFacts, parseFactsScriptOutput, parseOsRelease} from '../../../src/facts/check-facts.js'
import {checkHost, checkHostWithScript} from '../../../src/check/index.js'
import type {Host, PathStat, RunResult} from '../../../src/transport/host.js'
import {LocalHost} from '../../../src/transport/local-host.js'
import {InputError} from '../../../src/errors/index.js'
import {KERNEL_CONFIGS} from '../../fixtures/kernel-configs/index.js'
import {hostScript} from '../../../src/transport/host-scripts.js'

/** A host made of a map of files: only for the discovery order, which a real host cannot vary. */
class FileMapHost implements Host {
  readonly name = 'fake'
  readonly reads: string[] = []
  constructor(private readonly files: Record<string, string | Buffer>) {}
  async run(script: string): Promise<RunResult> {
    if (script === 'uname -r; uname -m') return {code: 0, stdout: '6.1.0-28-amd64\nx86_64\n', stderr: ''}
    return {code: 127, stdout: '', stderr: 'not supported by the fake'}
  }
  async readFile(path: string) {
    this.reads.push(path)
    const content = this.files[path]
    return content === undefined ? undefined : Buffer.from(content)
  }
  async stat(path: string): Promise<PathStat | undefined> {
    return this.files[path] === undefined ? undefined : {type: 'file', size: 0, mode: 0o644}
  }
  async hasCommand(): Promise<boolean> {
    return false
  }
  async close(): Promise<void> {}
}

const bookworm = readFileSync(KERNEL_CONFIGS.bookworm)
const trixie = readFileSync(KERNEL_CONFIGS.trixie)

describe('finding the kernel config on a host', () => {
  it('prefers /proc/config.gz, then /boot/config-$(uname -r), then /usr/src', async () => {
    const all = {'/proc/config.gz': bookworm, '/boot/config-6.1.0-28-amd64': trixie, '/usr/src/linux/.config': trixie}
    expect((await gatherCheckFacts(new FileMapHost(all), false)).configPath).to.equal('/proc/config.gz')
    const noProc = {'/boot/config-6.1.0-28-amd64': trixie, '/usr/src/linux-6.1.0-28-amd64/.config': bookworm, '/usr/src/linux/.config': bookworm}
    expect((await gatherCheckFacts(new FileMapHost(noProc), false)).configPath).to.equal('/boot/config-6.1.0-28-amd64')
    const srcOnly = {'/usr/src/linux-6.1.0-28-amd64/.config': bookworm, '/usr/src/linux/.config': trixie}
    expect((await gatherCheckFacts(new FileMapHost(srcOnly), false)).configPath).to.equal('/usr/src/linux-6.1.0-28-amd64/.config')
    const last = {'/usr/src/linux/.config': trixie}
    expect((await gatherCheckFacts(new FileMapHost(last), false)).configPath).to.equal('/usr/src/linux/.config')
  })

  it('says where it looked when no config is found', async () => {
    try {
      await checkHost(new FileMapHost({'/etc/os-release': 'ID=debian\n'}))
      expect.fail('no error')
    } catch (error) {
      expect(error).to.be.instanceOf(InputError)
      expect((error as Error).message).to.equal(
        'no kernel config found on fake: looked in /proc/config.gz, /boot/config-6.1.0-28-amd64, /usr/src/linux-6.1.0-28-amd64/.config, /usr/src/linux/.config',
      )
      expect((error as InputError).hint).to.contain('--kernel-config')
    }
  })
})

describe('the one-round-trip facts script', () => {
  it('gives the same verdict on every check as the host-interface path, on this machine', async function () {
    const host = new LocalHost()
    const script = await hostScript('check-facts.sh')
    const viaScript = await checkHostWithScript(host, script)
    const viaHost = await checkHost(host)
    expect(viaScript.checks).to.deep.equal(viaHost.checks)
    expect(viaScript.cgroup).to.deep.equal(viaHost.cgroup)
    expect(viaScript.kernel).to.deep.equal(viaHost.kernel)
    expect(viaScript.os).to.deep.equal(viaHost.os)
  })

  it('reads the key limit and the forwarding sysctls from one grep -H section; a sysctl without a line is unreadable', () => {
    const facts = parseFactsScriptOutput(
      '@@tk:uname\n6.1.0\nx86_64\n@@tk:sysctls\n/proc/sys/kernel/keys/root_maxkeys:1000000\n/proc/sys/net/ipv4/ip_forward:0\n@@tk:end\n',
    )
    expect(facts.rootMaxKeys).to.equal('1000000')
    expect(facts.sysctls).to.deep.equal({'net.ipv4.ip_forward': '0'})
  })

  it('refuses output that was cut short', () => {
    expect(() => parseFactsScriptOutput('@@tk:uname\n6.1.0\nx86_64\n')).to.throw(/ended early/)
  })
})

describe('small parsers', () => {
  it('picks the first cgroup v1 mount of a main subsystem, as check-config.sh does', () => {
    const mounts = 'cgroup /sys/fs/cgroup/systemd cgroup rw,name=systemd 0 0\ncgroup /sys/fs/cgroup/blkio cgroup rw,blkio 0 0\ncgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\n'
    expect(firstCgroupV1Mount(mounts)).to.equal('/sys/fs/cgroup/cpu,cpuacct')
    expect(firstCgroupV1Mount('cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n')).to.equal(undefined)
  })

  it('reads os-release values with and without quotes', () => {
    expect(parseOsRelease('ID=debian\nVERSION_ID="12"\nNAME=\'Debian\'\n# comment\n')).to.deep.equal({ID: 'debian', VERSION_ID: '12', NAME: 'Debian'})
  })
})
