import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { AuditEvent } from './audit-chain';

/** Events from an export file (`GET /audit/export`), JSON lines or CSV, read as a stream. */
export async function* readAuditExport(path: string): AsyncGenerator<AuditEvent> {
  if (path.endsWith('.csv')) {
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
    return;
  }
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield JSON.parse(line) as AuditEvent;
}
