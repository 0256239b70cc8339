/** What the user asked `tk provision` for: the desired state of a host's engine. */
import type {SoundBundle} from '../bundle/open.js'
import {combineDaemonPatches, type JsonObject} from '../engine/daemon-config.js'
import type {FetchVia} from '../fetch/workstation-fetch.js'
import type {DockerChannel} from '../engine/docker-repository.js'

export type InstallMethod = 'distro' | 'docker' | 'script'

/** For method docker: the repository as asked for (its key is read and checked by src/provision/docker-repository.ts). */
export interface RepositoryRequest {
  /** A URL or a mirror's name; Docker's when absent. */
  url?: string
  channel?: DockerChannel
  /** A key file or URL of the user's own; the repository's own gpg file (Docker's key) when absent. */
  key?: string
  fingerprint?: string
  packages?: string[]
}

/** The install script of the script method: its text (read or fetched by tk), where it came from, and the sha256 the user named. */
export interface InstallScript {
  source: string
  content: string
  /** Checked again on each host, by the script that runs it, before it runs. */
  sha256?: string
}

export interface DesiredEngine {
  method: InstallMethod
  /** The method was named (--method, or engine.method in tk.yml), not tk's default: only then does a docker-ce host switch to docker.io. */
  methodNamed?: boolean
  /** A switch between docker.io and docker-ce may go to an older engine (src/provision/engine-switch.ts). */
  allowDowngrade?: boolean
  /** For the script method: the install script's text (read or fetched by tk) and where it came from. */
  script?: InstallScript
  /** For the docker method: the repository settings given (absent: Docker's own, stable, Docker's key). */
  repository?: RepositoryRequest
  compose: boolean
  /** Users to put in the docker group besides the login user. */
  dockerUsers: string[]
  /** Put the login user (when not root) in the docker group. */
  addLoginUser: boolean
  /** Go on even when tk check fails. */
  skipCheck: boolean
  /** An image to run a throwaway container from, to prove the engine works. */
  smokeImage?: string
  /** A semver range the engine's upstream version must fall in (distro method): the newest offered within it is installed. */
  engineVersion?: string
  /** Options for /etc/docker/daemon.json, merged over the host's file. */
  daemonConfig?: DesiredDaemonConfig
  /** Change storage-driver or data-root even where images or containers are present. */
  force: boolean
  /** Restart the engine after changing daemon.json; false writes the file only. */
  restart: boolean
  /** An offline bundle (checked on the workstation) to install the engine from, with no network: src/bundle/. */
  bundle?: SoundBundle
  /** Where tk's apt steps fetch packages: the host's own network (default) or the workstation's, over SSH. */
  fetch?: FetchVia
  /** More URLs the workstation's proxy may fetch from besides the host's apt sources (the engine's repository). */
  fetchSources?: string[]
}

export interface DesiredDaemonConfig {
  /** The options, nested (log-opts.max-size -> {"log-opts": {"max-size": ...}}); null removes a key. */
  patch: JsonObject
  /** Where they came from (a file, --daemon-opt), for messages. */
  sources: string[]
  /**
   * Paths of keys whose values came from ${ENV} in tk.yml (secrets): never
   * shown, neither the new value nor the host's old one, and a file holding
   * one is root's alone (0600).
   */
  secretPaths?: string[][]
}

export const DEFAULT_DESIRED: DesiredEngine = {
  method: 'distro',
  compose: false,
  dockerUsers: [],
  addLoginUser: true,
  skipCheck: false,
  force: false,
  restart: true,
}

/**
 * What the command line of `tk provision` said about the engine. For a host
 * of tk.yml, each part given wins over the host's `engine:` settings;
 * dockerUsers are added to tk.yml's users, and daemon options are merged
 * over tk.yml's (key by key, the command line's win). The rest is the
 * command line's alone.
 */
export interface DesiredOverrides {
  method?: InstallMethod
  allowDowngrade?: boolean
  script?: InstallScript
  /** Each part given wins over tk.yml's engine.repository, key by key. */
  repository?: RepositoryRequest
  compose?: boolean
  dockerUsers: string[]
  engineVersion?: string
  daemonConfig?: DesiredDaemonConfig
  addLoginUser: boolean
  skipCheck: boolean
  smokeImage?: string
  force: boolean
  restart: boolean
  bundle?: SoundBundle
  fetch?: FetchVia
}

export function overlayDesired(base: DesiredEngine, given: DesiredOverrides): DesiredEngine {
  const daemonConfig =
    base.daemonConfig && given.daemonConfig
      ? {
          patch: combineDaemonPatches(base.daemonConfig.patch, given.daemonConfig.patch),
          sources: [...base.daemonConfig.sources, ...given.daemonConfig.sources],
          ...(base.daemonConfig.secretPaths ? {secretPaths: base.daemonConfig.secretPaths} : {}),
        }
      : (given.daemonConfig ?? base.daemonConfig)
  return {
    ...base,
    ...(given.method === undefined ? {} : {method: given.method, methodNamed: true}),
    ...(given.allowDowngrade ? {allowDowngrade: true} : {}),
    ...(given.script === undefined ? {} : {script: given.script}),
    ...(given.repository === undefined ? {} : {repository: {...base.repository, ...given.repository}}),
    ...(given.compose === undefined ? {} : {compose: given.compose}),
    dockerUsers: [...new Set([...base.dockerUsers, ...given.dockerUsers])],
    ...(given.engineVersion === undefined ? {} : {engineVersion: given.engineVersion}),
    ...(daemonConfig === undefined ? {} : {daemonConfig}),
    addLoginUser: given.addLoginUser,
    skipCheck: given.skipCheck,
    ...(given.smokeImage === undefined ? {} : {smokeImage: given.smokeImage}),
    force: given.force,
    restart: given.restart,
    ...(given.bundle === undefined ? {} : {bundle: given.bundle}),
    ...(given.fetch === undefined ? {} : {fetch: given.fetch}),
  }
}
