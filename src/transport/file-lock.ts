/**
 * A lock between processes on one file, held while `work` runs: a directory
 * `FILE.lock` beside it (proper-lockfile), which works for a file that does
 * not exist yet. A lock older than 10 s belongs to a process that died
 * holding it and is taken over; a live holder is waited for with retries.
 */
import lockfile from 'proper-lockfile'

export async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const release = await lockfile.lock(file, {realpath: false, stale: 10_000, retries: {retries: 200, minTimeout: 5, maxTimeout: 100}})
  try {
    return await work()
  } finally {
    await release()
  }
}
