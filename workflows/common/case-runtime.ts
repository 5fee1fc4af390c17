import { condition, log, workflowInfo } from '@temporalio/workflow';
import type { CaseSnapshot, RecorderState } from './case-recorder';
import { CaseRecorder } from './case-recorder';
import { Deadline, earliest, fireDue } from './deadlines';
import { settle } from './settle';

/** Continue as new well before Temporal's own limits: a case that lives for months keeps a short history. */
export const HISTORY_LIMIT = 5000;

/** What every case carries across continue-as-new besides its own state. */
export interface CarriedCase<S> {
  state: S;
  recorder: RecorderState;
  participants: string[];
}

/**
 * What every case type shares: the recorder that commits its effects, the people taking part, the counter
 * the main loop watches, and the helpers that change status with an audit event. A case type extends it
 * with its rules; its workflow file only wires messages to methods and calls `runCase`.
 */
export abstract class CaseBase<Status extends string> {
  readonly recorder: CaseRecorder;
  readonly participants: Set<string>;
  /** Bumped by every accepted action so the main loop recomputes its timer. */
  changes = 0;

  /** `carried`: what the previous run handed on, or who takes part from the start. */
  protected constructor(caseType: string, caseId: string, carried: { recorder?: RecorderState; participants?: string[] } = {}) {
    this.recorder = new CaseRecorder(caseType, caseId, () => this.snapshot(), carried.recorder);
    this.participants = new Set(carried.participants ?? []);
  }

  abstract get status(): Status;
  protected abstract set status(to: Status);
  /** The case is finished: no deadline remains and no action is accepted. */
  abstract get done(): boolean;
  /** What the read model stores for this case now. */
  protected abstract snapshot(): CaseSnapshot;
  /** Every deadline that is running now; see `Deadline`. */
  abstract deadlines(): Deadline[];
  /** Called by every change so the read model's `updatedAt` follows. */
  protected abstract touched(at: string): void;

  protected touch(): void {
    this.changes += 1;
    this.touched(new Date().toISOString());
  }

  protected setStatus(to: Status, actorId: string, action: string, data: Record<string, unknown> = {}): void {
    const from = this.status;
    this.status = to;
    this.touch();
    this.recorder.audit({ actorId, action, fromStatus: from, toStatus: to, data });
  }

  /** An audited step that leaves the status as it is. */
  protected record(actorId: string, action: string, data: Record<string, unknown> = {}): void {
    this.touch();
    this.recorder.audit({ actorId, action, fromStatus: this.status, toStatus: this.status, data });
  }

  protected addParticipants(...userIds: (string | null | undefined)[]): void {
    for (const id of userIds) if (id) this.participants.add(id);
  }

  /** Commits what has accumulated; resolves once Postgres holds it. */
  flush(): Promise<void> {
    return this.recorder.flush();
  }
}

export interface RunCaseOptions<Carried> {
  caseId: string;
  /** Continue as new past this many history events (tests set it low). */
  historyLimit?: number;
  /** What the next run needs; without it the case never continues as new. */
  carry?: () => Carried;
  /** Starts the next run with the carried state; usually `(carried) => continueAsNew<typeof wf>({ ...input, carried })`. */
  continueAsNew?: (carried: Carried) => Promise<never>;
}

/**
 * The main loop of every case: one timer for the earliest deadline, woken early by any accepted action, which
 * may have moved the deadlines. Due deadlines fire in time order and their effects are committed together.
 * Long-lived cases continue as new once the history grows; the run ends when the case is done, after every
 * accepted Update has finished and been committed.
 */
export async function runCase<Carried>(c: CaseBase<string>, options: RunCaseOptions<Carried>): Promise<void> {
  const limit = options.historyLimit ?? HISTORY_LIMIT;
  while (!c.done) {
    if (options.carry && options.continueAsNew) {
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > limit) {
        await settle(() => c.flush());
        log.info('case continues as new', { caseId: options.caseId, historyLength: info.historyLength });
        return options.continueAsNew(options.carry());
      }
    }
    const seen = c.changes;
    const deadline = earliest(c.deadlines());
    const woken =
      deadline === null
        ? await condition(() => c.done || c.changes !== seen)
        : await condition(() => c.done || c.changes !== seen, Math.max(1, deadline - Date.now()));
    if (!woken || (deadline !== null && Date.now() >= deadline)) await onTime(c);
  }
  await settle(() => c.flush());
}

/**
 * Fires what is due and commits it. Its own async function on purpose: the promise hops between this commit
 * and the next timer decide the order of commands, which running workflows' histories have recorded.
 */
async function onTime(c: CaseBase<string>): Promise<void> {
  await fireDue(() => (c.done ? [] : c.deadlines()), () => Date.now());
  await c.flush();
}

export type { CaseSnapshot, Deadline };
