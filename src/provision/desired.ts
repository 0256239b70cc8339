/** What the user asked `tk provision` for: the desired state of a host's engine. */
export type InstallMethod = 'distro' | 'script'

export interface DesiredEngine {
  method: InstallMethod
  /** For the script method: the install script's text (read or fetched by tk) and where it came from. */
  script?: {source: string; content: string}
  compose: boolean
  /** Users to put in the docker group besides the login user. */
  dockerUsers: string[]
  /** Put the login user (when not root) in the docker group. */
  addLoginUser: boolean
  /** Go on even when tk check fails. */
  skipCheck: boolean
  /** An image to run a throwaway container from, to prove the engine works. */
  smokeImage?: string
}

export const DEFAULT_DESIRED: DesiredEngine = {
  method: 'distro',
  compose: false,
  dockerUsers: [],
  addLoginUser: true,
  skipCheck: false,
}
