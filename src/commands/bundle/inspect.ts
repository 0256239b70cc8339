import * as Args from '@oclif/core/args'

import {TkCommand} from '../../cli/base-command.js'
import type {OpenedBundle} from '../../bundle/open.js'
import {exitCodeTable} from '../../errors/exit-codes.js'

export default class BundleInspect extends TkCommand {
  static override summary = 'Show what an offline bundle holds, who signed it, and whether it is sound.'

  static override description = `Release, architecture, engine version, packages, the signer's fingerprint, whether the signature verifies and whether this workstation trusts the signer (tk's own key, or a public key in ~/.config/tk/bundle-keys/), and whether every file has its signed sha256. A bundle with a problem exits 3 (INPUT) after showing it.

Exit codes:
${exitCodeTable(['OK', 'USAGE', 'INPUT'])}`

  static override examples = [
    '<%= config.bin %> <%= command.id %> engine-bookworm-amd64.tkb',
    '<%= config.bin %> <%= command.id %> engine-bookworm-amd64.tkb --json',
  ]

  static override enableJsonFlag = true

  static override args = {
    file: Args.string({description: 'The bundle file.', required: true}),
  }

  async run(): Promise<Omit<OpenedBundle, 'manifest'> & {manifest?: OpenedBundle['manifest']}> {
    const {args} = await this.parse(BundleInspect)
    const [{openBundle}, {renderBundle}, {makeStyle, useColor}, {ExitCode}] = await Promise.all([
      import('../../bundle/open.js'),
      import('../../render/bundle.js'),
      import('../../render/style.js'),
      import('../../errors/exit-codes.js'),
    ])
    const bundle = await openBundle(args.file)
    if (!this.jsonEnabled()) this.log(renderBundle(bundle, makeStyle(useColor())))
    if (bundle.problems.length > 0) process.exitCode = ExitCode.INPUT
    return bundle
  }
}
