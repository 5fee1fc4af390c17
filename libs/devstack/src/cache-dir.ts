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
