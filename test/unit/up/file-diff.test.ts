/**
 * The file provisioner's diffs (pure): a unified diff of a text file, and
 * sizes and hashes only for a file that may hold a secret (not
 * world-readable, a secret-looking name) or is binary.
 */
import {expect} from 'chai'

import {fileDiff, showable} from '../../../src/up/provisioners/file.js'

describe('file provisioner diffs', () => {
  it('a text file: a unified diff, host copy to source, without the "=" line, tk.yml secrets hidden', async () => {
    const lines = await fileDiff('/srv/site/index.html', Buffer.from('<h1>defaced</h1>\nkept\n'), Buffer.from('<h1>hello s3cret-value</h1>\nkept\n'), {hidden: false, secrets: ['s3cret-value']})
    expect(lines).to.deep.equal([
      '--- /srv/site/index.html (host)',
      '+++ /srv/site/index.html (tk.yml)',
      '@@ -1,2 +1,2 @@',
      '-<h1>defaced</h1>',
      '+<h1>hello ***</h1>',
      ' kept',
    ])
  })

  it('a hidden or binary file: sizes and hashes only', async () => {
    const [hidden] = await fileDiff('/etc/app/app.env', Buffer.from('TOKEN=old\n'), Buffer.from('TOKEN=new-value\n'), {hidden: true, secrets: []})
    expect(hidden).to.match(/^\/etc\/app\/app\.env: 10 bytes, sha256 [0-9a-f]{12} -> 16 bytes, sha256 [0-9a-f]{12} \(may hold a secret: not shown\)$/)
    expect(hidden).not.to.include('TOKEN')
    const [binary] = await fileDiff('/srv/logo.png', Buffer.alloc(0), Buffer.from([0x89, 0, 1]), {hidden: false, secrets: []})
    expect(binary).to.match(/^\/srv\/logo\.png: new -> 3 bytes, sha256 [0-9a-f]{12} \(binary or large: not shown\)$/)
  })

  it('shows only world-readable files without a secret-looking name', () => {
    expect(showable('/srv/site/index.html', '644')).to.equal(true)
    expect(showable('/srv/site/index.html', '640')).to.equal(false)
    for (const path of ['/etc/app/.env', '/etc/app/app.env', '/etc/ssl/site.key', '/etc/ssl/site.pem', '/srv/api-token.txt', '/etc/app/db-password', '/root/.ssh/id_ed25519']) {
      expect(showable(path, '644'), path).to.equal(false)
    }
  })
})
