import { DateTime } from 'luxon';
import { type CalendarSpec, WorkCalendar } from './calendar';

const H = 3_600_000;
const M = 60_000;

/** An unambiguous local time in a zone, as epoch ms. */
const local = (zone: string, isoLocal: string) => DateTime.fromISO(isoLocal, { zone }).toMillis();
/** An instant written with its offset: unambiguous even inside a DST change. */
const instant = (iso: string) => Date.parse(iso);

const OFFICE = ['09:00-12:00', '13:00-18:00'];
const shanghaiSpec = (holidays: string[] = []): Extract<CalendarSpec, { type: 'business' }> => ({
  type: 'business',
  timezone: 'Asia/Shanghai',
  week: { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE, sat: [] },
  holidays,
});
const everyDay = (timezone: string, hours: string[]): CalendarSpec => ({
  type: 'business',
  timezone,
  week: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours },
});

describe('WorkCalendar 24x7', () => {
  const cal = WorkCalendar.from({ type: '24x7' });
  const s = instant('2026-03-08T01:30:00-05:00');

  it('adds and measures plain elapsed time', () => {
    expect(cal.addWorkingTime(s, 4 * H)).toBe(s + 4 * H);
    expect(cal.addWorkingTime(s, 0)).toBe(s);
    expect(cal.workingTimeBetween(s, s + 25 * H)).toBe(25 * H);
    expect(cal.workingTimeBetween(s, s)).toBe(0);
    expect(cal.workingTimeBetween(s + 1, s)).toBe(0);
    expect(cal.isWorkingTime(s)).toBe(true);
  });
});

describe('WorkCalendar business hours (Asia/Shanghai, 09:00-12:00 and 13:00-18:00 on weekdays)', () => {
  const cal = WorkCalendar.from(shanghaiSpec());
  const sh = (iso: string) => local('Asia/Shanghai', iso);

  it.each<[string, string, number, string]>([
    ['over the weekend', '2026-01-02T17:00', 2 * H, '2026-01-05T10:00'],
    ['over the lunch break', '2026-01-05T11:30', 1 * H, '2026-01-05T13:30'],
    ['ending exactly at closing time (due then, not at the next opening)', '2026-01-02T16:00', 2 * H, '2026-01-02T18:00'],
    ['ending exactly at the lunch break', '2026-01-05T11:00', 1 * H, '2026-01-05T12:00'],
    ['from a Saturday', '2026-01-03T10:00', 1 * H, '2026-01-05T10:00'],
    ['from before opening', '2026-01-05T07:00', 1 * H, '2026-01-05T10:00'],
    ['from inside the lunch break', '2026-01-05T12:15', 30 * M, '2026-01-05T13:30'],
    ['from closing time', '2026-01-05T18:00', 1 * H, '2026-01-06T10:00'],
    ['from midnight', '2026-01-06T00:00', 1 * H, '2026-01-06T10:00'],
    ['a 40-hour P3 resolution', '2026-01-07T10:00', 40 * H, '2026-01-14T10:00'],
    ['an 80-hour P4 resolution', '2026-01-05T09:00', 80 * H, '2026-01-16T18:00'],
  ])('adds working time %s', (_case, start, working, due) => {
    expect(cal.addWorkingTime(sh(start), working)).toBe(sh(due));
    expect(cal.workingTimeBetween(sh(start), sh(due))).toBe(working);
  });

  it('returns the start itself for zero working time, even outside working hours', () => {
    expect(cal.addWorkingTime(sh('2026-01-03T10:00'), 0)).toBe(sh('2026-01-03T10:00'));
    expect(cal.addWorkingTime(sh('2026-01-05T10:00'), 0)).toBe(sh('2026-01-05T10:00'));
  });

  it('measures working time between instants', () => {
    expect(cal.workingTimeBetween(sh('2026-01-05T09:00'), sh('2026-01-09T18:00'))).toBe(40 * H);
    expect(cal.workingTimeBetween(sh('2026-01-05T00:00'), sh('2026-01-12T00:00'))).toBe(40 * H);
    expect(cal.workingTimeBetween(sh('2026-01-05T12:00'), sh('2026-01-05T13:00'))).toBe(0);
    expect(cal.workingTimeBetween(sh('2026-01-03T00:00'), sh('2026-01-04T23:59'))).toBe(0);
    expect(cal.workingTimeBetween(sh('2026-01-05T10:00'), sh('2026-01-05T09:00'))).toBe(0);
    expect(cal.workingTimeBetween(sh('2026-01-05T11:59'), sh('2026-01-05T13:01'))).toBe(2 * M);
  });

  it('treats working intervals as half-open: opening is working time, closing is not', () => {
    expect(cal.isWorkingTime(sh('2026-01-05T09:00'))).toBe(true);
    expect(cal.isWorkingTime(sh('2026-01-05T08:59:59.999'))).toBe(false);
    expect(cal.isWorkingTime(sh('2026-01-05T11:59:59.999'))).toBe(true);
    expect(cal.isWorkingTime(sh('2026-01-05T12:00'))).toBe(false);
    expect(cal.isWorkingTime(sh('2026-01-05T13:00'))).toBe(true);
    expect(cal.isWorkingTime(sh('2026-01-05T18:00'))).toBe(false);
    expect(cal.isWorkingTime(sh('2026-01-03T10:00'))).toBe(false);
  });

  it('skips holidays', () => {
    // National Day 2026 falls on Thursday and Friday here.
    const holidays = WorkCalendar.from(shanghaiSpec(['2026-10-01', '2026-10-02']));
    expect(holidays.addWorkingTime(sh('2026-09-30T17:00'), 2 * H)).toBe(sh('2026-10-05T10:00'));
    expect(holidays.isWorkingTime(sh('2026-10-01T10:00'))).toBe(false);
    expect(holidays.workingTimeBetween(sh('2026-09-28T00:00'), sh('2026-10-05T00:00'))).toBe(24 * H);
    expect(cal.workingTimeBetween(sh('2026-09-28T00:00'), sh('2026-10-05T00:00'))).toBe(40 * H);
  });

  it('puts the same week in another zone at instants offset by the difference of the zones', () => {
    const utc = WorkCalendar.from({ ...shanghaiSpec(), timezone: 'UTC' });
    const tokyo = WorkCalendar.from({ ...shanghaiSpec(), timezone: 'Asia/Tokyo' });
    const start = sh('2026-01-02T17:00');
    expect(utc.addWorkingTime(start + 8 * H, 2 * H)).toBe(cal.addWorkingTime(start, 2 * H) + 8 * H);
    expect(tokyo.addWorkingTime(start - 1 * H, 2 * H)).toBe(cal.addWorkingTime(start, 2 * H) - 1 * H);
    // Seen from one instant: 17:00 in Shanghai is 18:00 in Tokyo (closed) and 09:00 in UTC (open).
    expect(tokyo.isWorkingTime(start)).toBe(false);
    expect(utc.isWorkingTime(start)).toBe(true);
  });
});

