/**
 * The workstation's package proxy refuses what is not a host's package
 * source, and passes the rest on, through the workstation's own proxy when
 * its environment names one. The origin and the "workstation's proxy" here
 * are stand-ins on this machine's loopback (a real mirror cannot show a
 * refused host or an upstream proxy on demand).
 */
import {expect} from 'chai'
import {createServer, request, type Server} from 'node:http'
import {connect} from 'node:net'

import {SourceAllowList} from '../../../src/fetch/allow-list.js'
import {startPackageProxy, type PackageProxy} from '../../../src/fetch/package-proxy.js'
import {parseAptSources} from '../../../src/facts/apt-sources.js'

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as {port: number}).port)))
}

function get(proxyPort: number, url: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port: proxyPort, path: url, headers: {host: new URL(url).host}}, (response) => {
      let body = ''
      response.on('data', (chunk) => (body += chunk))
      response.on('end', () => resolve({status: response.statusCode ?? 0, body}))
    })
    req.on('error', reject)
    req.end()
  })
}

function connectThrough(proxyPort: number, where: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxyPort, '127.0.0.1', () => socket.write(`CONNECT ${where} HTTP/1.1\r\nhost: ${where}\r\n\r\n`))
    let answer = ''
    socket.on('data', (chunk) => {
      answer += chunk
      if (answer.includes('\r\n\r\n')) {
        socket.destroy()
        resolve(answer.split('\r\n')[0])
      }
    })
    socket.on('error', reject)
  })
}

describe('the workstation package proxy', () => {
  let origin: Server
  let originPort: number
  let proxy: PackageProxy | undefined
  const seen: string[] = []

  before(async () => {
    origin = createServer((req, res) => {
      seen.push(`${req.headers.host} ${req.url}`)
      res.end('Packages\n')
    })
    originPort = await listen(origin)
  })
  afterEach(async () => {
    await proxy?.close()
    proxy = undefined
  })
  after(() => new Promise((resolve) => origin.close(resolve)))

  const allowList = () => new SourceAllowList([`http://127.0.0.1:${originPort}/debian`, 'https://download.example.com/linux/debian'])

  it('passes a request for a package source on, and counts it', async () => {
    proxy = await startPackageProxy({allowList: allowList(), label: 'web-1', env: {}})
    const answer = await get(proxy.port, `http://127.0.0.1:${originPort}/debian/dists/bookworm/Release`)
    expect(answer).to.deep.equal({status: 200, body: 'Packages\n'})
    expect(proxy.counts).to.deep.equal({passed: 1, refused: 0})
    expect(seen.at(-1)).to.equal(`127.0.0.1:${originPort} /debian/dists/bookworm/Release`)
  })

  it('answers 403 for a host outside the allow-list, and fetches nothing', async () => {
    proxy = await startPackageProxy({allowList: allowList(), label: 'web-1', env: {}})
    const before = seen.length
    const answer = await get(proxy.port, 'http://elsewhere.example.net/secret')
    expect(answer.status).to.equal(403)
    expect(answer.body).to.include('elsewhere.example.net is not among the package sources of web-1')
    // The same host on another port is another place.
    expect((await get(proxy.port, `http://127.0.0.1:${originPort + 1}/x`)).status).to.equal(403)
    expect(seen.length).to.equal(before)
    expect(proxy.counts).to.deep.equal({passed: 0, refused: 2})
  })

  it('tunnels (CONNECT) only to an allowed host, and only to port 443', async () => {
    proxy = await startPackageProxy({allowList: allowList(), label: 'web-1', env: {}})
    expect(await connectThrough(proxy.port, 'elsewhere.example.net:443')).to.match(/^HTTP\/1\.1 403/)
    expect(await connectThrough(proxy.port, 'download.example.com:22')).to.match(/^HTTP\/1\.1 403/)
    expect(proxy.counts.refused).to.equal(2)
  })

  it("goes out through the workstation's own http_proxy, and around it for no_proxy hosts", async () => {
    const upstreamSeen: string[] = []
    const upstream = createServer((req, res) => {
      upstreamSeen.push(req.url ?? '')
      res.end('from the upstream proxy\n')
    })
    const upstreamPort = await listen(upstream)
    try {
      proxy = await startPackageProxy({allowList: new SourceAllowList(['http://mirror.example.org/debian']), label: 'web-1', env: {http_proxy: `http://127.0.0.1:${upstreamPort}`}})
      const answer = await get(proxy.port, 'http://mirror.example.org/debian/dists/bookworm/Release')
      expect(answer.body).to.equal('from the upstream proxy\n')
      expect(upstreamSeen).to.deep.equal(['http://mirror.example.org/debian/dists/bookworm/Release'])
      await proxy.close()
      proxy = await startPackageProxy({allowList: allowList(), label: 'web-1', env: {http_proxy: `http://127.0.0.1:${upstreamPort}`, no_proxy: '127.0.0.1'}})
      expect((await get(proxy.port, `http://127.0.0.1:${originPort}/debian/x`)).body).to.equal('Packages\n')
      expect(upstreamSeen).to.have.length(1)
    } finally {
      await new Promise((resolve) => upstream.close(resolve))
    }
  })
})

describe('parseAptSources', () => {
  it('reads one-line entries and deb822 stanzas, leaving comments out', () => {
    const lines = [
      'file /etc/apt/sources.list',
      'deb http://deb.debian.org/debian bookworm main',
      '# deb http://commented.example.com/debian bookworm main',
      'deb-src [arch=amd64 signed-by=/k.gpg] https://src.example.com/debian bookworm main',
      'file /etc/apt/sources.list.d/debian.sources',
      'Types: deb',
      'URIs: http://deb.debian.org/debian http://mirror.example.org/debian',
      '  https://continued.example.org/debian',
      'Suites: bookworm',
      'URIs: mirror+file:///etc/apt/mirrors.txt',
    ]
    expect(parseAptSources(lines)).to.deep.equal([
      'http://deb.debian.org/debian',
      'https://src.example.com/debian',
      'http://mirror.example.org/debian',
      'https://continued.example.org/debian',
      'mirror+file:///etc/apt/mirrors.txt',
    ])
  })
})
