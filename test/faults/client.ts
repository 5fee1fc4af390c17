import { signToken } from '@steward/directory';
import { JWT_SECRET } from './stack';

/**
 * The fault suite's HTTP client. It counts every answer by status, retries on a network error (the API was
 * killed) and on 503 (a dependency is down) with the same request, Idempotency-Key included, and records
 * every 5xx with what was down at the time.
 */

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export class FaultClient {
  readonly statuses = new Map<number, number>();
  requests = 0;
  /** Answers below 500: the fault loop waits for progress between kills. */
  successes = 0;
  networkErrors = 0;
  retries = 0;
  inFlight = 0;
  /** Every 500 (or other 5xx but 503), with what it said: each one is a failure of the suite. */
  readonly serverErrors: string[] = [];
  /** 503s seen while a dependency was down on purpose, by dependency. */
  readonly unavailableDuring = new Map<string, number>();
  /** What is down right now (set by the fault loop). */
  down: string | null = null;
  private readonly tokens = new Map<string, string>();

  constructor(private readonly baseUrl: () => string) {}

  private token(userId: string): string {
    let t = this.tokens.get(userId);
    if (!t) {
      t = signToken(userId, JWT_SECRET, 24 * 3600);
      this.tokens.set(userId, t);
    }
    return t;
  }

  /** One attempt: the status and body, or null on a network error. */
  async once(method: 'GET' | 'POST', path: string, userId: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer | null> {
    this.requests += 1;
    this.inFlight += 1;
    try {
      const res = await fetch(`${this.baseUrl()}${path}`, {
        method,
        headers: { Authorization: `Bearer ${this.token(userId)}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(120_000),
      });
      const text = await res.text();
      this.statuses.set(res.status, (this.statuses.get(res.status) ?? 0) + 1);
      let parsed: Record<string, unknown> = {};
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        parsed = { text };
      }
      if (res.status < 500) this.successes += 1;
      if (res.status === 503 && this.down) this.unavailableDuring.set(this.down, (this.unavailableDuring.get(this.down) ?? 0) + 1);
      if (res.status >= 500 && res.status !== 503) this.serverErrors.push(`${method} ${path} as ${userId} -> ${res.status} (down: ${this.down ?? 'nothing'}): ${text.slice(0, 300)}`);
      return { status: res.status, body: parsed };
    } catch {
      this.networkErrors += 1;
      return null;
    } finally {
      this.inFlight -= 1;
    }
  }

  /**
   * Sends until an answer below 500 arrives, repeating the same request (same Idempotency-Key) after a network
   * error or a 5xx. `attempts` tells the caller whether an earlier attempt may have landed.
   */
  async send(method: 'GET' | 'POST', path: string, userId: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer & { attempts: number }> {
    const deadline = Date.now() + 240_000;
    for (let attempts = 1; ; attempts++) {
      const answer = await this.once(method, path, userId, body, headers);
      if (answer && answer.status < 500) return { ...answer, attempts };
      if (Date.now() > deadline) throw new Error(`${method} ${path} as ${userId}: no answer below 500 within 240 s (last: ${answer ? answer.status : 'network error'})`);
      this.retries += 1;
      // A retry pause, not a synchronisation: the loop ends on an answer or at its deadline.
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * attempts)));
    }
  }
}
