/**
 * Asks for a secret on the terminal without echoing it. Only on a TTY: with
 * no terminal (CI, pipes) there is no prompt and the caller fails clearly.
 *
 * Hosts connect at once (--concurrency), so several may want a password at
 * the same moment: prompts take turns, one on the screen at a time, each
 * naming its host (the caller's message), and each answer goes to the prompt
 * it was typed at and to no other. Keys typed ahead, after the Enter that
 * ended one answer, are kept for the next prompt. No answer is reused for
 * another host: one password for every host is what TK_SSH_PASSWORD and
 * TK_SUDO_PASSWORD are for.
 */
import type {PromptRequest} from '../transport/connection.js'

// The prompts waiting for their turn, in order.
let turns: Promise<unknown> = Promise.resolve()
// What was typed after the Enter that ended the last answer.
let typedAhead = ''
// Ctrl-C at a prompt gives up on it and on every prompt after it in this run.
let cancelled = false

export function promptSecret(request: PromptRequest): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return Promise.resolve(undefined)
  const turn = turns.then(() => (cancelled ? undefined : ask(request)))
  turns = turn.catch(() => {})
  return turn
}

async function ask(request: PromptRequest): Promise<string | undefined> {
  const input = process.stdin
  process.stderr.write(`${request.message} `)
  const wasRaw = input.isRaw
  input.setRawMode(true)
  try {
    return await new Promise<string | undefined>((resolve) => {
      let value = ''
      /** Takes keys until the answer ends; true when it has. */
      const take = (text: string): boolean => {
        const keys = [...text]
        for (const [index, key] of keys.entries()) {
          const end = key === '\r' || key === '\n'
          // Ctrl-C or Ctrl-D: give up on the secret.
          if (end || key === '\u0003' || key === '\u0004') {
            typedAhead = key === '\u0003' ? '' : keys.slice(index + 1).join('')
            if (key === '\u0003') cancelled = true
            resolve(end ? value : undefined)
            return true
          }
          value = key === '\u007F' || key === '\b' ? value.slice(0, -1) : value + key
        }
        return false
      }
      const ahead = typedAhead
      typedAhead = ''
      if (take(ahead)) return
      const onData = (chunk: Buffer | string) => {
        if (take(chunk.toString())) input.off('data', onData)
      }
      input.on('data', onData)
      input.resume()
    })
  } finally {
    input.setRawMode(wasRaw)
    input.pause()
    process.stderr.write('\n')
  }
}
