/** Quotes a string as one word for POSIX sh. */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}
