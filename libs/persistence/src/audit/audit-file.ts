import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { AuditEvent, ChainVerdict } from './audit-chain';
import { Chunk, chunkOf, DEFAULT_CHUNK_BYTES, ParallelVerifyOptions, verifyChunkStream } from './chunk-pool';
import { verifyAuditEventBatches } from './audit-stream';

/**
 * Verifies an export file (`GET /audit/export`), JSON lines or CSV (by its name, as readAuditExport reads it):
 * the same verdict as `verifyAuditEventBatches(readAuditExportBatches(path))`, but the file is read in chunks
 * of whole lines that worker threads check (chunk-pool.ts). A CSV file not laid out as Steward writes it
 * (another header, CRLF line ends, ...) is read the old way, by csv-parse, on this thread.
 */
export async function verifyAuditFile(path: string, options: ParallelVerifyOptions & { trustFirstLink?: boolean } = {}): Promise<ChainVerdict> {
  const csv = path.endsWith('.csv');
  const verdict = await verifyChunkStream(fileChunks(path, options.chunkBytes ?? DEFAULT_CHUNK_BYTES), csv ? 'csv' : 'jsonl', options);
  if (verdict !== 'unreadable') return verdict;
  return verifyAuditEventBatches(readAuditExportBatches(path), { trustFirstLink: options.trustFirstLink });
}

/** The file in chunks of about `chunkBytes` that end at a line end (LF), except the last; each chunk in a buffer of its own. */
async function* fileChunks(path: string, chunkBytes: number): AsyncGenerator<Chunk> {
  const file = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafeSlow(chunkBytes);
    let used = 0;
    for (;;) {
      if (used === buf.length) {
        // A line longer than the buffer: make room.
        const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(bigger, 0, 0, used);
        buf = bigger;
      }
      const { bytesRead } = await file.read(buf, used, buf.length - used, null);
      if (bytesRead === 0) {
        if (used > 0) yield chunkOf(buf.subarray(0, used));
        return;
      }
      used += bytesRead;
      if (used < buf.length) continue;
      const end = buf.lastIndexOf(10, used - 1);
      if (end === -1) continue;
      const rest = used - (end + 1);
      const next = Buffer.allocUnsafeSlow(Math.max(chunkBytes, rest * 2));
      buf.copy(next, 0, end + 1, used);
      // allocUnsafeSlow: the buffer owns its memory (not the shared pool), so it can be transferred to a thread.
      yield chunkOf(buf.subarray(0, end + 1));
      buf = next;
      used = rest;
    }
  } finally {
    await file.close();
  }
}

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
