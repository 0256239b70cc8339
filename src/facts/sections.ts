/**
 * The output format of the facts scripts in host-scripts/: sections, each
 * opened by a line "@@tk:NAME". Splitting it is shared by every parser.
 */
export class FactSections {
  private readonly sections = new Map<string, string[]>()

  constructor(output: string) {
    let current: string[] | undefined
    for (const line of output.split('\n')) {
      const marker = /^@@tk:([a-z0-9-]+)$/.exec(line)
      if (marker) {
        current = []
        this.sections.set(marker[1], current)
      } else {
        current?.push(line)
      }
    }
  }

  has(name: string): boolean {
    return this.sections.has(name)
  }

  /** The section's non-empty lines. */
  lines(name: string): string[] {
    return (this.sections.get(name) ?? []).filter((line) => line !== '')
  }

  /** The section's text as printed. */
  body(name: string): string {
    return (this.sections.get(name) ?? []).join('\n')
  }
}
