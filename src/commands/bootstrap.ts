import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import type {BootstrapFleetResult} from '../bootstrap/index.js'
import {TkCommand} from '../cli/base-command.js'
import {doneLines, finishFleet} from '../cli/fleet-output.js'
import {concurrencyFlag, TRANSPORT_ENVIRONMENT, transportFlags, transportOptions} from '../cli/transport-flags.js'
import {exitCodeTable} from '../errors/exit-codes.js'
import {UsageError} from '../errors/index.js'
import {makeStyle, useColor} from '../render/style.js'

export default class Bootstrap extends TkCommand {
  static override summary = 'First contact: from a password login to a key-only admin with sudo.'

  static override description = `tk logs in with the password the provider gave (as the user typed, root when none is typed), then makes the admin user (--user) with a home and a shell, installs the admin's public key (--key) in ~/.ssh/authorized_keys with the owner and modes sshd wants, and allows the admin sudo through a drop-in in /etc/sudoers.d that visudo -cf checks before it is put in place. Then it proves, on a fresh connection, that the admin logs in with the key and that sudo works.

With --harden, and only after that proof, password and root logins are turned off by an sshd drop-in read before any other (a provider's own drop-in saying "PasswordAuthentication yes" comes after it), checked with sshd -t before sshd reloads and confirmed with sshd -T; a fresh key login is proven again. If any of it fails, the change is undone and the host stays reachable as before.

The password is asked once per host (once for all with --same-password), or taken from TK_SSH_PASSWORD; it stays in tk's memory: never printed, never in --json, never on a command line, never in a file. A host whose admin already logs in with the key and has sudo is worked on as the admin, without a password: a re-run changes nothing. See docs/bootstrap.md.

${TRANSPORT_ENVIRONMENT}

Exit codes:
${exitCodeTable(['OK', 'FAILED', 'USAGE', 'INPUT', 'CONFIG', 'CONNECTION', 'AUTH', 'HOST_KEY', 'PRIVILEGE'])}`

  static override examples = [
    {description: 'Make ann the admin of a new server, logging in as root with its password', command: '<%= config.bin %> <%= command.id %> root@203.0.113.10 --user ann'},
    {description: 'The same, then turn off password and root logins', command: '<%= config.bin %> <%= command.id %> root@203.0.113.10 --user ann --harden'},
    {description: 'Install another public key than tk\'s own identity', command: '<%= config.bin %> <%= command.id %> root@203.0.113.10 --user ann --key ~/.ssh/ann_ed25519.pub'},
    {description: 'Several servers with one password, asked once', command: '<%= config.bin %> <%= command.id %> root@203.0.113.10 root@203.0.113.11 --user ann --same-password'},
    {description: 'See what would change, change nothing', command: '<%= config.bin %> <%= command.id %> root@203.0.113.10 --user ann --harden --dry-run'},
    {description: 'A provider\'s default user with sudo, the password from the environment', command: 'TK_SSH_PASSWORD="$(pass show provider/web-1)" <%= config.bin %> <%= command.id %> debian@203.0.113.10 --user ann --json'},
  ]

  static override enableJsonFlag = true
  static override strict = false

  static override args = {
    host: Args.string({description: 'Hosts: USER@HOST[:PORT] to log in to with a password (root when no user is given), or tk.yml names and @groups (logged in to as root).', required: false}),
  }

  static override flags = {
    user: Flags.string({char: 'u', summary: 'The admin to make. Default: the tk.yml host\'s user, else your local user name.', helpValue: 'NAME', env: 'TK_BOOTSTRAP_USER'}),
    key: Flags.string({summary: 'The admin\'s public key. Default: the .pub beside the first identity file tk logs in with (~/.ssh/id_ed25519.pub ...).', helpValue: 'FILE.pub', env: 'TK_BOOTSTRAP_KEY'}),
    harden: Flags.boolean({summary: 'After the key login is proven, turn off password and root logins (sshd drop-in, sshd -t, reload, sshd -T).'}),
    'same-password': Flags.boolean({summary: 'Ask for the login password once, for every host.'}),
    'dry-run': Flags.boolean({summary: 'Log in and say what would change; change nothing.'}),
    concurrency: concurrencyFlag('bootstrap'),
    ...transportFlags,
  }

  async run(): Promise<Omit<BootstrapFleetResult, 'exitCode' | 'outcomes'>> {
    this.explainInterrupts()
    const {argv, flags} = await this.parse(Bootstrap)
    const args = argv as string[]
    if (args.length === 0) throw new UsageError('no host given: tk bootstrap USER@HOST... (or tk.yml names)', {hint: 'tk bootstrap root@203.0.113.10 --user ann'})
    const [{selectTargets}, {bootstrapHosts}, render] = await Promise.all([import('../fleet/host-connector.js'), import('../bootstrap/index.js'), import('../render/bootstrap.js')])
    const targets = await selectTargets(args, flags.config, {reachOnly: true})
    const style = makeStyle(useColor())
    const json = this.jsonEnabled()
    const result = await bootstrapHosts(targets, {
      admin: flags.user,
      publicKeyFile: flags.key,
      harden: flags.harden,
      dryRun: flags['dry-run'],
      samePassword: flags['same-password'],
      concurrency: flags.concurrency,
      transport: transportOptions(flags, (message) => this.warn(message)),
      onDone: doneLines((line) => this.log(line), (line) => this.logToStderr(line), json, style, (target, report) => render.bootstrapLines(target, report, style)),
    })
    if (!json) {
      this.log('')
      this.log(render.renderBootstrapSummary(result.outcomes, style, flags['dry-run']))
    }
    return finishFleet(result)
  }
}
