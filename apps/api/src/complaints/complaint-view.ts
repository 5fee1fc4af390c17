import { clockView, WorkCalendar } from '@steward/domain';
import type { ComplaintState } from '@steward/workflows/complaint/definitions';
import type { ComplaintResponseDto } from './dto/complaint.dto';

/** The stored complaint with its SLA clocks turned into status, targetAt and remainingMs as of `nowMs`. */
export function complaintView(state: ComplaintState, nowMs = Date.now()): ComplaintResponseDto {
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
