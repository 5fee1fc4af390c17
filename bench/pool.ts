import { performance } from 'node:perf_hooks';

export interface PoolResult {
  wallMs: number;
  /** Latency of each successful operation, in completion order. */
  latencies: number[];
  errors: number;
  /** Up to `keepErrors` distinct error descriptions with how often each happened. */
  errorSamples: { error: string; count: number }[];
}

/**
 * Runs `op(i)` for i in 0..n-1 with at most `concurrency` in flight (closed loop: each lane starts its next
 * operation as soon as the previous one finished). `op` resolves to null on success or an error description.
 */
export async function runPool(n: number, concurrency: number, op: (i: number) => Promise<string | null>, keepErrors = 10): Promise<PoolResult> {
  const latencies: number[] = [];
  const errorCounts = new Map<string, number>();
  let errors = 0;
  let next = 0;

  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const started = performance.now();
      let error: string | null;
      try {
        error = await op(i);
      } catch (e) {
        error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
      const elapsed = performance.now() - started;
      if (error === null) {
        latencies.push(elapsed);
      } else {
        errors += 1;
        if (errorCounts.has(error) || errorCounts.size < keepErrors) errorCounts.set(error, (errorCounts.get(error) ?? 0) + 1);
      }
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, () => lane()));
  const wallMs = performance.now() - started;
  return { wallMs, latencies, errors, errorSamples: [...errorCounts].map(([error, count]) => ({ error, count })) };
}
