/** The worker's V8 heap limit, in MiB, unless `WORKER_HEAP_MB` says otherwise. */
export const DEFAULT_WORKER_HEAP_MB = 384;

/**
 * How to start a worker process so that its memory follows its workflow cache and not the machine it runs on:
 * - `--max-old-space-size` (`WORKER_HEAP_MB`, default 384): a cached workflow holds well under 0.1 MB of live
 *   heap, but with Node's default limit (a quarter of the machine's memory, 4 GiB here) V8 lets garbage pile up
 *   to hundreds of MB before it collects;
 * - `MALLOC_ARENA_MAX=2`: the SDK's Rust core allocates from many threads, and glibc's default of one malloc
 *   arena per thread (up to 8 per core) leaves much of that memory fragmented and resident.
 * Measured with `npm run bench:complaints`, 600 complaints all cached: worker PSS 475 MiB with neither, 426 MiB with
 * a 256 MiB heap limit, 372 MiB with that limit and MALLOC_ARENA_MAX=2 (docs/PERFORMANCE.md). Both must be set before the process starts, so they are
 * given by whoever spawns it (`npm start`'s launcher, `npm run start:worker`, docker/compose.yml, the benchmarks).
 * A `--max-old-space-size` already in `NODE_OPTIONS`, or a `MALLOC_ARENA_MAX` already set, wins.
 */
export function workerProcessOptions(env: NodeJS.ProcessEnv = process.env): { execArgv: string[]; env: Record<string, string> } {
  const raw = env.WORKER_HEAP_MB ?? String(DEFAULT_WORKER_HEAP_MB);
  const heapMb = Number(raw);
  if (!/^\d+$/.test(raw) || heapMb < 128) throw new RangeError(`WORKER_HEAP_MB must be a whole number of MiB, at least 128 (got "${raw}")`);
  const heapGiven = /--max-old-space-size[= ]/.test(env.NODE_OPTIONS ?? '');
  return {
    execArgv: heapGiven ? [] : [`--max-old-space-size=${heapMb}`],
    env: { MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2' },
  };
}
