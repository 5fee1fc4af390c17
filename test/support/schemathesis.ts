import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { stewardCacheDir } from '../../libs/devstack/src/cache-dir';
import { withFileLock } from '../../libs/devstack/src/file-lock';
import { findOnPath, isExecutableFile, runCommand } from '../../libs/devstack/src/processes';

/** The Schemathesis release the fuzz test runs, pinned: a new release may generate other cases. */
export const SCHEMATHESIS_VERSION = '4.32.5';

const log = {
  info: (m: string) => process.stderr.write(`[schemathesis] ${m}\n`),
  debug: () => undefined,
};

/**
 * The `st` command of the pinned Schemathesis: $SCHEMATHESIS_CLI, else a virtualenv in the devstack cache
 * (outside the repository, like the Temporal CLI), made once with python3 -m venv and pip from PyPI.
 */
export async function findOrInstallSchemathesis(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.SCHEMATHESIS_CLI) {
    if (await isExecutableFile(env.SCHEMATHESIS_CLI)) return env.SCHEMATHESIS_CLI;
    throw new Error(`SCHEMATHESIS_CLI is set to "${env.SCHEMATHESIS_CLI}", which is not an executable file`);
  }
  const cache = stewardCacheDir(env);
  const venv = join(cache, `schemathesis-${SCHEMATHESIS_VERSION}`);
  const st = join(venv, 'bin', 'st');
  if (await isExecutableFile(st)) return st;
  const python = await findOnPath('python3', env);
  if (!python) throw new Error('python3 is not on PATH: the fuzz test needs it to install Schemathesis from PyPI (or set SCHEMATHESIS_CLI)');
  await fs.mkdir(cache, { recursive: true });
  return withFileLock(`${venv}.lock`, { log, purpose: `installing Schemathesis ${SCHEMATHESIS_VERSION}` }, async () => {
    if (await isExecutableFile(st)) return st;
    // Built under another name and renamed, so a half-made virtualenv is never taken for a finished one.
    const building = `${venv}.building-${process.pid}`;
    await fs.rm(building, { recursive: true, force: true });
    log.info(`installing schemathesis==${SCHEMATHESIS_VERSION} from PyPI into ${venv} (first run only)...`);
    await runCommand(python, ['-m', 'venv', building], { log, label: 'venv', quiet: true });
    await runCommand(join(building, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', `schemathesis==${SCHEMATHESIS_VERSION}`], {
      log,
      label: 'pip',
      quiet: true,
    });
    // A virtualenv's scripts name its own path in their shebang: move it, then rewrite those.
    await fs.rm(venv, { recursive: true, force: true });
    await fs.rename(building, venv);
    await rewriteShebangs(join(venv, 'bin'), building, venv);
    return st;
  });
}

async function rewriteShebangs(bin: string, from: string, to: string): Promise<void> {
  for (const name of await fs.readdir(bin)) {
    const file = join(bin, name);
    const stat = await fs.lstat(file);
    if (!stat.isFile() || stat.size > 1_000_000) continue;
    const text = await fs.readFile(file, 'latin1');
    if (text.includes(from)) await fs.writeFile(file, text.split(from).join(to), 'latin1');
  }
}
