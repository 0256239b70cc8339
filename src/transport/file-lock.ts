/**
 * A lock between processes on one file, held while `work` runs: a directory
 * `FILE.lock` beside it (proper-lockfile), which works for a file that does
 * not exist yet. A lock older than 10 s belongs to a process that died
 * holding it and is taken over; a live holder is waited for with retries.
 */
import lockfile from 'proper-lockfile'

export async function withFileLock<T>(file: string, work: () => Promise<T>, {staleMs = 10_000}: {staleMs?: number} = {}): Promise<T> {
  // The lock is refreshed every staleMs / 2: work that blocks the event loop longer (parsing a large file
  // on a loaded machine) must ask for a longer staleMs, or the lock is declared compromised and the process dies.
  const release = await lockfile.lock(file, {realpath: false, stale: staleMs, retries: {retries: 200, minTimeout: 5, maxTimeout: 100}})
  try {
    return await work()
  } finally {
    await release()
  }
}
