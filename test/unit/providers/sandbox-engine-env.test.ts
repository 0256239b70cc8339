/** The sandbox's dockerd starts with a clean environment: never tk's secrets or the user's other variables. */
import {expect} from 'chai'

import {engineEnvironment} from '../../../src/providers/sandbox/engine.js'

describe('the sandbox engine\'s environment', () => {
  it('keeps PATH, HOME, the proxy settings and CA files, and nothing else', () => {
    const env = engineEnvironment({
      PATH: '/usr/sbin:/usr/bin',
      HOME: '/root',
      HTTPS_PROXY: 'http://proxy.internal:3128',
      no_proxy: 'localhost',
      SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
      TK_SUDO_PASSWORD: 'sudo-secret',
      TK_SSH_PASSWORD: 'ssh-secret',
      TK_SSH_PASSPHRASE: 'key-secret',
      AWS_SECRET_ACCESS_KEY: 'aws-secret',
      DOCKER_HOST: 'tcp://elsewhere:2375',
      SSH_AUTH_SOCK: '/tmp/agent.sock',
    })
    expect(env).to.deep.equal({PATH: '/usr/sbin:/usr/bin', HOME: '/root', LANG: 'C.UTF-8', HTTPS_PROXY: 'http://proxy.internal:3128', no_proxy: 'localhost', SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt'})
  })

  it('gives a PATH with the sbin directories when the caller has none', () => {
    expect(engineEnvironment({})).to.deep.equal({PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C.UTF-8'})
  })
})
