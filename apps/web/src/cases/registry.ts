import type { ComponentType } from 'react';
import type { Me } from '../api/client';
import { approvalRequestModule } from './approval-request';
import { changeRequestModule } from './change-request';
import { complaintModule } from './complaint';
import { crisisModule } from './crisis';
import { pipModule } from './pip';

/**
 * One case type of the console. A new type (PIPs, crises, approval requests) is one more module here:
 * its page at /view/<segment>/:id, its start form at /new/<segment>, and the task/notification links to it.
 */
export interface CaseModule {
  /** `caseType` in tasks, notifications and audit events. */
  caseType: string;
  /** URL segment, the same as the API's collection (`/change-requests`). */
  segment: string;
  titleKey: string;
  Page: ComponentType<{ id: string }>;
  /** The cases of this type the user may see, at /view/<segment>. */
  List: ComponentType;
  listNavKey: string;
  New?: ComponentType;
  newNavKey: string;
  /** Only a hint for the navigation: the API decides, and its 403 is shown. */
  canStart(me: Me): boolean;
}

export const caseModules: CaseModule[] = [changeRequestModule, complaintModule, approvalRequestModule, pipModule, crisisModule];

export function moduleFor(caseType: string): CaseModule | undefined {
  return caseModules.find((m) => m.caseType === caseType);
}

export function casePath(caseType: string, caseId: string): string | null {
  const m = moduleFor(caseType);
  return m ? `/view/${m.segment}/${caseId}` : null;
}
