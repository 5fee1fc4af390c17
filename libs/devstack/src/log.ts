import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

/** Anything with pino's `info`/`debug` shape, e.g. a pino logger or a child of one. */
export interface DevstackLogger {
  info(message: string): void;
  debug(message: string): void;
}

/**
 * Progress sink accepted by every devstack function: a plain callback (which
 * only receives progress messages; chatty service output is dropped) or a
 * pino-style logger (which also receives that output at debug level).
 */
export type DevstackLog = ((message: string) => void) | DevstackLogger;

const ignore = (): void => undefined;

export function toLogger(log: DevstackLog | undefined): DevstackLogger {
  if (log === undefined) return { info: ignore, debug: ignore };
  if (typeof log === 'function') return { info: log, debug: ignore };
  return { info: (message) => log.info(message), debug: (message) => log.debug(message) };
}

/**
 * Keeps the last lines a child process printed, so a failure can say why
 * even when its output was not logged.
 */
export class OutputTail {
  private readonly lines: string[] = [];

  constructor(private readonly maxLines = 40) {}

  push(text: string): void {
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === '') continue;
      this.lines.push(line);
      if (this.lines.length > this.maxLines) this.lines.shift();
    }
  }

  toString(): string {
    return this.lines.length > 0 ? this.lines.join('\n') : '(no output)';
  }
}

export function forEachLine(stream: Readable | null, onLine: (line: string) => void): void {
  if (stream === null) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
