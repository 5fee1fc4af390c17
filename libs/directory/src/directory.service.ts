import { DataSource } from 'typeorm';
import { DirectoryTeamEntity, DirectoryUserEntity, poolOf } from '@steward/persistence';
import { DirectoryFile, DirectoryTeam, DirectoryUser } from './directory.types';

interface UserRow {
  id: string;
  name: string;
  email: string;
  roles: string[];
  manager_id: string | null;
  team_id: string | null;
}

const USER_COLUMNS = 'id, name, email, roles, manager_id, team_id';

const toUser = (r: UserRow): DirectoryUser => ({ id: r.id, name: r.name, email: r.email, roles: r.roles, managerId: r.manager_id, team: r.team_id });

/**
 * The look-ups, as statements prepared once per pooled connection (by name): every API request reads its caller
 * here, and a change request its implementer, so these run more than any other query. Through TypeORM's repository
 * each one's SQL and entity were made anew: 7.6% of the API's busy time in `npm run bench`, about half of it TypeORM
 * (docs/PERFORMANCE.md, "2026-12-03, second round").
 */
const FIND_USER = { name: 'directory-find-user', text: `SELECT ${USER_COLUMNS} FROM directory_users WHERE id = $1` };
const FIND_USERS = { name: 'directory-find-users', text: `SELECT ${USER_COLUMNS} FROM directory_users WHERE id = ANY($1::text[])` };
const USERS_WITH_ROLE = { name: 'directory-users-with-role', text: `SELECT ${USER_COLUMNS} FROM directory_users WHERE $1 = ANY(roles) ORDER BY id` };
const FIND_TEAM = { name: 'directory-find-team', text: 'SELECT id, name, lead_id FROM directory_teams WHERE id = $1' };

/** Users, roles, reporting lines and teams: always read from Postgres, never from a token. */
export class DirectoryService {
  constructor(private readonly dataSource: DataSource) {}

  private async rows<R extends object>(statement: { name: string; text: string }, value: unknown): Promise<R[]> {
    return (await poolOf(this.dataSource).query<R>({ ...statement, values: [value] })).rows;
  }

  async findUser(id: string): Promise<DirectoryUser | null> {
    const [row] = await this.rows<UserRow>(FIND_USER, id);
    return row ? toUser(row) : null;
  }

  async findUsers(ids: string[]): Promise<DirectoryUser[]> {
    if (ids.length === 0) return [];
    return (await this.rows<UserRow>(FIND_USERS, ids)).map(toUser);
  }

  async usersWithRole(role: string): Promise<DirectoryUser[]> {
    return (await this.rows<UserRow>(USERS_WITH_ROLE, role)).map(toUser);
  }

  async findTeam(id: string): Promise<DirectoryTeam | null> {
    const [t] = await this.rows<{ id: string; name: string; lead_id: string | null }>(FIND_TEAM, id);
    return t ? { id: t.id, name: t.name, leadId: t.lead_id } : null;
  }

  /** Seeds the directory when it is empty; returns how many users were written (0 when it already had some). */
  async seedIfEmpty(file: DirectoryFile): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      // Serialize concurrent boots: only the first one seeds.
      await tx.query('SELECT pg_advisory_xact_lock(7432)');
      const [{ count }] = await tx.query('SELECT count(*)::int AS count FROM directory_users');
      if (count > 0) return 0;
      await tx.getRepository(DirectoryTeamEntity).insert(file.teams.map((t) => ({ id: t.id, name: t.name, leadId: t.leadId ?? null })));
      await tx.getRepository(DirectoryUserEntity).insert(
        file.users.map((u) => ({ id: u.id, name: u.name, email: u.email, roles: u.roles, managerId: u.managerId, teamId: u.team })),
      );
      return file.users.length;
    });
  }
}
