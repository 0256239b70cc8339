import {expect} from 'chai'

import {parseKernelFacts, planKernel, type KernelFacts} from '../../../src/upgrade/kernel.js'

describe('tk upgrade --kernel: which newer kernel', () => {
  const bookworm: KernelFacts = {id: 'debian', codename: 'bookworm', version: '12', kernel: '6.1.0-28-amd64', arch: 'amd64', bootloader: 'grub', mirror: 'http://deb.debian.org/debian', backports: false}

  it('reads what kernel-facts.sh prints', () => {
    const facts = parseKernelFacts('id debian\ncodename bookworm\nversion 12\nkernel 6.1.0-28-cloud-amd64\narch amd64\ncontainer docker\nbootloader none\nmirror http://deb.debian.org/debian\nbackports no\n')
    expect(facts).to.deep.equal({id: 'debian', codename: 'bookworm', version: '12', kernel: '6.1.0-28-cloud-amd64', arch: 'amd64', container: 'docker', bootloader: 'none', mirror: 'http://deb.debian.org/debian', backports: false})
    expect(parseKernelFacts('container no\nmirror none\n')).to.include({container: undefined, mirror: undefined})
  })

  it("on Debian, the backports metapackage of the running kernel's flavour, adding the suite when the host lacks it", () => {
    expect(planKernel(bookworm)).to.deep.equal({action: 'install', package: 'linux-image-amd64', suite: 'bookworm-backports', mirror: 'http://deb.debian.org/debian', addSource: true})
    const flavours: Array<[string, string]> = [
      ['6.1.0-28-cloud-amd64', 'linux-image-cloud-amd64'],
      ['6.1.0-28-rt-amd64', 'linux-image-rt-amd64'],
      ['6.1.0-28-686-pae', 'linux-image-686-pae'],
      ['6.1.0-28-arm64', 'linux-image-arm64'],
      ['6.12.48+deb12-amd64', 'linux-image-amd64'],
    ]
    for (const [kernel, pkg] of flavours) expect(planKernel({...bookworm, kernel}), kernel).to.include({package: pkg})
    expect(planKernel({...bookworm, backports: true})).to.include({addSource: false})
  })

  it('says there is none where backports are gone (bullseye), for a kernel not of Debian, or without a mirror', () => {
    expect(planKernel({...bookworm, codename: 'bullseye'})).to.deep.equal({action: 'none', reason: 'Debian bullseye has no newer kernel: its backports suite is no longer published'})
    expect(planKernel({...bookworm, kernel: '6.8.0-custom'})).to.include({action: 'none'})
    // A container runs its host's kernel, whatever its name: the architecture's usual flavour.
    expect(planKernel({...bookworm, kernel: '6.18.44-fc-v1252', container: 'docker'})).to.include({package: 'linux-image-amd64'})
    expect(planKernel({...bookworm, mirror: undefined})).to.include({action: 'none'})
    expect(planKernel({...bookworm, id: 'alpine'})).to.include({action: 'none'})
  })

  it('on Ubuntu LTS, the HWE metapackage; none for interim releases', () => {
    expect(planKernel({...bookworm, id: 'ubuntu', codename: 'jammy', version: '22.04', kernel: '5.15.0-91-generic', mirror: 'http://archive.ubuntu.com/ubuntu'})).to.include({package: 'linux-generic-hwe-22.04', suite: 'jammy', addSource: false})
    expect(planKernel({...bookworm, id: 'ubuntu', codename: 'oracular', version: '24.10'})).to.include({action: 'none'})
  })
})
