/** A plain text table: columns padded to their widest cell, a header row, no borders. */
/** How many columns text takes on a terminal: its length without colour codes. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replaceAll(/\u001B\[[0-9;]*m/g, '').length
}

export function renderTable(header: string[], rows: string[][], style?: {bold(text: string): string}): string {
  const visible = visibleLength
  const widths = header.map((title, column) => Math.max(visible(title), ...rows.map((row) => visible(row[column] ?? ''))))
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column] - visible(cell))))
      .join('  ')
      .trimEnd()
  const head = line(header)
  return [style ? style.bold(head) : head, ...rows.map((row) => line(row))].join('\n')
}
