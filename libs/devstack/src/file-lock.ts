import { promises as fs } from 'node:fs';
import { DevstackLogger } from './log';
import { isPidAlive, sleep } from './processes';

export interface FileLockOptions {
  log: DevstackLogger;
  /** What the lock protects, for the "waiting" message. */
  purpose: string;
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * Runs `work` while holding an exclusive lock file containing our pid, so
 * parallel processes (e.g. Jest workers) do not all build the same tool.
 *
 * A lock whose owner has died is treated as stale and taken over. Two
 * waiters can race on that takeover and both proceed; callers must therefore
 * publish their results atomically (build elsewhere, then rename), which
 * keeps the outcome correct and only costs a duplicate build.
 */
export async function withFileLock<T>(lockPath: string, options: FileLockOptions, work: () => Promise<T>): Promise<T> {
  await acquire(lockPath, options);
  try {
    return await work();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

async function acquire(lockPath: string, options: FileLockOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let announcedWait = false;
  for (;;) {
    try {
      await fs.writeFile(lockPath, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }

    const owner = await readOwner(lockPath);
    if (owner !== null && !isPidAlive(owner)) {
      options.log.info(`Removing stale lock ${lockPath} left by process ${owner}`);
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${lockPath} (held by process ${owner ?? 'unknown'}) while ${options.purpose}`);
    }
    if (!announcedWait) {
      options.log.info(`Waiting for process ${owner ?? 'unknown'}, which is already ${options.purpose}`);
      announcedWait = true;
    }
    await sleep(options.pollMs ?? 1000);
  }
}

async function readOwner(lockPath: string): Promise<number | null> {
  try {
    const pid = Number.parseInt(await fs.readFile(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    // Deleted between our create attempt and this read: the next loop retries.
    return null;
  }
}
