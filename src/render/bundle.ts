/** `tk bundle inspect` for people: what the bundle is, who signed it, what it holds, what is wrong with it. */
import type {OpenedBundle} from '../bundle/open.js'
import type {Style} from './style.js'
import {renderTable} from './table.js'

export function renderBundle(bundle: OpenedBundle, style: Style): string {
  const {manifest, signer} = bundle
  const lines = [`${bundle.file} (${(bundle.size / 1024 / 1024).toFixed(1)} MiB, sha256 ${bundle.sha256})`]
  if (manifest) {
    lines.push(
      `  release   ${manifest.release}`,
      `  arch      ${manifest.arch}`,
      `  method    ${manifest.method}`,
      `  engine    ${manifest.engine.package} ${manifest.engine.version}`,
      `  installs  ${manifest.install.join(' ')}`,
      `  made      ${manifest.created}`,
      `  leaves out ${manifest.minimal}`,
    )
  }
  const verdict = signer.verified ? (signer.trusted ? style.green('verifies, trusted here') : style.yellow('verifies, signer not trusted here')) : style.red('does not verify')
  lines.push(`  signer    ${signer.fingerprint ?? 'none'}${signer.userIds.length > 0 ? ` (${signer.userIds.join(', ')})` : ''}: ${verdict}`)
  if (manifest) {
    lines.push('', renderTable(['PACKAGE', 'VERSION', 'ARCH', 'SIZE'], manifest.packages.map((item) => [item.name, item.version, item.arch, `${Math.ceil(item.size / 1024)} KiB`]), style))
  }
  if (bundle.problems.length > 0) lines.push('', ...bundle.problems.map((problem) => style.red(`problem: ${problem}`)))
  else lines.push('', style.green('sound: every file has its signed sha256'))
  return lines.join('\n')
}
