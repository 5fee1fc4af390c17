import { Controller, Get, Injectable, Module, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { DataSource } from 'typeorm';
import type { DirectoryUser } from '@steward/directory';
import { OVERSIGHT_ROLES, PRIORITIES } from '@steward/domain';
import { CurrentUser } from '../auth/current-user.decorator';
import { StewardException } from '../common/steward.exception';

export class ComplaintReportQuery {
  @ApiPropertyOptional({ format: 'date-time', description: 'complaints opened at or after' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'complaints opened before' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;
}

const READERS = ['team_lead', 'supervisor', 'manager', 'executive', ...OVERSIGHT_ROLES];

/** A clock counts as met when it finished without a breach; percentages are over clocks that finished or breached. */
const REPORT_SQL = `
  WITH c AS (
    SELECT id, view ->> 'priority' AS priority, created_at, view,
           (view #>> '{clocks,firstResponse,breachedAt}') IS NULL AND (view #>> '{clocks,firstResponse,doneAt}') IS NOT NULL AS fr_met,
           (view #>> '{clocks,firstResponse,breachedAt}') IS NOT NULL OR (view #>> '{clocks,firstResponse,doneAt}') IS NOT NULL AS fr_decided,
           (view #>> '{clocks,resolution,breachedAt}') IS NULL AND (view #>> '{clocks,resolution,doneAt}') IS NOT NULL AS res_met,
           (view #>> '{clocks,resolution,breachedAt}') IS NOT NULL OR (view #>> '{clocks,resolution,doneAt}') IS NOT NULL AS res_decided,
           (view ->> 'reopenCount')::int AS reopen_count,
           (view ->> 'resolvedAt')::timestamptz AS resolved_at
      FROM cases
     WHERE case_type = 'complaint' AND created_at >= $1 AND created_at < $2
  )
  SELECT priority,
         count(*)::int AS count,
         count(*) FILTER (WHERE fr_met)::int AS fr_met,
         count(*) FILTER (WHERE fr_decided)::int AS fr_decided,
         count(*) FILTER (WHERE res_met)::int AS res_met,
         count(*) FILTER (WHERE res_decided)::int AS res_decided,
         count(*) FILTER (WHERE reopen_count > 0)::int AS reopened,
         sum(EXTRACT(EPOCH FROM (resolved_at - created_at)) * 1000) FILTER (WHERE resolved_at IS NOT NULL)::float8 AS resolution_ms_sum,
         count(resolved_at)::int AS resolved,
         (SELECT count(*) FROM audit_events a WHERE a.action = 'sla_breached' AND a.case_id IN (SELECT id FROM c c2 WHERE c2.priority = c.priority))::int AS breaches
    FROM c
   GROUP BY priority`;

interface Row {
  priority: string;
  count: number;
  fr_met: number;
  fr_decided: number;
  res_met: number;
  res_decided: number;
  reopened: number;
  resolution_ms_sum: number | null;
  resolved: number;
  breaches: number;
}

const pct = (met: number, of: number) => (of === 0 ? null : Math.round((1000 * met) / of) / 10);

@Injectable()
export class ComplaintReportsService {
  constructor(private readonly dataSource: DataSource) {}

  async report(user: DirectoryUser, q: ComplaintReportQuery) {
    if (!user.roles.some((r) => READERS.includes(r))) throw StewardException.forbidden('complaint reports are for team leads, supervisors, managers and auditors');
    const from = q.from ?? '1970-01-01T00:00:00Z';
    const to = q.to ?? '9999-12-31T00:00:00Z';
    if (Date.parse(to) <= Date.parse(from)) throw StewardException.invalid('to', 'to must be after from');
    const rows: Row[] = await this.dataSource.query(REPORT_SQL, [from, to]);
    const sum = (k: keyof Row) => rows.reduce((n, r) => n + Number(r[k] ?? 0), 0);
    const total = sum('count');
    const resolved = sum('resolved');
    const byPriority = Object.fromEntries(
      PRIORITIES.map((p) => {
        const r = rows.find((x) => x.priority === p);
        return [
          p,
          {
            count: r?.count ?? 0,
            firstResponseMetPct: r ? pct(r.fr_met, r.fr_decided) : null,
            resolutionMetPct: r ? pct(r.res_met, r.res_decided) : null,
            breaches: r?.breaches ?? 0,
          },
        ];
      }),
    );
    return {
      from: q.from ?? null,
      to: q.to ?? null,
      total,
      byPriority,
      reopenRate: total === 0 ? null : Math.round((1000 * sum('reopened')) / total) / 1000,
      meanResolutionMs: resolved === 0 ? null : Math.round(sum('resolution_ms_sum') / resolved),
      breaches: sum('breaches'),
    };
  }
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class ComplaintReportsController {
  constructor(private readonly reports: ComplaintReportsService) {}

  @Get('complaints')
  @ApiOperation({ summary: 'SLA compliance per priority, reopen rate, mean resolution time and breaches, for complaints opened in [from, to)' })
  complaints(@CurrentUser() user: DirectoryUser, @Query() q: ComplaintReportQuery) {
    return this.reports.report(user, q);
  }
}

@Module({ controllers: [ComplaintReportsController], providers: [ComplaintReportsService] })
export class ReportsModule {}
