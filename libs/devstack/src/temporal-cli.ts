import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { stewardCacheDir } from './cache-dir';
import { withFileLock } from './file-lock';
import { DevstackLog, DevstackLogger, toLogger } from './log';
import { findOnPath, isExecutableFile, isPidAlive, runCommand } from './processes';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const TEMPORAL_CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const PROGRESS_INTERVAL_MS = 30_000;

export interface FindTemporalCliOptions {
  log?: DevstackLog;
}

/**
 * Locates a `temporal` binary: $TEMPORAL_CLI, then PATH, then the devstack
 * cache, and finally builds it from source with Go, which needs only the Go
 * module proxy rather than GitHub release downloads.
 */
export async function findOrBuildTemporalCli(options: FindTemporalCliOptions = {}): Promise<string> {
  const log = toLogger(options.log);

  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (await isExecutableFile(fromEnv)) return fromEnv;
    throw new Error(`TEMPORAL_CLI is set to "${fromEnv}", which is not an executable file. Point TEMPORAL_CLI at a temporal binary, or unset it.`);
  }

  const onPath = await findOnPath('temporal');
  if (onPath) {
    log.debug(`Using the Temporal CLI on PATH: ${onPath}`);
    return onPath;
  }

  const dir = temporalCliCacheDir();
  const cached = join(dir, 'temporal');
  if (await isExecutableFile(cached)) return cached;

  const go = await findOnPath('go');
  if (!go) {
    throw new Error(
      [
        'No Temporal CLI found, and Go is not installed to build one. Any of these fixes it:',
        '  - set TEMPORAL_CLI to the path of a temporal binary;',
        '  - put a temporal binary on PATH;',
        `  - install Go, and it will be built once into ${cached};`,
        '  - set TEMPORAL_ADDRESS to use an already running Temporal server instead of starting one.',
      ].join('\n'),
    );
  }

  await fs.mkdir(dir, { recursive: true });
  return withFileLock(join(dir, '.build.lock'), { log, purpose: 'building the Temporal CLI' }, async () => {
    // Another process may have finished the build while we waited for the lock.
    if (await isExecutableFile(cached)) return cached;
    await buildWithGo(go, dir, cached, log);
    return cached;
  });
}

export function temporalCliCacheDir(): string {
  return join(stewardCacheDir(), `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

async function buildWithGo(go: string, dir: string, target: string, log: DevstackLogger): Promise<void> {
  await removeAbandonedBuildDirs(dir);
  // Built beside the target so the final rename is atomic: a killed build
  // never leaves a half-written binary where we would later find it.
  const buildDir = join(dir, `.build-${process.pid}`);
  await fs.rm(buildDir, { recursive: true, force: true });
  await fs.mkdir(buildDir);

  log.info('Building the Temporal CLI with Go, first run only, takes a few minutes...');
  const started = Date.now();
  const progress = setInterval(() => {
    log.info(`Still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)} s so far)...`);
  }, PROGRESS_INTERVAL_MS);
  try {
    await runCommand(go, ['install', `${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}`], {
      cwd: buildDir,
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: buildDir },
      log,
      label: 'go',
    });
    await fs.rename(join(buildDir, 'temporal'), target);
  } finally {
    clearInterval(progress);
    await fs.rm(buildDir, { recursive: true, force: true });
  }
  log.info(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
}

async function removeAbandonedBuildDirs(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir)) {
    const match = /^\.build-(\d+)$/.exec(entry);
    if (match && !isPidAlive(Number(match[1]))) {
      await fs.rm(join(dir, entry), { recursive: true, force: true });
    }
  }
}
