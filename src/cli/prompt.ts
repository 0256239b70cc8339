/**
 * Asks for a secret on the terminal without echoing it. Only on a TTY: with
 * no terminal (CI, pipes) there is no prompt and the caller fails clearly.
 */
import type {PromptRequest} from '../transport/connection.js'

export async function promptSecret(request: PromptRequest): Promise<string | undefined> {
  const input = process.stdin
  if (!input.isTTY || !process.stderr.isTTY) return undefined
  process.stderr.write(`${request.message} `)
  const wasRaw = input.isRaw
  input.setRawMode(true)
  input.resume()
  try {
    return await new Promise<string | undefined>((resolve) => {
      let value = ''
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') {
            input.off('data', onData)
            resolve(value)
            return
          }
          if (char === '\u0003' || char === '\u0004') {
            // Ctrl-C or Ctrl-D: give up on the secret.
            input.off('data', onData)
            resolve(undefined)
            return
          }
          value = char === '\u007F' || char === '\b' ? value.slice(0, -1) : value + char
        }
      }
      input.on('data', onData)
    })
  } finally {
    input.setRawMode(wasRaw)
    input.pause()
    process.stderr.write('\n')
  }
}
