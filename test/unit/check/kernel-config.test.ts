import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {gzipSync} from 'node:zlib'

import {compareKernel, KernelConfig, parseKernelVersion} from '../../../src/check/kernel-config.js'
import {InputError} from '../../../src/errors/index.js'
import {KERNEL_CONFIGS} from '../../fixtures/kernel-configs/index.js'

describe('KernelConfig', () => {
  it('reads the version and architecture from a Debian config header', () => {
    const config = KernelConfig.fromBytes(readFileSync(KERNEL_CONFIGS.bookworm), 'bookworm')
    expect(config.headerVersion).to.include({major: 6, minor: 1, text: '6.1.176'})
    expect(config.headerArch).to.equal('x86')
  })

  it('tells built-in, module and missing apart', () => {
    const config = KernelConfig.parse('# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_A=y\nCONFIG_B=m\n# CONFIG_C is not set\nCONFIG_D="y"\nCONFIG_E=n\n', 't')
    expect(config.state('A')).to.equal('enabled')
    expect(config.state('B')).to.equal('module')
    expect(config.state('C')).to.equal('missing')
    expect(config.state('D')).to.equal('missing')
    expect(config.state('E')).to.equal('missing')
    expect(config.state('NEVER_MENTIONED')).to.equal('missing')
  })

  it('does not confuse a flag with a longer one that contains its name', () => {
    const config = KernelConfig.parse('CONFIG_IP_NF_NAT=m\nCONFIG_NF_NAT_FTP=y\n', 't')
    expect(config.state('NF_NAT')).to.equal('missing')
    expect(config.state('IP_NF_NAT')).to.equal('module')
  })

  it('reads gzip like /proc/config.gz', () => {
    const text = readFileSync(KERNEL_CONFIGS.trixie)
    const config = KernelConfig.fromBytes(gzipSync(text), 'config.gz')
    expect(config.headerVersion?.text).to.equal('6.12.117')
    expect(config.state('OVERLAY_FS')).to.equal('module')
  })

  const refuses = (bytes: Buffer, pattern: RegExp) => {
    expect(() => KernelConfig.fromBytes(bytes, 'input')).to.throw(InputError, pattern)
  }

  it('refuses an empty file, binary garbage, a truncated gzip and text without CONFIG_ lines', () => {
    refuses(Buffer.alloc(0), /is empty/)
    refuses(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0]), /binary data/)
    const gz = gzipSync(readFileSync(KERNEL_CONFIGS.bookworm))
    refuses(gz.subarray(0, gz.length / 2), /damaged gzip/)
    refuses(Buffer.from('hello\nworld\n'), /no CONFIG_ lines/)
  })

  it('parses and compares kernel versions', () => {
    const version = parseKernelVersion('6.18.44-fc-v769')!
    expect(version).to.include({major: 6, minor: 18, patch: 44})
    expect(compareKernel(version, 6, 18)).to.equal(0)
    expect(compareKernel(version, 6, 2)).to.equal(1)
    expect(compareKernel(parseKernelVersion('3.2')!, 3, 8)).to.equal(-1)
    expect(parseKernelVersion('not-a-version')).to.equal(undefined)
  })
})
