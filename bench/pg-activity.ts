import { Client } from 'pg';

/**
 * Samples pg_stat_activity for the backends of one application_name while a phase runs, to see where their
 * time goes: waiting for a lock, running, waiting on WAL, or idle in a transaction waiting for the client.
 * Backends waiting on a heavyweight lock are asked for their blockers (pg_blocking_pids), so the sample also
 * says what the lock holder was doing at that moment.
 */
export interface ActivitySummary {
  samples: number;
  /** Average number of backends in each state over the samples (they add up to the backends sampled). */
  backends: Record<string, number>;
  /** Fraction of samples in which at least one backend waited for a lock. */
  contendedFraction: number;
  /** What the lock holder was doing, as a fraction of the contended samples. */
  holder: Record<string, number>;
  /** Why sampling stopped early, if it did. */
  error: string | null;
}

interface Row {
  pid: number;
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  blockers: number[] | null;
}

const SAMPLE_SQL = `
  SELECT pid, state, wait_event_type, wait_event,
         CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) END AS blockers
  FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`;

/** One backend's state, in words. */
function describe(r: Row): string {
  if (r.state === 'idle in transaction') return 'idle in transaction (waiting for the client)';
  if (r.state === 'idle') return 'idle (client between transactions)';
  if (r.state === 'active') return r.wait_event_type ? `active, waiting ${r.wait_event_type}:${r.wait_event}` : 'active, on CPU';
  return r.state ?? 'unknown';
}

export class ActivitySampler {
  private readonly counts = new Map<string, number>();
  private readonly holderCounts = new Map<string, number>();
  private samples = 0;
  private contended = 0;
  private running: Promise<void> | null = null;
  private stopped = false;
  private error: string | null = null;

  constructor(
    private readonly client: Client,
    private readonly applicationName: string,
    private readonly intervalMs = 20,
  ) {}

  start(): void {
    this.stopped = false;
    this.running = (async () => {
      while (!this.stopped) {
        try {
          const { rows } = await this.client.query<Row>(SAMPLE_SQL, [this.applicationName]);
          this.record(rows);
        } catch (e) {
          this.error = (e as Error).message;
          return;
        }
        await new Promise((r) => setTimeout(r, this.intervalMs));
      }
    })();
  }

  private record(rows: Row[]): void {
    if (rows.length === 0) return;
    this.samples += 1;
    for (const r of rows) {
      const key = r.wait_event_type === 'Lock' ? `waiting for a lock (${r.wait_event})` : describe(r);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
    const waiting = rows.filter((r) => r.wait_event_type === 'Lock');
    if (waiting.length === 0) return;
    this.contended += 1;
    // Waiters queue behind each other on the tuple lock; the holder is the blocker that is not waiting itself.
    const waitingPids = new Set(waiting.map((r) => r.pid));
    const holderPids = new Set(waiting.flatMap((r) => r.blockers ?? []).filter((pid) => !waitingPids.has(pid)));
    const holders = rows.filter((r) => holderPids.has(r.pid));
    const key = holders.length === 0 ? 'not seen (finished between the reads)' : describe(holders[0]);
    this.holderCounts.set(key, (this.holderCounts.get(key) ?? 0) + 1);
  }

  async stop(): Promise<ActivitySummary> {
    this.stopped = true;
    await this.running;
    const perSample = (m: Map<string, number>, n: number) =>
      Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, n > 0 ? v / n : 0]));
    return {
      samples: this.samples,
      backends: perSample(this.counts, this.samples),
      contendedFraction: this.samples > 0 ? this.contended / this.samples : 0,
      holder: perSample(this.holderCounts, this.contended),
      error: this.error,
    };
  }
}