describe('WorkCalendar around midnight', () => {
  const night = WorkCalendar.from({ type: 'business', timezone: 'Asia/Shanghai', week: { mon: ['22:00-24:00'], tue: ['00:00-06:00'] } });
  const sh = (iso: string) => local('Asia/Shanghai', iso);

  it('joins a 24:00 end to a 00:00 start of the next day', () => {
    expect(night.addWorkingTime(sh('2026-01-05T23:00'), 2 * H)).toBe(sh('2026-01-06T01:00'));
    expect(night.addWorkingTime(sh('2026-01-05T22:00'), 8 * H)).toBe(sh('2026-01-06T06:00'));
    expect(night.workingTimeBetween(sh('2026-01-05T20:00'), sh('2026-01-06T12:00'))).toBe(8 * H);
    expect(night.isWorkingTime(sh('2026-01-06T00:00'))).toBe(true);
    expect(night.isWorkingTime(sh('2026-01-05T23:59:59.999'))).toBe(true);
    expect(night.isWorkingTime(sh('2026-01-05T21:59:59.999'))).toBe(false);
  });

  it('continues a week later when the shift is used up', () => {
    expect(night.addWorkingTime(sh('2026-01-05T22:00'), 8 * H + 1)).toBe(sh('2026-01-12T22:00') + 1);
    const mondayOnly = WorkCalendar.from({ type: 'business', timezone: 'Asia/Shanghai', week: { mon: ['22:00-24:00'] } });
    expect(mondayOnly.addWorkingTime(sh('2026-01-05T23:00'), 2 * H)).toBe(sh('2026-01-12T23:00'));
  });

  it('makes "00:00-24:00" every day in a zone without DST the same as 24x7', () => {
    const allDay = WorkCalendar.from(everyDay('UTC', ['00:00-24:00']));
    const s = instant('2026-01-01T05:00:00Z');
    expect(allDay.addWorkingTime(s, 100 * H)).toBe(s + 100 * H);
    expect(allDay.workingTimeBetween(s, s + 100 * H)).toBe(100 * H);
  });
});

