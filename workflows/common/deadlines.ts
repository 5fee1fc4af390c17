/**
 * A case's named deadlines: SLA clocks, acknowledgements, check-ins, statements, approval reminders. A case
 * derives them from its state whenever asked, so they need no bookkeeping of their own and survive
 * continue-as-new with the state. One timer waits for the earliest; every accepted action recomputes it.
 */
export interface Deadline {
  /** Names the deadline in logs and tests, e.g. `approval:reminder` or `sla:firstResponse`. */
  name: string;
  /** Epoch milliseconds. */
  at: number;
  /** The work due then. It must change the state so that this deadline moves later or goes away. */
  fire: () => void | Promise<void>;
}

export function earliest(deadlines: readonly Deadline[]): number | null {
  let at: number | null = null;
  for (const d of deadlines) if (at === null || d.at < at) at = d.at;
  return at;
}

/**
 * Fires every deadline due at `now`, earliest first, asking the case again after each: firing one may move
 * or remove the others (a breach ends a ladder, an escalation restarts a level). A deadline that is still
 * due after it fired would fire forever; it is a bug in the case, so it stops the workflow task.
 */
export async function fireDue(deadlines: () => readonly Deadline[], now: () => number): Promise<string[]> {
  const fired: string[] = [];
  const seen = new Set<string>();
  for (;;) {
    const t = now();
    const due = deadlines()
      .filter((d) => d.at <= t)
      .sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
    const next = due.find((d) => !seen.has(`${d.name}@${d.at}`));
    if (!next) {
      if (due.length > 0) throw new Error(`deadline ${due[0].name} is still due after it fired`);
      return fired;
    }
    seen.add(`${next.name}@${next.at}`);
    await next.fire();
    fired.push(next.name);
  }
}
