/**
 * A minimal ustar writer: the few small files the provider copies into a
 * machine before it first starts (host keys, machine-id) go to the engine as
 * a tar stream, with the owner and mode they must have inside.
 */

export interface TarEntry {
  /** Relative path inside the archive, e.g. etc/ssh/ssh_host_ed25519_key. */
  path: string
  data: string | Buffer
  mode: number
  uid?: number
  gid?: number
}

function field(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value, offset, length, 'utf8')
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, '0') + '\0'
}

function headerFor(entry: TarEntry, size: number): Buffer {
  if (Buffer.byteLength(entry.path) > 100) throw new Error(`tar path too long: ${entry.path}`)
  const header = Buffer.alloc(512)
  field(header, 0, 100, entry.path)
  field(header, 100, 8, octal(entry.mode & 0o7777, 8))
  field(header, 108, 8, octal(entry.uid ?? 0, 8))
  field(header, 116, 8, octal(entry.gid ?? 0, 8))
  field(header, 124, 12, octal(size, 12))
  field(header, 136, 12, octal(Math.floor(Date.now() / 1000), 12))
  field(header, 148, 8, '        ') // the checksum counts its own field as spaces
  field(header, 156, 1, '0')
  field(header, 257, 6, 'ustar\0')
  field(header, 263, 2, '00')
  let sum = 0
  for (const byte of header) sum += byte
  field(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ')
  return header
}

export function tarArchive(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data)
    parts.push(headerFor(entry, data.length), data)
    const padding = (512 - (data.length % 512)) % 512
    if (padding) parts.push(Buffer.alloc(padding))
  }
  parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}