describe('WorkCalendar across daylight-saving changes', () => {
  const NY = 'America/New_York';
  const ny = (iso: string) => local(NY, iso);
  const allDayNY = WorkCalendar.from(everyDay(NY, ['00:00-24:00']));

  it('has a 23-hour spring-forward day and a 25-hour fall-back day', () => {
    expect(allDayNY.workingTimeBetween(ny('2026-03-08T00:00'), ny('2026-03-09T00:00'))).toBe(23 * H);
    expect(allDayNY.workingTimeBetween(ny('2026-11-01T00:00'), ny('2026-11-02T00:00'))).toBe(25 * H);
    expect(allDayNY.workingTimeBetween(ny('2026-03-09T00:00'), ny('2026-03-10T00:00'))).toBe(24 * H);
  });

  it('counts real elapsed time through the change when every hour is working time', () => {
    expect(allDayNY.addWorkingTime(ny('2026-03-07T12:00'), 24 * H)).toBe(ny('2026-03-08T13:00'));
    expect(allDayNY.addWorkingTime(ny('2026-10-31T12:00'), 24 * H)).toBe(ny('2026-11-01T11:00'));
    const s = instant('2026-11-01T00:30:00-04:00');
    expect(allDayNY.workingTimeBetween(s, s + 3 * H)).toBe(3 * H);
    expect(allDayNY.isWorkingTime(instant('2026-11-01T01:30:00-05:00'))).toBe(true);
  });

  it('keeps office hours at local time on both sides of the change', () => {
    const office = WorkCalendar.from({ type: 'business', timezone: NY, week: { mon: ['09:00-17:00'], fri: ['09:00-17:00'] } });
    expect(office.addWorkingTime(ny('2026-03-06T16:00'), 2 * H)).toBe(instant('2026-03-09T10:00:00-04:00'));
    expect(office.addWorkingTime(ny('2026-10-30T16:00'), 2 * H)).toBe(instant('2026-11-02T10:00:00-05:00'));
    const berlin = WorkCalendar.from({ type: 'business', timezone: 'Europe/Berlin', week: { fri: ['08:00-17:00'], mon: ['08:00-17:00'] } });
    expect(berlin.addWorkingTime(instant('2026-03-27T16:00:00+01:00'), 2 * H)).toBe(instant('2026-03-30T09:00:00+02:00'));
    expect(berlin.addWorkingTime(instant('2026-10-23T16:00:00+02:00'), 2 * H)).toBe(instant('2026-10-26T09:00:00+01:00'));
  });

  it('maps a skipped local time to the end of the gap (02:30 on a 02:00→03:00 night is 03:00)', () => {
    const sunday = (hours: string[]) => WorkCalendar.from({ type: 'business', timezone: NY, week: { sun: hours } });
    const dayStart = ny('2026-03-08T00:00');
    expect(sunday(['01:00-04:00']).workingTimeBetween(dayStart, dayStart + 24 * H)).toBe(2 * H);
    expect(sunday(['02:30-04:00']).workingTimeBetween(dayStart, dayStart + 24 * H)).toBe(1 * H);
    expect(sunday(['02:30-04:00']).addWorkingTime(dayStart, 1)).toBe(instant('2026-03-08T03:00:00-04:00') + 1);
    // An interval wholly inside the gap never happens that day.
    expect(sunday(['02:00-02:30', '09:00-10:00']).workingTimeBetween(dayStart, dayStart + 24 * H)).toBe(1 * H);
  });

  it('starts and ends a repeated local time at its first occurrence', () => {
    const sunday = (hours: string[]) => WorkCalendar.from({ type: 'business', timezone: NY, week: { sun: hours } });
    const dayStart = ny('2026-11-01T00:00');
    const day = (cal: WorkCalendar) => cal.workingTimeBetween(dayStart, dayStart + 25 * H);
    expect(day(sunday(['01:00-02:00']))).toBe(2 * H);
    expect(day(sunday(['00:00-01:30']))).toBe(1.5 * H);
    expect(day(sunday(['01:30-03:00']))).toBe(2.5 * H);
    expect(sunday(['00:00-01:30']).addWorkingTime(dayStart, 1.5 * H)).toBe(instant('2026-11-01T01:30:00-04:00'));
  });

  it('handles zones that change at midnight (America/Santiago)', () => {
    const SCL = 'America/Santiago';
    // 2026-09-06: 00:00 -04 jumps to 01:00 -03, so Sunday starts at 01:00 and is 23 hours long.
    const sundays = WorkCalendar.from({ type: 'business', timezone: SCL, week: { sun: ['00:00-24:00'] } });
    expect(sundays.addWorkingTime(instant('2026-09-05T12:00:00-04:00'), 1)).toBe(instant('2026-09-06T01:00:00-03:00') + 1);
    expect(sundays.workingTimeBetween(instant('2026-09-05T00:00:00-04:00'), instant('2026-09-08T00:00:00-03:00'))).toBe(23 * H);
    // 2026-04-05: at Sunday 00:00 -03 the clock goes back to Saturday 23:00 -04, so Saturday has 25 hours
    // and Sunday begins at 00:00 -04, the only time the clock reads it.
    const saturdays = WorkCalendar.from({ type: 'business', timezone: SCL, week: { sat: ['00:00-24:00'] } });
    const sundayStart = instant('2026-04-05T00:00:00-04:00');
    const saturdayAgain = instant('2026-04-04T23:30:00-04:00');
    expect(saturdays.workingTimeBetween(instant('2026-04-04T00:00:00-03:00'), sundayStart + 48 * H)).toBe(25 * H);
    expect(saturdays.isWorkingTime(saturdayAgain)).toBe(true);
    expect(sundays.isWorkingTime(saturdayAgain)).toBe(false);
    expect(sundays.isWorkingTime(sundayStart)).toBe(true);
    expect(sundays.addWorkingTime(instant('2026-04-04T12:00:00-03:00'), 30 * M)).toBe(sundayStart + 30 * M);
    expect(sundays.workingTimeBetween(saturdayAgain, saturdayAgain + 2 * H)).toBe(1.5 * H);
  });

  it('starts a day when the clock first reaches it, even if the clock then goes back into the day before', () => {
    // Goose Bay, 2006-10-29: at 00:01 -03 the clock went back to Saturday 23:01 -04. Sunday had begun at
    // 00:00 -03, so the hour in which the clock reads Saturday again is Sunday's working time.
    const GOOSE = 'America/Goose_Bay';
    const sundays = WorkCalendar.from({ type: 'business', timezone: GOOSE, week: { sun: ['00:00-24:00'] } });
    const saturdays = WorkCalendar.from({ type: 'business', timezone: GOOSE, week: { sat: ['00:00-24:00'] } });
    const sundayStart = instant('2006-10-29T00:00:00-03:00');
    const saturdayAgain = instant('2006-10-28T23:30:00-04:00');
    expect(sundays.isWorkingTime(saturdayAgain)).toBe(true);
    expect(saturdays.isWorkingTime(saturdayAgain)).toBe(false);
    expect(sundays.workingTimeBetween(sundayStart, saturdayAgain)).toBe(30 * M);
    expect(sundays.addWorkingTime(instant('2006-10-28T12:00:00-03:00'), 30 * M)).toBe(saturdayAgain);
    expect(sundays.workingTimeBetween(sundayStart - 24 * H, sundayStart + 3 * 24 * H)).toBe(25 * H);
    expect(saturdays.workingTimeBetween(sundayStart - 48 * H, sundayStart + 48 * H)).toBe(24 * H);
  });

  it('agrees minute by minute with the wall clock through the March and October changes in Berlin', () => {
    const zone = 'Europe/Berlin';
    const hours = ['07:00-12:00', '13:00-17:30'];
    const spec: CalendarSpec = {
      type: 'business',
      timezone: zone,
      week: { mon: hours, tue: hours, sat: ['10:00-14:00'], sun: ['00:00-24:00'] },
      holidays: ['2026-10-27'],
    };
    const cal = WorkCalendar.from(spec);
    const inWeek = (t: number) => {
      const wall = DateTime.fromMillis(t, { zone });
      if (wall.toISODate() === '2026-10-27') return false;
      const day = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const)[wall.weekday - 1];
      const minute = wall.hour * 60 + wall.minute;
      return (spec.week[day] ?? []).some((iv) => {
        const [a, b] = iv.split('-').map((x) => Number(x.slice(0, 2)) * 60 + Number(x.slice(3)));
        return a <= minute && minute < b;
      });
    };
    for (const from of ['2026-03-27T00:00:00+01:00', '2026-10-23T00:00:00+02:00']) {
      const start = instant(from);
      let expected = 0;
      for (let t = start; t < start + 6 * 24 * H; t += 15 * M) {
        expect([new Date(t).toISOString(), cal.isWorkingTime(t)]).toEqual([new Date(t).toISOString(), inWeek(t)]);
        if (inWeek(t)) expected += 15 * M;
      }
      expect(cal.workingTimeBetween(start, start + 6 * 24 * H)).toBe(expected);
    }
  });
});

