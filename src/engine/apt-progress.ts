/**
 * apt's own progress, as host-scripts/lib/apt-detached.sh passes it on with
 * TK_APT_PROGRESS set: apt's APT::Status-Fd lines, each marked
 * "tk-apt-progress ", printed while apt runs and before its log:
 *
 *   tk-apt-progress dlstatus:3:68.8244:Retrieving file 3 of 4
 *   tk-apt-progress pmstatus:jq:29.4118:Unpacking jq (amd64)
 *
 * told here in a few words for a progress line ("fetching 3 of 4 (69%)",
 * "unpacking jq (29%)"). Everything else is the script's own output.
 */

const MARK = 'tk-apt-progress '

/** A status line told in a few words, or undefined when it is not one tk shows. */
export function describeAptStatus(line: string): string | undefined {
  const match = /^(dlstatus|pmstatus):([^:]*):([\d.]+):(.*)$/.exec(line.trim())
  if (!match) return undefined
  const [, kind, item, percentText, description] = match
  const percent = `${Math.floor(Number(percentText))}%`
  if (kind === 'dlstatus') {
    const files = /(\d+) of (\d+)/.exec(description)
    return files ? `fetching ${files[1]} of ${files[2]} (${percent})` : `fetching (${percent})`
  }
  if (item === 'dpkg-exec') return undefined
  const verb = /^(Unpacking|Configuring|Installing|Removing|Installed|Preparing|Purging|Running)/i.exec(description)?.[1].toLowerCase()
  switch (verb) {
    case 'unpacking':
    case 'installing':
      return `unpacking ${item} (${percent})`
    case 'configuring':
    case 'installed':
      return `setting up ${item} (${percent})`
    case 'removing':
    case 'purging':
      return `removing ${item} (${percent})`
    default:
      return undefined
  }
}

/**
 * Splits a script's streamed stdout into apt's progress (given to `onProgress`
 * as it comes) and the rest (kept, as the script's stdout).
 */
export class AptProgressReader {
  private pending = ''
  private readonly kept: string[] = []

  constructor(private readonly onProgress: (text: string) => void) {}

  push(chunk: Buffer | string): void {
    const lines = (this.pending + chunk.toString()).split('\n')
    this.pending = lines.pop() ?? ''
    for (const line of lines) this.line(line)
  }

  /** The script's stdout without the progress lines. */
  finish(): string {
    if (this.pending) this.line(this.pending)
    this.pending = ''
    return this.kept.join('\n')
  }

  private line(line: string): void {
    if (!line.startsWith(MARK)) {
      this.kept.push(line)
      return
    }
    const text = describeAptStatus(line.slice(MARK.length))
    if (text) this.onProgress(text)
  }
}
