/**
 * A tk-like known_hosts writer for the concurrency test: records COUNT hosts
 * named PREFIX-1 … PREFIX-COUNT with tk's own appendKnownHost, one after
 * another, as that many first connections would.
 *
 *   node --import tsx test/support/known-hosts-writer.ts FILE PREFIX COUNT KEY_BASE64
 */
import {appendKnownHost} from '../../src/transport/known-hosts.js'

const [file, prefix, count, key] = process.argv.slice(2)
for (let i = 1; i <= Number(count); i++) {
  // eslint-disable-next-line no-await-in-loop -- one connection's record after another, as in tk
  await appendKnownHost(file, `${prefix}-${i}`, 22, Buffer.from(key, 'base64'))
}
