import { pipeline, Readable } from 'node:stream';
import { Injectable, StreamableFile } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { stringify } from 'csv-stringify';
import { DataSource } from 'typeorm';
import type { DirectoryUser } from '@steward/directory';
import { AuditEvent, AuditFilters, CaseRepository, poolOf, queryAuditEvents, readChainHead, streamAuditEventBatches, verifyAuditChain } from '@steward/persistence';
import { AccessPolicy } from '../auth/access-policy';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { StewardException } from '../common/steward.exception';
import { AuditAccessService } from './audit-access.service';
import { AuditExportDto, AuditFiltersDto } from './dto/audit-query.dto';

const CSV_COLUMNS = ['seq', 'id', 'at', 'caseType', 'caseId', 'actorId', 'action', 'fromStatus', 'toStatus', 'data', 'workflowId', 'runId', 'prevHash', 'hash'];

/** Events per cursor fetch and per chunk of an export (about 160 KiB of JSON lines): few rows in flight, so few survive into the old generation. */
const EXPORT_BATCH = 250;

function filtersOf(q: AuditFiltersDto): AuditFilters {
  return { caseType: q.caseType, caseId: q.caseId, actorId: q.actorId, action: q.action, from: q.from, to: q.to };
}

@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cases: CaseRepository,
    private readonly temporal: Client,
    private readonly access: AccessPolicy,
    private readonly accessLog: AuditAccessService,
  ) {}

  async events(user: DirectoryUser, q: AuditFiltersDto): Promise<Page<AuditEvent>> {
    this.access.assertOversight(user);
    const limit = q.limit ?? 50;
    const after = decodeCursor(q.cursor, ['seq']);
    const filters = filtersOf(q);
    const rows = await queryAuditEvents(this.dataSource, { ...filters, afterSeq: after ? Number(after[0]) : undefined }, limit + 1);
    await this.accessLog.record(user.id, 'list', { filters, cursor: q.cursor ?? null });
    return toPage(rows, limit, (e) => [e.seq]);
  }

  /** Streams every matching event, oldest first, through a server-side cursor: constant memory. */
  async export(user: DirectoryUser, q: AuditExportDto): Promise<StreamableFile> {
    this.access.assertOversight(user);
    const format = q.format ?? 'jsonl';
    // Only events that are on disk: appends commit asynchronously and are flushed just after (see AUDIT.md,
    // "Durable before acknowledged"). Every event up to the head read here committed before the access record's
    // synchronous commit, which flushes the WAL past them all, so none of what is exported can be taken back by a crash.
    const durableHead = (await readChainHead(poolOf(this.dataSource)))?.seq ?? 0;
    const toSeq = Math.min(q.toSeq ?? Number.MAX_SAFE_INTEGER, durableHead);
    const filters = { ...filtersOf(q), fromSeq: q.fromSeq, toSeq };
    await this.accessLog.record(user.id, 'export', { filters: { ...filters, toSeq: q.toSeq }, format });
    const batches = streamAuditEventBatches(poolOf(this.dataSource), filters, EXPORT_BATCH);
    // Chunks of a few hundred lines, pulled only when the response has taken the previous one (highWaterMark 1):
    // the API holds a batch or two whatever the size of the export. Chunks stay strings (object mode), which
    // the socket writes from native memory, rather than Buffers the garbage collector would have to free.
    const body =
      format === 'jsonl'
        ? Readable.from(
            (async function* () {
              for await (const batch of batches) {
                let chunk = '';
                for (const e of batch) chunk += `${JSON.stringify(e)}\n`;
                yield chunk;
              }
            })(),
            { highWaterMark: 1 },
          )
        : // pipeline, not pipe: a client that goes away destroys the CSV stream, and pipeline passes that on to
          // the source, whose generator then releases its database connection.
          pipeline(
            Readable.from(
              (async function* () {
                for await (const batch of batches) {
                  for (const e of batch) yield CSV_COLUMNS.map((c) => (c === 'data' ? JSON.stringify(e.data) : (e as unknown as Record<string, unknown>)[c]));
                }
              })(),
            ),
            stringify({ header: true, columns: CSV_COLUMNS }),
            () => undefined,
          );
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return new StreamableFile(body, {
      type: format === 'jsonl' ? 'application/x-ndjson' : 'text/csv; charset=utf-8',
      disposition: `attachment; filename="steward-audit-${stamp}.${format}"`,
    });
  }

  async verify(user: DirectoryUser) {
    this.access.assertOversight(user);
    const verdict = await verifyAuditChain(poolOf(this.dataSource));
    await this.accessLog.record(user.id, 'verify', { ok: verdict.ok });
    if (verdict.ok) return { ok: true, checked: verdict.checked, headSeq: verdict.headSeq, headHash: verdict.headHash };
    return { ok: false, firstBadSeq: verdict.firstBadSeq, reason: verdict.reason, checked: verdict.checked };
  }

  async accessLogPage(user: DirectoryUser, limit: number, cursor?: string) {
    this.access.assertOversight(user);
    const before = decodeCursor(cursor, ['seq']);
    const rows = await this.accessLog.list(limit, before ? Number(before[0]) : undefined);
    return toPage(rows, limit, (r) => [r.id]);
  }

  /** Every run of the case's workflow, with its full Temporal event history. */
  async history(user: DirectoryUser, caseType: string, caseId: string) {
    this.access.assertOversight(user);
    const row = await this.cases.findCase(caseType, caseId);
    if (!row) throw StewardException.notFound(`${caseType} ${caseId}`);
    await this.accessLog.record(user.id, 'history', { caseType, caseId });
    const runs = [];
    for await (const execution of this.temporal.workflow.list({ query: `WorkflowId = '${row.workflowId}'` })) {
      const history = await this.temporal.workflow.getHandle(row.workflowId, execution.runId).fetchHistory();
      runs.push({
        runId: execution.runId,
        status: execution.status.name,
        startTime: execution.startTime.toISOString(),
        closeTime: execution.closeTime?.toISOString() ?? null,
        history: JSON.parse(historyToJSON(history)),
      });
    }
    runs.sort((a, b) => a.startTime.localeCompare(b.startTime));
    return { caseType, caseId, workflowId: row.workflowId, runs };
  }
}
