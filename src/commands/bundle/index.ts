import * as Flags from '@oclif/core/flags'

import {TkCommand} from '../../cli/base-command.js'
import type {BundleBuilt} from '../../bundle/build.js'
import {exitCodeTable} from '../../errors/exit-codes.js'
import {repositoryFlags, repositoryRequest} from '../../cli/repository-flags.js'
import {UsageError} from '../../errors/index.js'

export default class Bundle extends TkCommand {
  static override summary = 'Make an offline bundle of the engine: one signed file to install with no network on the host.'

  static override description = `On a machine that reaches Debian's archive (deb.debian.org): apt, in a private root under ~/.cache/tk/bundle/ (none of this machine's own apt configuration), reads the release's own package indexes for the architecture, works out what the engine (docker.io, containerd, runc, tini, apparmor; docker-cli on trixie) needs beyond a minimal install of the release (debootstrap's minbase: Priority: required and apt) and downloads it. tk writes one file: a flat apt repository of those packages, its index signed, and a signed manifest with the sha256 of every file. No machine of that release or architecture is needed.

With --method docker, Docker's apt repository (or a mirror: --repository; its key trusted only with the expected fingerprint, Docker's by default) is read in the same private root beside the release's archive: the bundle holds docker-ce, docker-ce-cli, containerd.io and the plugins Docker's own install puts in for that version (docker-compose-plugin from 20.10, so compose comes with the engine; buildx from 23.0), at the newest version within --engine-version, and every dependency from the release's archive. A host installs them pinned (/etc/apt/preferences.d/tk-docker-engine) as tk provision --method docker does.

The signing key is tk's own (made on first use, kept 0600 in ~/.config/tk/bundle-key.asc) or yours (--key FILE, an armored OpenPGP private key; TK_BUNDLE_KEY_PASSPHRASE unlocks a protected one). Install it with tk provision HOST --bundle FILE or engine.bundle in tk.yml. Needs apt-get, apt-cache and debian-archive-keyring on this machine. See docs/offline.md.

Exit codes:
${exitCodeTable(['OK', 'USAGE', 'INPUT', 'ENVIRONMENT'])}`

  static override examples = [
    {description: 'Bookworm on x86-64', command: '<%= config.bin %> <%= command.id %> --release bookworm --arch amd64 -o engine-bookworm-amd64.tkb'},
    {description: 'Trixie on ARM, an engine of the 26 series', command: '<%= config.bin %> <%= command.id %> --release trixie --arch arm64 --engine-version "^26" -o engine-trixie-arm64.tkb'},
    {description: "Docker's engine (docker-ce 28.x) from Docker's repository, with compose", command: '<%= config.bin %> <%= command.id %> --release bookworm --arch amd64 --method docker --engine-version "^28" -o docker-ce-bookworm-amd64.tkb'},
    {description: "Docker's engine from a mirror of Docker's repository", command: '<%= config.bin %> <%= command.id %> --release trixie --arch amd64 --method docker --repository tuna -o docker-ce-trixie-amd64.tkb'},
    {description: 'Signed with your own key', command: '<%= config.bin %> <%= command.id %> --release bookworm --arch amd64 --key ./bundle-signing-key.asc -o engine-bookworm-amd64.tkb'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    release: Flags.string({summary: 'The Debian release of the hosts: bullseye, bookworm or trixie.', required: true, helpValue: 'RELEASE'}),
    arch: Flags.string({summary: 'The hosts\' architecture as Debian names it: amd64 or arm64.', required: true, helpValue: 'ARCH'}),
    method: Flags.option({options: ['distro', 'docker'] as const, summary: 'Whose packages: distro (Debian\'s docker.io) or docker (docker-ce & co. from Docker\'s repository or a mirror of it).', default: 'distro'})(),
    ...repositoryFlags('--method docker', 'before anything is fetched'),
    'engine-version': Flags.string({summary: 'The newest engine whose upstream version is within this semver range, e.g. "^20".', helpValue: 'RANGE'}),
    key: Flags.string({summary: 'Sign with this armored OpenPGP private key instead of tk\'s own.', helpValue: 'FILE'}),
    output: Flags.string({char: 'o', summary: 'The bundle file to write.', required: true, helpValue: 'FILE'}),
  }

  async run(): Promise<BundleBuilt> {
    const {flags} = await this.parse(Bundle)
    const [{buildBundle}, {parseEngineRange}] = await Promise.all([import('../../bundle/build.js'), import('../../engine/version-range.js')])
    const request = repositoryRequest(flags)
    const given = Object.entries(request).filter(([, value]) => value !== undefined)
    if (flags.method !== 'docker' && given.length > 0) throw new UsageError('--repository, --repository-key, --repository-fingerprint and --channel go with --method docker')
    if (request.key !== undefined && request.fingerprint === undefined) throw new UsageError('--repository-key needs --repository-fingerprint: the key is trusted only with the fingerprint it must have')
    // The repository's key, read (or fetched) and checked against its fingerprint before anything else is fetched.
    const repository = flags.method === 'docker' ? await (await import('../../provision/docker-repository.js')).loadDockerRepository(Object.fromEntries(given)) : undefined
    const built = await buildBundle({
      ...(repository ? {repository} : {}),
      release: flags.release,
      arch: flags.arch,
      method: flags.method,
      engineVersion: flags['engine-version'] === undefined ? undefined : parseEngineRange(flags['engine-version']),
      keyFile: flags.key,
      output: flags.output,
      onProgress: (line) => this.logToStderr(`tk bundle: ${line}`),
    })
    this.log(`${built.file}: ${built.release}/${built.arch}, ${built.engine.package} ${built.engine.version}, ${built.packages} packages, ${(built.size / 1024 / 1024).toFixed(1)} MiB, signed by ${built.signer} (${(built.durationMs / 1000).toFixed(1)} s)`)
    return built
  }
}
