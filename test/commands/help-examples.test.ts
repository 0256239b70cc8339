import {expect} from 'chai'
import {readFileSync} from 'node:fs'

import {runTk} from '../run-tk.js'

/** The commands of EXAMPLES in rendered help, each with its wrapped lines (" \" continuations) joined. */
function exampleCommands(help: string): string[] {
  const section = help.split(/^EXAMPLES$/m)[1]?.split(/^[A-Z][A-Z ]+$/m)[0] ?? ''
  const commands: string[] = []
  let current: string | undefined
  for (const line of section.split('\n').map((text) => text.trim())) {
    if (current !== undefined) {
      current += ` ${line.replace(/ \\$/, '')}`
      if (!line.endsWith(' \\')) {
        commands.push(current.replace(/\s+/g, ' '))
        current = undefined
      }
      continue
    }
    if (!line.startsWith('$ ')) continue
    if (line.endsWith(' \\')) current = line.slice(2, -2)
    else commands.push(line.slice(2))
  }
  return commands
}

describe('help examples', () => {
  it('are one command each: oclif would render a second line as a continuation of the first', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {commands: Record<string, {examples?: Array<string | {command: string}>}>}
    const multiline = Object.entries(manifest.commands).flatMap(([id, command]) =>
      (command.examples ?? []).filter((example) => typeof example !== 'string' && example.command.includes('\n')).map(() => id),
    )
    expect(multiline).to.deep.equal([])
  })

  it('render in tk tunnel --help and tk context --help as commands that can be copied', async () => {
    const tunnel = await runTk(['tunnel', '--help'])
    expect(exampleCommands(tunnel.stdout)).to.deep.equal([
      'tk tunnel admin@web-1',
      'tk tunnel web-1 --detach --socket ~/web-1.sock',
      'tk tunnel web-1 --port 2375',
      'tk tunnel web-1 --detach --idle-timeout 600',
    ])
    expect(tunnel.stdout.replace(/\s+/g, ' ')).to.match(/export DOCKER_HOST=unix:\/\/\$XDG_RUNTIME_DIR\/tk\/admin@web-1\.sock/)
    const context = await runTk(['context', '--help'])
    expect(exampleCommands(context.stdout)).to.deep.equal(['tk context web-1', 'tk context web-1 --remove'])
    expect(context.stdout.replace(/\s+/g, ' ')).to.match(/docker --context web-1 ps/)
  })
})
