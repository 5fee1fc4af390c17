/** Roles that may read every case and the whole audit trail. */
export const OVERSIGHT_ROLES: readonly string[] = ['auditor', 'admin'];

export const SYSTEM_ACTOR = 'system';
