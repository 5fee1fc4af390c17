import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DirectoryUser } from '@steward/directory';
import { ApprovalTypes, OVERSIGHT_ROLES } from '@steward/domain';
import { StewardException } from '../common/steward.exception';
import { APPROVAL_TYPES } from './approval-types.provider';
import { ApprovalReportDto, ApprovalReportQuery, LevelWaitDto, TypeReportDto } from './dto/approval-report.dto';

const READERS = ['manager', 'finance', 'executive', ...OVERSIGHT_ROLES];

/** Requests submitted in [from, to), of one type or all: the read model's views, one row each. */
const REQUESTS = `
  WITH r AS (
    SELECT view ->> 'type' AS type, status, created_at, (view ->> 'decidedAt')::timestamptz AS decided_at, view
      FROM cases
     WHERE case_type = 'approval_request' AND created_at >= $1 AND created_at < $2
       AND ($3::text IS NULL OR (view ->> 'type') = $3)
  )`;

/** Cycle time runs from submission to the final decision (after any revisions). */
const TYPES_SQL = `${REQUESTS}
  SELECT type,
         count(*)::int AS count,
         count(decided_at)::int AS decided,
         count(*) FILTER (WHERE decided_at IS NOT NULL AND status <> 'rejected')::int AS approved,
         count(*) FILTER (WHERE status = 'rejected')::int AS rejected,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (decided_at - created_at)) * 1000) FILTER (WHERE decided_at IS NOT NULL) AS p50,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (decided_at - created_at)) * 1000) FILTER (WHERE decided_at IS NOT NULL) AS p90
    FROM r
   GROUP BY type`;

/** Waiting time of every level that opened, in every round: from its start to its decision. */
const LEVELS_SQL = `${REQUESTS}
  , lv AS (
    SELECT r.type, l ->> 'name' AS level, l ->> 'status' AS status,
           EXTRACT(EPOCH FROM ((l ->> 'decidedAt')::timestamptz - (l ->> 'startedAt')::timestamptz)) * 1000 AS wait_ms
      FROM r
     CROSS JOIN LATERAL (
       SELECT cur.l FROM jsonb_array_elements(COALESCE(r.view -> 'approvalLevels', '[]'::jsonb)) AS cur(l)
       UNION ALL
       SELECT prev.l FROM jsonb_array_elements(COALESCE(r.view -> 'previousRounds', '[]'::jsonb)) AS pr(round)
        CROSS JOIN LATERAL jsonb_array_elements(pr.round) AS prev(l)
     ) AS levels(l)
     WHERE l ->> 'startedAt' IS NOT NULL
  )
  SELECT type, level,
         count(wait_ms)::int AS count,
         count(*) FILTER (WHERE status = 'pending')::int AS waiting,
         avg(wait_ms)::float8 AS mean,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY wait_ms) FILTER (WHERE wait_ms IS NOT NULL) AS p50,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY wait_ms) FILTER (WHERE wait_ms IS NOT NULL) AS p90
    FROM lv
   GROUP BY type, level
   ORDER BY type, level`;

interface TypeRow {
  type: string;
  count: number;
  decided: number;
  approved: number;
  rejected: number;
  p50: number | null;
  p90: number | null;
}

interface LevelRow {
  type: string;
  level: string;
  count: number;
  waiting: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
}

const ms = (v: number | string | null) => (v === null ? null : Math.round(Number(v)));

/** Approval cycle time (审批流程耗时), the KPI to cut: per type, and where requests wait. */
@Injectable()
export class ApprovalReportsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APPROVAL_TYPES) private readonly types: ApprovalTypes,
  ) {}

  async report(user: DirectoryUser, q: ApprovalReportQuery): Promise<ApprovalReportDto> {
    if (!user.roles.some((r) => READERS.includes(r))) throw StewardException.forbidden('approval reports are for managers, finance, executives, auditors and admins');
    const from = q.from ?? '1970-01-01T00:00:00Z';
    const to = q.to ?? '9999-12-31T00:00:00Z';
    if (Number.isNaN(Date.parse(from))) throw StewardException.invalid('from', 'from must be an ISO 8601 date-time');
    if (Number.isNaN(Date.parse(to))) throw StewardException.invalid('to', 'to must be an ISO 8601 date-time');
    if (Date.parse(to) <= Date.parse(from)) throw StewardException.invalid('to', 'to must be after from');
    const params = [new Date(from).toISOString(), new Date(to).toISOString(), q.type ?? null];
    const [typeRows, levelRows]: [TypeRow[], LevelRow[]] = await Promise.all([this.dataSource.query(TYPES_SQL, params), this.dataSource.query(LEVELS_SQL, params)]);
    const names = q.type ? [q.type] : [...new Set([...Object.keys(this.types), ...typeRows.map((r) => r.type)])];
    const byType: Record<string, TypeReportDto> = {};
    for (const name of names) {
      const r = typeRows.find((x) => x.type === name);
      const levels: Record<string, LevelWaitDto> = {};
      for (const l of levelRows.filter((x) => x.type === name)) {
        levels[l.level] = { count: l.count, waiting: l.waiting, meanMs: ms(l.mean), p50Ms: ms(l.p50), p90Ms: ms(l.p90) };
      }
      byType[name] = {
        count: r?.count ?? 0,
        decided: r?.decided ?? 0,
        approved: r?.approved ?? 0,
        rejected: r?.rejected ?? 0,
        approvedPct: r && r.decided > 0 ? Math.round((1000 * r.approved) / r.decided) / 10 : null,
        cycleTime: { p50Ms: ms(r?.p50 ?? null), p90Ms: ms(r?.p90 ?? null) },
        levels,
      };
    }
    return { from: q.from ?? null, to: q.to ?? null, type: q.type ?? null, total: typeRows.reduce((n, r) => n + r.count, 0), byType };
  }
}
