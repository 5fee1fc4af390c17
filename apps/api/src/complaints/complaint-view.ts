import { clockView, SlaClockView, WorkCalendar } from '@steward/domain';
import type { ComplaintState } from '@steward/workflows/complaint/definitions';

export type ComplaintView = Omit<ComplaintState, 'clocks'> & {
  sla: { firstResponse: SlaClockView; update: SlaClockView | null; resolution: SlaClockView };
};

/** The stored complaint with its SLA clocks turned into status, targetAt and remainingMs as of `nowMs`. */
export function complaintView(state: ComplaintState, nowMs = Date.now()): ComplaintView {
  const { clocks, ...rest } = state;
  const cal = WorkCalendar.from(state.calendarSpec);
  return {
    ...rest,
    sla: {
      firstResponse: clockView(clocks.firstResponse, cal, nowMs),
      update: clocks.update ? clockView(clocks.update, cal, nowMs) : null,
      resolution: clockView(clocks.resolution, cal, nowMs),
    },
  };
}
