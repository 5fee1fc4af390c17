import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { withFileLock } from '../../libs/devstack/src/file-lock';
import { toLogger } from '../../libs/devstack/src/log';
import { ROOT } from './isolation';

/**
 * Some e2e tests run compiled code (the audit CLI, the worker as a child process). They must run what the
 * sources say now, never a dist/ left over from an older checkout: global setup builds when any source is
 * newer than the last build, once, under a lock so that parallel runs in this worktree do not build over
 * each other.
 */

export const DIST = join(ROOT, 'dist');
/** What the tests run; tsc rewrites every output on each build, so their age is the build's. */
const ENTRY_POINTS = [join(DIST, 'apps', 'cli', 'src', 'audit-verify.js'), join(DIST, 'apps', 'worker', 'src', 'main.js'), join(DIST, 'apps', 'api', 'src', 'main.js')];
const LOCK = join(ROOT, 'node_modules', '.steward-build.lock');
const SOURCE_DIRS = ['apps', 'libs', 'workflows', 'bench'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json'];

function newestSource(): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  const consider = (file: string) => {
    const { mtimeMs } = statSync(file);
    if (mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  };
  for (const dir of SOURCE_DIRS) {
    for (const f of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      // Generated files (apps/web/src/api/schema.gen.ts) are written by the build itself, after tsc.
      if (f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.endsWith('.gen.ts')) consider(join(ROOT, dir, f));
    }
  }
  for (const f of SOURCE_FILES) if (existsSync(join(ROOT, f))) consider(join(ROOT, f));
  return newest;
}

/** Why dist/ needs building, or null when it is current. */
export function staleReason(): string | null {
  const missing = ENTRY_POINTS.find((f) => !existsSync(f));
  if (missing) return `${missing.slice(ROOT.length + 1)} is missing`;
  // tsc emits even when it fails, and tsc-alias then never rewrites the path aliases: such a dist/ cannot load.
  const unaliased = ENTRY_POINTS.find((f) => readFileSync(f, 'utf8').includes('require("@steward/'));
  if (unaliased) return `${unaliased.slice(ROOT.length + 1)} still requires @steward/ paths (an unfinished build)`;
  const builtAt = Math.min(...ENTRY_POINTS.map((f) => statSync(f).mtimeMs));
  const newest = newestSource();
  return newest.mtimeMs > builtAt ? `${newest.file.slice(ROOT.length + 1)} changed after the last build` : null;
}

/** Builds dist/ (npm run build) when it is missing or older than a source file. */
export async function ensureFreshBuild(log: (m: string) => void): Promise<void> {
  if (staleReason() === null) return;
  await withFileLock(LOCK, { log: toLogger(log), purpose: 'building dist/ for the tests', timeoutMs: 10 * 60_000 }, async () => {
    // Someone else may have built while we waited for the lock.
    const reason = staleReason();
    if (reason === null) return;
    log(`building dist/: ${reason}`);
    const started = Date.now();
    try {
      await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`npm run build failed, so the e2e tier cannot run the current code:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
    }
    log(`built dist/ in ${Date.now() - started} ms`);
  });
}

/** A compiled entry point under dist/, which global setup has brought up to date. */
export function distFile(...parts: string[]): string {
  const file = join(DIST, ...parts);
  if (!existsSync(file)) throw new Error(`${file} is missing although global setup built dist/: is it in tsconfig.build.json?`);
  return file;
}
