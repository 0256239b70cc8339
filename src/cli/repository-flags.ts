/** Docker's apt repository on the command line (tk provision --method docker, tk bundle --method docker): where, its key, its channel. */
import * as Flags from '@oclif/core/flags'

export const repositoryFlags = (forWhat: string, checkedBefore: string) => ({
  repository: Flags.string({
    summary: `For ${forWhat}: Docker's apt repository or a mirror of it, by URL or name (aliyun, azure-china, tuna, ustc, huaweicloud, tencent).`,
    helpValue: 'URL|NAME',
  }),
  'repository-key': Flags.string({summary: `For ${forWhat}: the repository's signing key, a file or URL (needs --repository-fingerprint).`, helpValue: 'FILE|URL'}),
  'repository-fingerprint': Flags.string({summary: `The repository key's fingerprint: a key with another is refused ${checkedBefore}.`, helpValue: 'HEX'}),
  channel: Flags.option({options: ['stable', 'test'] as const, summary: `For ${forWhat}: the repository's channel (default stable).`})(),
})

/** The flags' values as a repository request (src/provision/desired-engine.ts RepositoryRequest). */
export function repositoryRequest(flags: {repository?: string; 'repository-key'?: string; 'repository-fingerprint'?: string; channel?: 'stable' | 'test'}) {
  return {url: flags.repository, key: flags['repository-key'], fingerprint: flags['repository-fingerprint'], channel: flags.channel}
}
