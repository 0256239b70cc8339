/** A plain text table: columns padded to their widest cell, a header row, no borders. */
export function renderTable(header: string[], rows: string[][], style?: {bold(text: string): string}): string {
  // eslint-disable-next-line no-control-regex
  const visible = (text: string) => text.replaceAll(/\u001B\[[0-9;]*m/g, '').length
  const widths = header.map((title, column) => Math.max(visible(title), ...rows.map((row) => visible(row[column] ?? ''))))
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column] - visible(cell))))
      .join('  ')
      .trimEnd()
  const head = line(header)
  return [style ? style.bold(head) : head, ...rows.map((row) => line(row))].join('\n')
}
