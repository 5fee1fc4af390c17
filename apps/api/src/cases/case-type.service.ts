import { Injectable } from '@nestjs/common';
import type { UpdateDefinition } from '@temporalio/common';
import type { DirectoryUser } from '@steward/directory';
import type { AuditEvent } from '@steward/persistence';
import { AuditAccessService } from '../audit/audit-access.service';
import { Page } from '../common/pagination';
import { CaseActions, CaseCreation } from './case-actions.service';
import { CaseFilters, CaseReader, CaseTypeAccess } from './case-reader.service';

/** The shared services a case type's service is built on, injected as one. */
@Injectable()
export class CaseKit {
  constructor(
    readonly reader: CaseReader,
    readonly actions: CaseActions,
    readonly accessLog: AuditAccessService,
  ) {}
}

/**
 * What every case type's API does the same way: create through its workflow, read one case, list, read its
 * audit trail, and send a human action as an Update. `Stored` is what the workflow commits as the case's
 * view; `View` what the API returns (the same, unless the type computes something at read time).
 */
export abstract class CaseTypeService<Stored extends { status: string }, View extends object = Stored> {
  protected abstract readonly caseType: string;
  protected readonly access: CaseTypeAccess = {};

  protected constructor(protected readonly kit: CaseKit) {}

  /** The API's view of a stored case; `now` for anything computed at read time. */
  protected abstract present(stored: Stored, now: number): View;

  protected async createCase<Input>(user: DirectoryUser, key: string | undefined, creation: Omit<CaseCreation<Input, Stored>, 'caseType'>, beforeStart?: () => Promise<void>): Promise<View> {
    return this.kit.actions.create(user, key, { ...creation, caseType: this.caseType }, (stored: Stored) => this.present(stored, Date.now()), beforeStart);
  }

  async get(user: DirectoryUser, id: string): Promise<View> {
    const row = await this.kit.reader.readable(this.caseType, id, user, this.access);
    return this.present(row.view as Stored, Date.now());
  }

  protected async listCases(user: DirectoryUser, filters: CaseFilters, limit = 50, cursor?: string): Promise<Page<View>> {
    const page = await this.kit.reader.list<Stored>(this.caseType, filters, limit, cursor, user);
    const now = Date.now();
    return { items: page.items.map((s) => this.present(s, now)), nextCursor: page.nextCursor };
  }

  /** The case's audit events, oldest first; reading them is recorded in the access log. */
  async audit(user: DirectoryUser, id: string, limit = 200, cursor?: string): Promise<Page<AuditEvent>> {
    await this.kit.reader.readable(this.caseType, id, user, this.access);
    const page = await this.kit.reader.auditTrail(id, limit, cursor);
    await this.kit.accessLog.record(user.id, 'case_trail', { caseType: this.caseType, caseId: id, cursor: cursor ?? null });
    return page;
  }

  protected async act<A>(user: DirectoryUser, id: string, update: UpdateDefinition<Stored, [A]>, arg: A): Promise<View> {
    const stored = await this.kit.actions.act(user, this.caseType, id, update, arg, this.access);
    return this.present(stored, Date.now());
  }
}
