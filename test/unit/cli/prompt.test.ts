/**
 * Secret prompts when several hosts ask at once. The terminal is a stand-in
 * (a stream that says it is a TTY, fed keystrokes): a real one cannot be
 * made to answer two prompts at a known moment. tk under tmux shows the rest
 * (test/integration/prompts.test.ts).
 */
import {PassThrough} from 'node:stream'

import {expect} from 'chai'

import {promptSecret} from '../../../src/cli/prompt.js'

/** A stand-in terminal on process.stdin and process.stderr for the length of one test. */
function standInTerminal() {
  const input = Object.assign(new PassThrough(), {isTTY: true, isRaw: false, setRawMode(raw: boolean) {
    input.isRaw = raw
    return input
  }})
  const shown: string[] = []
  const output = {isTTY: true, write: (text: string) => shown.push(text) > 0}
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!
  const stderr = Object.getOwnPropertyDescriptor(process, 'stderr')!
  Object.defineProperty(process, 'stdin', {value: input, configurable: true})
  Object.defineProperty(process, 'stderr', {value: output, configurable: true})
  return {
    /** Keys as a person types them: one chunk each. */
    type: async (text: string) => {
      for (const key of text) {
        input.write(key)
        // eslint-disable-next-line no-await-in-loop -- a keystroke at a time
        await new Promise((resolve) => setImmediate(resolve))
      }
    },
    /** Keys arriving in one read, as when typed ahead or pasted. */
    paste: async (text: string) => {
      input.write(text)
      await new Promise((resolve) => setImmediate(resolve))
    },
    shown,
    restore: () => {
      Object.defineProperty(process, 'stdin', stdin)
      Object.defineProperty(process, 'stderr', stderr)
    },
  }
}

describe('secret prompts (a stand-in terminal)', () => {
  let terminal: ReturnType<typeof standInTerminal>
  beforeEach(() => (terminal = standInTerminal()))
  afterEach(() => terminal.restore())

  it('asks two hosts that want a password at once one after the other, each answer going to its own host', async () => {
    const web1 = promptSecret({kind: 'password', message: 'Password for deploy@web-1:'})
    const web2 = promptSecret({kind: 'password', message: 'Password for deploy@web-2:'})
    await new Promise((resolve) => setImmediate(resolve))
    // One prompt on the screen at a time: web-2's waits for web-1's answer.
    expect(terminal.shown.join('')).to.equal('Password for deploy@web-1: ')
    await terminal.type('secret-one\r')
    expect(await web1).to.equal('secret-one')
    await new Promise((resolve) => setImmediate(resolve))
    expect(terminal.shown.join('')).to.equal('Password for deploy@web-1: \nPassword for deploy@web-2: ')
    await terminal.type('secret-two\r')
    expect(await web2).to.equal('secret-two')
    expect(terminal.shown.join('')).to.not.include('secret')
  })

  it('keeps keys typed ahead (two lines at once) for the next prompt, and a sudo prompt takes its turn too', async () => {
    const login = promptSecret({kind: 'password', message: 'Password for deploy@web-1:'})
    const sudo = promptSecret({kind: 'sudo-password', message: '[sudo] password for deploy on web-2:'})
    await terminal.paste('first\rsec\u007Fcond\r')
    expect([await login, await sudo]).to.deep.equal(['first', 'second'])
  })

  // Last: Ctrl-C gives up on every prompt after it for the rest of the process.
  it('gives up on this prompt and every one after it at Ctrl-C', async () => {
    const web1 = promptSecret({kind: 'password', message: 'Password for deploy@web-1:'})
    const web2 = promptSecret({kind: 'password', message: 'Password for deploy@web-2:'})
    await terminal.type('abc\u0003')
    expect([await web1, await web2]).to.deep.equal([undefined, undefined])
    expect(terminal.shown.join('')).to.not.include('web-2')
  })
})
