import {expect} from 'chai'

import {portMappingProblem, volumeProblem} from '../../../src/config/container-spec.js'

describe('container ports and volumes as docker run parses them', () => {
  it('takes the -p forms docker takes', () => {
    for (const port of ['80', '8080:80', '127.0.0.1:8080:80/tcp', '127.0.0.1::80', '[::1]:8443:443', '8000-8010:80', '8000-8001:9000-9001/udp', '53:53/UDP', '0:80', '65535:65535/sctp']) {
      expect(portMappingProblem(port), port).to.equal(undefined)
    }
  })

  it('refuses the -p values docker refuses, in its words', () => {
    expect(portMappingProblem('8080:80800')).to.match(/^invalid containerPort: 80800 /)
    expect(portMappingProblem('70000:80')).to.match(/^invalid hostPort: 70000 /)
    expect(portMappingProblem('9000-8000:80')).to.match(/^invalid hostPort: 9000-8000 /)
    expect(portMappingProblem('8000-8001:9000-9002')).to.equal('invalid ranges specified for container and host ports: 9000-9002 and 8000-8001')
    expect(portMappingProblem('300.1.1.1:80:80')).to.equal('invalid IP address: 300.1.1.1')
    expect(portMappingProblem('8080:80/icmp')).to.match(/^invalid protocol in 8080:80\/icmp/)
    expect(portMappingProblem('8080:')).to.equal('no container port in 8080:')
  })

  it('takes the -v forms docker takes', () => {
    for (const volume of ['/data', 'data:/var/lib/app', '/srv/www:/usr/share/nginx/html:ro', 'cache:/cache:rw,z', '/a:/b:ro,rslave,Z,cached', 'my_vol.1:/x:nocopy']) {
      expect(volumeProblem(volume), volume).to.equal(undefined)
    }
  })

  it('refuses the -v values docker refuses', () => {
    expect(volumeProblem('data')).to.equal('invalid mount path: data must be absolute')
    expect(volumeProblem('/srv:app')).to.equal('invalid mount path: app must be absolute')
    expect(volumeProblem('./www:/usr/share/nginx/html')).to.match(/^\.\/www is not a volume name .*a host directory is given by its absolute path$/)
    expect(volumeProblem('/srv:/data:readonly')).to.match(/^invalid mode: readonly /)
    expect(volumeProblem('/srv:/data:ro,rw')).to.match(/^invalid mode: ro,rw /)
    expect(volumeProblem('/data:ro')).to.match(/anonymous volume takes no options/)
    expect(volumeProblem('/a:/b:ro:z')).to.match(/^invalid volume specification: /)
    expect(volumeProblem('/a::ro')).to.match(/^invalid volume specification: /)
    expect(volumeProblem('/srv:/')).to.match(/the destination cannot be \//)
  })
})
