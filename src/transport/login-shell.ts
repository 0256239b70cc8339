/**
 * The one way tk puts a script in an SSH exec request. sshd hands the
 * command to the user's login shell (`$SHELL -c COMMAND`), and login shells
 * disagree about quoting: fish reads `\'` and `\\` inside single quotes as
 * escapes (so sh's `'\''` breaks there), csh and tcsh refuse a newline inside
 * quotes and expand `!` even between single quotes. What sh, bash, dash, zsh,
 * fish, csh and tcsh all take literally is a single-quoted word without `'`,
 * `!` or a newline whose backslashes are each followed by a digit. So the
 * script travels as such a word: every other byte is a printf %b octal
 * escape (`\0NNN`), and sh decodes it with its printf builtin (no process
 * started, unlike base64) and evals it, leaving stdin alone for the data and
 * keepalives tk sends there.
 */
import {shQuote} from './sh-quote.js'

/** sh's decoder: $1 is the encoded script, run in this shell (its exit, its traps, its stdin). */
const DECODE = `'eval "$(printf %b "$1")"'`

/** Bytes that stay as they are: printable ASCII but ' \ and ! (csh's history). */
const plain = (byte: number) => byte >= 0x20 && byte <= 0x7e && byte !== 0x27 && byte !== 0x5c && byte !== 0x21

/** Each byte as it travels: itself, or its octal escape. */
const ENCODED = Array.from({length: 256}, (_, byte) => (plain(byte) ? String.fromCharCode(byte) : `\\0${byte.toString(8).padStart(3, '0')}`))

/** `text` as printf %b's argument, with only bytes every login shell leaves alone between single quotes. */
export function printfEncode(text: string): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) out += ENCODED[byte]
  return out
}

/**
 * A command line that any login shell passes to sh unchanged: sh runs
 * `script` with `args` as its $1..., and the channel's stdin as its stdin.
 * `exec` replaces the login shell with sh (not with sudo in front).
 */
export function loginShellCommand(script: string, options: {args?: readonly string[]; exec?: boolean} = {}): string {
  const args = options.args ?? []
  // `set --` also clears $1, the encoded script itself.
  const body = `set --${args.map((arg) => ` ${shQuote(arg)}`).join('')}\n${script}`
  return `${options.exec === false ? '' : 'exec '}sh -c ${DECODE} sh '${printfEncode(body)}'`
}
