import {Flags} from '@oclif/core'

import {checkConfigFile, checkHost, type CheckReport} from '../check/index.js'
import {TkCommand} from '../cli/base-command.js'
import {ExitCode, exitCodeTable} from '../cli/exit-codes.js'
import {LocalHost} from '../host/local.js'
import {renderCheckReport} from '../render/check.js'
import {makeStyle, useColor} from '../render/style.js'

export default class Check extends TkCommand {
  static override summary = 'Check whether a machine can run a container engine.'

  static override description = `Checks the kernel version (3.8 or newer), 64-bit, cgroups, namespaces, every kernel flag the Docker engine needs, the network and storage drivers, and limits — the checks of moby's check-config.sh and more.

Without --kernel-config, tk checks the running machine: its kernel config is read from /proc/config.gz, /boot/config-$(uname -r), /usr/src/linux-$(uname -r)/.config or /usr/src/linux/.config, in that order. With --kernel-config, tk judges that file alone (plain or gzip), gating flags on the kernel version in its header; checks that need a running system are reported as not applicable.

A missing optional flag is a warning; only missing required ones fail. See docs/check.md for every check.

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT'])}`

  static override examples = [
    {description: 'Check this machine', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Judge a kernel config file before booting it', command: '<%= config.bin %> <%= command.id %> --kernel-config /boot/config-6.1.0-28-amd64'},
    {description: 'Machine-readable result', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    'kernel-config': Flags.string({
      char: 'k',
      summary: 'Judge this kernel config file (plain or gzip) instead of the running machine.',
      env: 'TK_KERNEL_CONFIG',
      helpValue: 'FILE',
    }),
  }

  async run(): Promise<CheckReport> {
    const {flags} = await this.parse(Check)
    const report = flags['kernel-config'] ? await checkConfigFile(flags['kernel-config']) : await checkHost(new LocalHost())
    if (!this.jsonEnabled()) this.log(renderCheckReport(report, makeStyle(useColor())))
    if (report.verdict === 'fail') process.exitCode = ExitCode.FAILED
    return report
  }
}