describe('WorkCalendar properties over generated cases', () => {
  /** Deterministic pseudo-random numbers (Numerical Recipes LCG), so a failure reproduces. */
  function lcg(seed: number) {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      return state / 2 ** 32;
    };
  }

  const calendars: [string, CalendarSpec][] = [
    ['Shanghai office with holidays', shanghaiSpec(['2026-01-01', '2026-10-01', '2026-10-02', '2027-02-08'])],
    [
      'New York, evenings and weekends',
      {
        type: 'business',
        timezone: 'America/New_York',
        week: { mon: ['08:30-12:00', '18:00-24:00'], tue: ['00:00-02:00'], sat: ['01:00-03:30'], sun: ['00:30-02:30', '23:00-24:00'] },
      },
    ],
    [
      'Berlin night shift',
      { type: 'business', timezone: 'Europe/Berlin', week: { fri: ['20:00-24:00'], sat: ['00:00-24:00'], sun: ['00:00-06:00'] } },
    ],
    ['Santiago all day', everyDay('America/Santiago', ['00:00-24:00'])],
    ['Lord Howe (30-minute DST)', everyDay('Australia/Lord_Howe', ['01:00-02:30', '09:00-17:00'])],
  ];
  const from = Date.UTC(2025, 6, 1);
  const to = Date.UTC(2027, 6, 1);

  it.each(calendars)('%s: workingTimeBetween(s, addWorkingTime(s, w)) === w, and the walk adds up', (_name, spec) => {
    const cal = WorkCalendar.from(spec);
    const next = lcg(0x5eed);
    for (let i = 0; i < 300; i++) {
      // Starts on any millisecond, and half the time on a whole minute like the calendar's boundaries.
      const raw = from + Math.floor(next() * (to - from));
      const s = next() < 0.5 ? raw - (raw % M) : raw;
      const w = next() < 0.5 ? Math.ceil(next() * 100) * 15 * M : 1 + Math.floor(next() * 120 * H);
      const e = cal.addWorkingTime(s, w);
      expect(e).toBeGreaterThan(s);
      expect(cal.workingTimeBetween(s, e)).toBe(w);
      // The last millisecond before the deadline is working time: targets never land after a pause.
      expect(cal.isWorkingTime(e - 1)).toBe(true);
      // Splitting the target, or the interval, changes nothing.
      const a = Math.floor(w * next());
      expect(cal.addWorkingTime(cal.addWorkingTime(s, a), w - a)).toBe(e);
      const mid = s + Math.floor((e - s) * next());
      expect(cal.workingTimeBetween(s, mid) + cal.workingTimeBetween(mid, e)).toBe(w);
    }
  });
});

