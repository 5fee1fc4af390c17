import { Injectable } from '@nestjs/common';
import type { DirectoryUser } from '@steward/directory';
import { OVERSIGHT_ROLES } from '@steward/domain';
import { StewardException } from '../common/steward.exception';

/** Who may read what: the one place the API decides access (the workflows decide who may act). */
@Injectable()
export class AccessPolicy {
  hasOversight(user: DirectoryUser): boolean {
    return user.roles.some((r) => OVERSIGHT_ROLES.includes(r));
  }

  /** The audit trail as a whole is for auditors and admins. */
  assertOversight(user: DirectoryUser): void {
    if (!this.hasOversight(user)) throw StewardException.forbidden('only auditors and admins may read the audit trail');
  }

  /** Participants of a case, holders of its reader roles, auditors and admins read it and its audit trail. */
  canReadCase(user: DirectoryUser, c: { participants: string[]; readerRoles: string[] }): boolean {
    return this.hasOversight(user) || c.participants.includes(user.id) || user.roles.some((r) => c.readerRoles.includes(r));
  }
}
