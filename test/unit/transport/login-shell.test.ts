/**
 * loginShellCommand: what goes in an exec request, read by the login shell
 * and then sh. The login shells themselves (fish, tcsh, csh, zsh) are tried
 * on a sandbox machine (test/integration/host-safety.test.ts); here, the
 * shape of the command and sh's decoding with this machine's sh, dash and bash.
 */
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'

import {loginShellCommand, printfEncode} from '../../../src/transport/login-shell.js'

/** Every byte but NUL, and what broke login shells before: sh's '\'' quoting, newlines, ! and $(...). */
const NASTY = `${String.fromCharCode(...Array.from({length: 255}, (_, index) => index + 1).filter((code) => code < 0x80))}it's \\' "$(x)" \`y\` !! \\\\ %s %b \\c \\0101 ünïcödé\n\n`

describe('commands any login shell passes to sh unchanged', () => {
  it("holds only what every shell leaves alone in single quotes: no ' but its own, no newline, no !, a backslash only before a digit", () => {
    const command = loginShellCommand(NASTY, {args: ["it's", 'a\nb']})
    expect(command).to.match(/^exec sh -c 'eval "\$\(printf %b "\$1"\)"' sh '[^']*'$/)
    expect(command).to.not.match(/[\n!\r\0]/)
    expect(command).to.not.match(/\\[^0]/)
    expect(command).to.not.match(/[^\u0020-\u007e]/)
    expect(loginShellCommand('true', {exec: false})).to.match(/^sh -c /)
  })

  it('encodes as printf %b decodes: the octal escapes only for the bytes that need them', () => {
    expect(printfEncode("a'b\\c!\n")).to.equal('a\\0047b\\0134c\\0041\\0012')
    expect(printfEncode('é')).to.equal('\\0303\\0251')
  })

  for (const shell of ['/bin/sh', '/bin/dash', '/bin/bash']) {
    it(`runs the script byte for byte, with its arguments and the channel's stdin, under ${shell} as the login shell`, function () {
      if (!existsSync(shell)) this.skip()
      const script = `printf '%s' ${"'"}${NASTY.replaceAll("'", "'\\''")}${"'"}; printf '|%s' "$#" "$1" "$2"; printf '|'; cat`
      const run = spawnSync(shell, ['-c', loginShellCommand(script, {args: ["it's", 'a\nb']})], {input: 'from stdin'})
      expect(run.stderr.toString()).to.equal('')
      expect(run.stdout.toString()).to.equal(`${NASTY}|2|it's|a\nb|from stdin`)
    })
  }
})
