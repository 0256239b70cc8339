/**
 * A terminal for tests of what a person sees: tmux runs the command on a real
 * pty, keys are sent with send-keys and the screen read with capture-pane.
 *
 *   const {tmux, screen, waitFor} = tmuxTerminal(session)
 *   tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', command)
 *   await waitFor(/\$ $/m, 'a prompt')
 */
import {spawnSync} from 'node:child_process'

export function tmuxTerminal(session: string) {
  const tmux = (...args: string[]) => spawnSync('tmux', args, {encoding: 'utf8'})
  const screen = () => tmux('capture-pane', '-p', '-t', session).stdout
  /** Waits up to 15 s for the screen to match, then fails showing the screen. */
  const waitFor = async (pattern: RegExp, what: string) => {
    for (let attempt = 0; attempt < 150; attempt++) {
      if (pattern.test(screen())) return
      // eslint-disable-next-line no-await-in-loop -- polling the screen
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`no ${what} on the tmux screen:\n${screen()}`)
  }
  return {tmux, screen, waitFor}
}
