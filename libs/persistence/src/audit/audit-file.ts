import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { AuditEvent } from './audit-chain';

/** Events from an export file (`GET /audit/export`), JSON lines or CSV, read as a stream. */
export async function* readAuditExport(path: string): AsyncGenerator<AuditEvent> {
  for await (const batch of readAuditExportBatches(path)) yield* batch;
}

/**
 * The same events in batches (one per chunk read from the file): a reader that checks events one by one
 * then awaits once per chunk, not once per event. Lines end with LF, CRLF or CR; blank lines are skipped.
 */
export async function* readAuditExportBatches(path: string): AsyncGenerator<AuditEvent[]> {
  if (path.endsWith('.csv')) {
    yield* batched(readCsv(path), 1000);
    return;
  }
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    const end = text.lastIndexOf('\n');
    if (end === -1) {
      rest = text;
      continue;
    }
    rest = text.slice(end + 1);
    const batch = parseLines(text.slice(0, end));
    if (batch.length > 0) yield batch;
  }
  const last = parseLines(rest);
  if (last.length > 0) yield last;
}

function parseLines(text: string): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const line of text.split('\n')) {
    // A raw CR never occurs inside a JSON line (JSON escapes it), so it can only end one.
    const parts = line.includes('\r') ? line.split('\r') : [line];
    for (const part of parts) if (part.trim()) events.push(JSON.parse(part) as AuditEvent);
  }
  return events;
}

async function* batched<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

async function* readCsv(path: string): AsyncGenerator<AuditEvent> {
  const rows = createReadStream(path).pipe(parse({ columns: true }));
  for await (const r of rows as AsyncIterable<Record<string, string>>) {
    yield {
      seq: Number(r.seq),
      id: r.id,
      at: r.at,
      caseType: r.caseType,
      caseId: r.caseId,
      actorId: r.actorId,
      action: r.action,
      // Statuses are never empty: an empty cell is a null.
      fromStatus: r.fromStatus === '' ? null : r.fromStatus,
      toStatus: r.toStatus === '' ? null : r.toStatus,
      data: JSON.parse(r.data) as Record<string, unknown>,
      workflowId: r.workflowId,
      runId: r.runId,
      prevHash: r.prevHash,
      hash: r.hash,
    };
  }
}
