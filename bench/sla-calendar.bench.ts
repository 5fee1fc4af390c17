/**
 * How long the SLA calendar takes to place a target: an 80-working-hour target on a business calendar
 * (Shanghai, lunch break, a holiday), on a fresh calendar each run and on a cached one. Every SLA timer and
 * every read of a complaint does this, so it belongs in a benchmark rather than in a timed unit test.
 *
 *   npm run bench:sla        (BENCH_N runs, default 20,000)
 */
import { WorkCalendar } from '@steward/domain';
import { intFromEnv, machineInfo, runMain } from './run';
import { fixed, table } from './stats';

const H = 3_600_000;

function spec() {
  return {
    type: 'business' as const,
    timezone: 'Asia/Shanghai',
    week: { mon: ['09:00-12:00', '13:00-18:00'], tue: ['09:00-18:00'], wed: ['09:00-18:00'], thu: ['09:00-18:00'], fri: ['09:00-18:00'] },
    holidays: ['2026-10-01'],
  };
}

runMain(async () => {
  const n = intFromEnv('BENCH_N', 20_000, 1);
  const start = Date.parse('2026-09-28T01:00:00Z');
  const measure = (calendar: () => WorkCalendar) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) calendar().addWorkingTime(start + (i % 500) * H, 80 * H);
    return ((performance.now() - t0) * 1000) / n;
  };
  const fresh = measure(() => WorkCalendar.from(spec()));
  const cached = WorkCalendar.from(spec());
  const warm = measure(() => cached);
  process.stdout.write(`${JSON.stringify(machineInfo())}\n`);
  process.stdout.write(
    `${table(
      ['calendar', 'runs', 'µs per 80-hour target'],
      [
        ['fresh (parsed each run)', String(n), fixed(fresh)],
        ['cached', String(n), fixed(warm)],
      ],
    )}\n`,
  );
  return 0;
});
