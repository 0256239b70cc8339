/** --fetch-via: where tk's apt steps fetch packages (tk provision, tk upgrade); over tk.yml's engine.fetch when given. */
import {Flags} from '@oclif/core'

export const fetchViaFlag = () =>
  Flags.option({
    options: ['direct', 'workstation'] as const,
    summary: "Where tk's apt steps fetch packages: direct from the host's network, or workstation: through tk on this machine over the SSH connection (see docs/offline.md).",
    helpValue: 'direct|workstation',
    env: 'TK_FETCH_VIA',
  })()
