/**
 * The package sources a host's apt is configured with, read in the facts
 * round trip (host-scripts/apt-sources-facts.sh prints each file of
 * /etc/apt/sources.list, sources.list.d/*.list and sources.list.d/*.sources
 * after a line "file PATH"): the URIs apt fetches from, for the allow-list of
 * packages fetched through the workstation.
 */

/** The URIs of one-line entries ("deb [options] URI suite ...") and of deb822 stanzas ("URIs: ..."), in file order, once each. */
export function parseAptSources(lines: readonly string[]): string[] {
  const uris: string[] = []
  let deb822 = false
  let inUris = false
  for (const raw of lines) {
    const file = /^file (\S+)$/.exec(raw)
    if (file) {
      deb822 = file[1].endsWith('.sources')
      inUris = false
      continue
    }
    const line = raw.replace(/#.*$/, '')
    if (deb822) {
      // A field's value may go on over continuation lines (those that start with a space).
      const field = /^URIs:\s*(.*)$/i.exec(line)
      if (field) {
        uris.push(...field[1].split(/\s+/).filter(Boolean))
        inUris = true
      } else if (inUris && /^\s+\S/.test(line)) {
        uris.push(...line.trim().split(/\s+/))
      } else {
        inUris = false
      }
      continue
    }
    const entry = /^\s*deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line)
    if (entry) uris.push(entry[1])
  }
  return [...new Set(uris)]
}
