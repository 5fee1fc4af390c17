/** Latency and throughput figures for one benchmark phase. */
export interface PhaseSummary {
  name: string;
  n: number;
  concurrency: number;
  wallMs: number;
  throughput: number;
  ok: number;
  errors: number;
  latencyMs: { min: number; mean: number; p50: number; p95: number; p99: number; max: number };
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Latencies are of successful operations only; errors are counted separately. */
export function summarize(name: string, concurrency: number, n: number, wallMs: number, latencies: readonly number[], errors: number): PhaseSummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    name,
    n,
    concurrency,
    wallMs,
    throughput: wallMs > 0 ? (sorted.length / wallMs) * 1000 : 0,
    ok: sorted.length,
    errors,
    latencyMs: {
      min: sorted[0] ?? Number.NaN,
      mean: sorted.length ? sum / sorted.length : Number.NaN,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? Number.NaN,
    },
  };
}

/** Renders rows as a fixed-width table: first column left-aligned, the rest right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
