import type { ChangeType } from './change-request';

/** The role of people who implement changes for other teams (ivan in the demo directory). */
export const IMPLEMENTER_ROLE = 'implementer';

interface Person {
  id: string;
  team: string | null;
  roles: readonly string[];
}

/**
 * Who may be named implementer of a change, or why not (null: allowed).
 *
 * A `normal` or `emergency` change reaches its implementer only after a human approver, who sees who it names,
 * has approved it: any directory user (the contract's `implementerId`). A `standard` change is pre-approved by
 * `system` at once, so naming someone hands them an `implement_change` task with nobody in between: its
 * implementer must be the requester, a member of the requester's team, or hold the `implementer` role.
 */
export function implementerProblem(type: ChangeType, requester: Person, implementer: Person): string | null {
  if (type !== 'standard') return null;
  if (implementer.id === requester.id) return null;
  if (requester.team !== null && implementer.team === requester.team) return null;
  if (implementer.roles.includes(IMPLEMENTER_ROLE)) return null;
  return (
    `implementerId ${implementer.id} may not implement a standard change of yours: a standard change is approved at once, ` +
    `so its implementer must be you, a member of your team${requester.team ? ` (${requester.team})` : ''} or hold the ${IMPLEMENTER_ROLE} role`
  );
}
