import { DataSource } from 'typeorm';

/** Per priority, for complaints opened in [from, to). */
export interface ComplaintReportRow {
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

/** Complaint queries beyond the generic read model: owner picking and the SLA report. */
export class ComplaintRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The agent of the team with the fewest open complaints (ties: alphabetical), or null when it has none. */
  async leastLoadedAgent(team: string): Promise<string | null> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT u.id
         FROM directory_users u
         LEFT JOIN cases c ON c.case_type = 'complaint' AND (c.view ->> 'ownerId') = u.id AND c.status NOT IN ('resolved', 'closed')
        WHERE u.team_id = $1 AND 'agent' = ANY(u.roles)
        GROUP BY u.id
        ORDER BY count(c.id), u.id
        LIMIT 1`,
      [team],
    );
    return rows[0]?.id ?? null;
  }

  report(from: string, to: string): Promise<ComplaintReportRow[]> {
    return this.dataSource.query(REPORT_SQL, [from, to]);
  }
}
