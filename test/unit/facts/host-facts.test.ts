/**
 * parseHostFacts on what the facts script really printed on Debian sandbox
 * machines, bare and provisioned (test/fixtures/host-facts/README.md).
 */
import {expect} from 'chai'

import {parseHostFacts, type EngineFacts, type HostFacts} from '../../../src/facts/host-facts.js'
import {hostFactsOutput, HOST_FACTS_OUTPUTS, type HostFactsOutput} from '../../fixtures/host-facts/index.js'

const DEBIAN_UNIT_ARGV = ['/usr/sbin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock']
/** No engine yet: no packages, no unit running (systemd knows docker.service by name only), no group. */
const BARE: EngineFacts = {
  packages: {},
  binaries: {},
  cliPlugins: [],
  service: {active: false, enabled: false, socketActive: false, pid: undefined, startedAt: undefined},
  server: undefined,
  daemon: {dockerdVersion: undefined, canValidate: false, argv: undefined, configText: undefined},
}
const ENGINE_BINARIES = {dockerd: '/usr/sbin/dockerd', docker: '/usr/bin/docker', containerd: '/usr/bin/containerd', runc: '/usr/bin/runc'}
const running = (pid: number, startedAt: string) => ({active: true, enabled: true, socketActive: true, pid, startedAt})
const server = (version: string) => ({version, storageDriver: 'overlay2', images: 0, containers: 0, running: 0, liveRestore: false, rootDir: '/var/lib/docker'})

type Release = {os: HostFacts['os']; bare: HostFactsOutput; engine: HostFactsOutput; provisioned: EngineFacts; dockerGroup: HostFacts['dockerGroup']}

const RELEASES: Release[] = [
  {
    os: {id: 'debian', idLike: [], versionId: '11', codename: 'bullseye', prettyName: 'Debian GNU/Linux 11 (bullseye)'},
    bare: 'bullseye-bare',
    engine: 'bullseye-engine',
    provisioned: {
      packages: {containerd: '1.4.13~ds1-1~deb11u4', 'docker.io': '20.10.5+dfsg1-1+deb11u2', runc: '1.0.0~rc93+ds1-5+deb11u5', tini: '0.19.0-1'},
      binaries: ENGINE_BINARIES,
      cliPlugins: [],
      service: running(493, 'Thu 2026-12-03 18:17:43 UTC'),
      server: server('20.10.5+dfsg1'),
      daemon: {dockerdVersion: '20.10.5+dfsg1', canValidate: false, argv: DEBIAN_UNIT_ARGV, configText: undefined},
    },
    dockerGroup: {gid: 106, members: ['admin']},
  },
  {
    os: {id: 'debian', idLike: [], versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)'},
    bare: 'bookworm-bare',
    engine: 'bookworm-engine',
    provisioned: {
      packages: {containerd: '1.6.20~ds1-1+deb12u3', 'docker.io': '20.10.24+dfsg1-1+deb12u1+b6', runc: '1.1.5+ds1-1+deb12u1', tini: '0.19.0-1+b3'},
      binaries: ENGINE_BINARIES,
      cliPlugins: [],
      service: running(483, 'Thu 2026-12-03 18:17:37 UTC'),
      server: server('20.10.24+dfsg1'),
      daemon: {dockerdVersion: '20.10.24+dfsg1', canValidate: false, argv: DEBIAN_UNIT_ARGV, configText: undefined},
    },
    dockerGroup: {gid: 103, members: ['admin']},
  },
  {
    os: {id: 'debian', idLike: [], versionId: '13', codename: 'trixie', prettyName: 'Debian GNU/Linux 13 (trixie)'},
    bare: 'trixie-bare',
    engine: 'trixie-engine',
    // trixie: docker-cli is its own package, and dockerd 26 can --validate a daemon.json.
    provisioned: {
      packages: {
        containerd: '1.7.24~ds1-6+deb13u1',
        'docker-cli': '26.1.5+dfsg1-9+deb13u1+b1',
        'docker.io': '26.1.5+dfsg1-9+deb13u1+b1',
        runc: '1.1.15+ds1-2+b4',
        tini: '0.19.0-3+b8',
      },
      binaries: ENGINE_BINARIES,
      cliPlugins: [],
      service: running(485, 'Thu 2026-12-03 18:17:39 UTC'),
      server: server('26.1.5+dfsg1'),
      daemon: {dockerdVersion: '26.1.5+dfsg1', canValidate: true, argv: DEBIAN_UNIT_ARGV, configText: undefined},
    },
    dockerGroup: {gid: 102, members: ['admin']},
  },
]

/** What every capture shares: the sandbox's admin over SSH, systemd, apt, and the kernel of the machine that ran them. */
function expectSandboxHost(facts: HostFacts, os: HostFacts['os']): void {
  expect(facts.os).to.deep.equal(os)
  expect({arch: facts.arch, user: facts.user, init: facts.init, packageManager: facts.packageManager}).to.deep.equal({
    arch: 'x86_64',
    user: {name: 'admin', uid: 1000},
    init: 'systemd',
    packageManager: 'apt-get',
  })
  expect(facts.check).to.deep.include({unameRelease: '6.18.44-fc-v1252', unameMachine: 'x86_64', configPath: '/proc/config.gz'})
  expect(facts.check.configBytes?.subarray(0, 2), 'config.gz as read, gzip magic first').to.deep.equal(Buffer.from([0x1f, 0x8b]))
  expect(facts.check.cgroupV1.subsystemDir).to.equal('/sys/fs/cgroup/cpu')
  // The machine's kernel has the rest built in: only these two are modules, loaded.
  expect(facts.loadedModules).to.deep.equal(['overlay', 'bridge'])
}

describe('reading the facts of real Debian hosts (test/fixtures/host-facts)', () => {
  it('has a case for every capture', () => {
    expect(RELEASES.flatMap((release) => [release.bare, release.engine]).sort()).to.deep.equal([...HOST_FACTS_OUTPUTS].sort())
  })

  for (const release of RELEASES) {
    it(`${release.bare}: a ${release.os.codename} host with no engine, no docker group`, () => {
      const facts = parseHostFacts(hostFactsOutput(release.bare))
      expectSandboxHost(facts, release.os)
      expect(facts.engine).to.deep.equal(BARE)
      expect(facts.dockerGroup).to.equal(undefined)
    })

    it(`${release.engine}: ${release.os.codename} after tk provision: the engine's packages, a running enabled unit, the server, dockerd, the login user in the group`, () => {
      const facts = parseHostFacts(hostFactsOutput(release.engine))
      expectSandboxHost(facts, release.os)
      expect(facts.engine).to.deep.equal(release.provisioned)
      expect(facts.dockerGroup).to.deep.equal(release.dockerGroup)
    })
  }

  it('takes the engine section from the engine API when tk asked it over the connection, over what the script printed', () => {
    const facts = parseHostFacts(hostFactsOutput('trixie-engine'), ['server=27.5.1', 'storage=overlay2 images=4 containers=2 running=1 live-restore=true', 'root-dir=/srv/docker'])
    expect(facts.engine.server).to.deep.equal({version: '27.5.1', storageDriver: 'overlay2', images: 4, containers: 2, running: 1, liveRestore: true, rootDir: '/srv/docker'})
  })

  it('refuses an output cut short before the end marker', () => {
    const output = hostFactsOutput('bookworm-engine')
    expect(() => parseHostFacts(output.slice(0, output.indexOf('@@tk:engine-end')))).to.throw(/ended early/)
  })
})
