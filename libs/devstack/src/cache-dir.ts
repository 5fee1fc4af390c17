import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Tools built or downloaded by devstack live outside the repository so that
 * clean clones and CI runs with a persisted cache directory reuse them.
 */
export function stewardCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STEWARD_CACHE_DIR) return env.STEWARD_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'steward');
  return join(homedir(), '.cache', 'steward');
}

/**
 * Root only: Postgres then runs as the `postgres` OS user. Binaries and clusters that this user could not
 * reach where they are (inside a mode-700 directory such as /root) go here instead: root's, open to all.
 */
export function rootPostgresHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.STEWARD_POSTGRES_HOME || '/var/lib/steward/postgres';
}
