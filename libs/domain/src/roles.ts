export const ROLES = [
  'employee',
  'manager',
  'team_lead',
  'supervisor',
  'executive',
  'cab',
  'implementer',
  'agent',
  'hr',
  'comms',
  'legal',
  'auditor',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may read every case and the whole audit trail. */
export const OVERSIGHT_ROLES: readonly string[] = ['auditor', 'admin'];

export const SYSTEM_ACTOR = 'system';
