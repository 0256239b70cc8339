/**
 * A command run as root inside a sandbox machine through the sandbox engine
 * (docker exec), not over SSH: for tests and benches that lock a machine's
 * sshd down, or set it up as a provider would. What it reads on stdin is
 * `input`, so a secret (a password for chpasswd) never goes on a command line.
 */
import {PassThrough} from 'node:stream'

import type Docker from 'dockerode'

export interface EngineExecResult {
  code: number
  stdout: string
  stderr: string
}

export async function execInMachine(docker: Docker, containerId: string, command: string, input = ''): Promise<EngineExecResult> {
  const exec = await docker.getContainer(containerId).exec({Cmd: ['sh', '-c', command], AttachStdin: true, AttachStdout: true, AttachStderr: true})
  const stream = await exec.start({hijack: true, stdin: true})
  const [out, err] = [new PassThrough(), new PassThrough()]
  let stdout = ''
  let stderr = ''
  out.on('data', (chunk) => (stdout += chunk))
  err.on('data', (chunk) => (stderr += chunk))
  docker.modem.demuxStream(stream, out, err)
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve)
    stream.on('close', resolve)
    stream.on('error', reject)
  })
  stream.end(input)
  await ended
  const {ExitCode} = await exec.inspect()
  return {code: ExitCode ?? 255, stdout, stderr}
}

/**
 * Makes a sandbox machine look like a provider's new server: root's password
 * set (on chpasswd's stdin), password and root logins allowed by a drop-in
 * read first (00-provider.conf), and no key for anyone (admin's and op's
 * authorized_keys removed, op's password locked). tk bootstrap's test and
 * bench start from it.
 */
export async function makeRootPasswordOnly(docker: Docker, containerId: string, password: string): Promise<void> {
  const command = [
    'chpasswd',
    "printf 'PasswordAuthentication yes\\nPermitRootLogin yes\\n' >/etc/ssh/sshd_config.d/00-provider.conf",
    'rm -f /home/admin/.ssh/authorized_keys /home/op/.ssh/authorized_keys /root/.ssh/authorized_keys',
    'usermod -L op',
    'systemctl reload ssh',
  ].join(' && ')
  const result = await execInMachine(docker, containerId, command, `root:${password}\n`)
  if (result.code !== 0) throw new Error(`making the machine root-password-only failed (exit ${result.code}): ${result.stderr.trim()}`)
}
