import { Injectable } from '@nestjs/common';
import type { DirectoryUser } from '@steward/directory';
import { OVERSIGHT_ROLES, PRIORITIES } from '@steward/domain';
import { ComplaintReportRow, ComplaintRepository } from '@steward/persistence';
import { StewardException } from '../common/steward.exception';
import { ComplaintReportQueryDto, ComplaintReportResponseDto } from './dto/complaint-report.dto';

const READERS = ['team_lead', 'supervisor', 'manager', 'executive', ...OVERSIGHT_ROLES];

const pct = (met: number, of: number) => (of === 0 ? null : Math.round((1000 * met) / of) / 10);

@Injectable()
export class ComplaintReportsService {
  constructor(private readonly complaints: ComplaintRepository) {}

  async report(user: DirectoryUser, q: ComplaintReportQueryDto): Promise<ComplaintReportResponseDto> {
    if (!user.roles.some((r) => READERS.includes(r))) throw StewardException.forbidden('complaint reports are for team leads, supervisors, managers and auditors');
    const from = q.from ?? '1970-01-01T00:00:00Z';
    const to = q.to ?? '9999-12-31T00:00:00Z';
    if (Date.parse(to) <= Date.parse(from)) throw StewardException.invalid('to', 'to must be after from');
    const rows = await this.complaints.report(from, to);
    const sum = (k: keyof ComplaintReportRow) => rows.reduce((n, r) => n + Number(r[k] ?? 0), 0);
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
