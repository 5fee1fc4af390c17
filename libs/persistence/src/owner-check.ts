import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { StewardConfig } from '@steward/config';
import { DataSource } from 'typeorm';

/** What the connected role may do to the audit trail's protection: nothing, as a member of steward_app only. */
export interface ConnectionPrivilege {
  role: string;
  superuser: boolean;
  /** Owns (or is a member of the owner of) the audit_events table: could disable its append-only triggers. */
  ownsAuditTable: boolean;
}

export async function connectionPrivilege(ds: DataSource): Promise<ConnectionPrivilege> {
  const [row] = (await ds.query(
    `SELECT current_user AS role,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            COALESCE((SELECT pg_has_role(current_user, c.relowner, 'MEMBER') FROM pg_class c
                      WHERE c.relname = 'audit_events' AND c.relkind IN ('r', 'p')
                      AND c.relnamespace = to_regnamespace(current_schema())), false) AS "ownsAuditTable"`,
  )) as ConnectionPrivilege[];
  return row;
}

/** The refusal or warning for a connection that could rewrite history; null when the role is least-privilege. */
export function ownerConnectionProblem(p: ConnectionPrivilege): string | null {
  if (!p.superuser && !p.ownsAuditTable) return null;
  return (
    `DATABASE_URL connects as "${p.role}", ${p.superuser ? 'a superuser' : 'the owner of the tables'}: it could disable the audit trail's ` +
    `append-only triggers. Connect the API and worker as a member of steward_app (see docker/postgres/init-roles.sh) and give the ` +
    `table owner to MIGRATIONS_DATABASE_URL only`
  );
}

/**
 * At boot, refuses (production) or warns loudly (development, test) when the API or worker connects as the
 * table owner or a superuser: e.g. an external DATABASE_URL given without MIGRATIONS_DATABASE_URL.
 */
@Injectable()
export class OwnerConnectionCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('Database');

  constructor(
    private readonly ds: DataSource,
    private readonly config: StewardConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const problem = ownerConnectionProblem(await connectionPrivilege(this.ds));
    if (!problem) return;
    if (this.config.NODE_ENV === 'production') throw new Error(`Refusing to start: ${problem}.`);
    this.logger.warn(`${problem}. This is refused when NODE_ENV=production.`);
  }
}
