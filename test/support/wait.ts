/**
 * Waiting without fixed sleeps: poll a condition until it holds or a deadline passes. The interval only
 * paces the polling; the test goes on as soon as the condition is true.
 */

export interface WaitOptions {
  /** Give up after this long (default 20 s: real timers on a busy machine). */
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the timeout message. */
  what?: string;
}

/**
 * Calls `probe` until it returns something other than false, null or undefined, and returns that. Errors
 * from `probe` are not swallowed: a failing request fails the wait at once.
 */
export async function waitFor<T>(probe: () => Promise<T | false | null | undefined> | T | false | null | undefined, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 20_000, intervalMs = 100, what = 'a condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== false && value !== null && value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(intervalMs);
  }
}

/** Re-runs `check` until it stops throwing (expectations included), at most `timeoutMs`; then rethrows its last error. */
export async function eventually<T>(check: () => Promise<T>, { timeoutMs = 20_000, intervalMs = 250 }: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await pause(intervalMs);
    }
  }
}

/** The pause between two polls (not a synchronisation point: callers poll a condition around it). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