describe('WorkCalendar limits', () => {
  const cal = WorkCalendar.from(shanghaiSpec());
  const s = local('Asia/Shanghai', '2026-01-05T09:00');

  it('refuses negative or non-finite input', () => {
    expect(() => cal.addWorkingTime(s, -1)).toThrow(RangeError);
    expect(() => cal.addWorkingTime(Number.NaN, 1)).toThrow(RangeError);
    expect(() => cal.workingTimeBetween(s, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => cal.isWorkingTime(Number.NaN)).toThrow(RangeError);
  });

  it('throws a clear error instead of walking more than 20 years', () => {
    const rare = WorkCalendar.from({ type: 'business', timezone: 'UTC', week: { mon: ['09:00-09:01'] } });
    expect(() => rare.addWorkingTime(s, 1200 * M)).toThrow(/not reached within 7305 days/);
    expect(() => cal.workingTimeBetween(s, s + 21 * 366 * 24 * H)).toThrow(/more than 7305 days/);
  });

  it('refuses an invalid spec rather than compute wrong deadlines', () => {
    expect(() => WorkCalendar.from({ type: 'business', timezone: 'Mars/Olympus', week: { mon: ['09:00-17:00'] } })).toThrow(
      'calendar.timezone: "Mars/Olympus" is not a valid IANA time zone',
    );
    expect(() => WorkCalendar.from({ type: 'business', timezone: 'UTC', week: {} })).toThrow(/no working time/);
  });

  it('builds one calendar per spec object', () => {
    const spec = shanghaiSpec();
    expect(WorkCalendar.from(spec)).toBe(WorkCalendar.from(spec));
  });
});
