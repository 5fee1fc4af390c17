import { DataSource } from 'typeorm';
import { DirectoryTeamEntity, DirectoryUserEntity } from '@steward/persistence';
import { DirectoryFile, DirectoryTeam, DirectoryUser } from './directory.types';

const toUser = (e: DirectoryUserEntity): DirectoryUser => ({
  id: e.id,
  name: e.name,
  email: e.email,
  roles: e.roles,
  managerId: e.managerId,
  team: e.teamId,
});

/** Users, roles, reporting lines and teams: always read from Postgres, never from a token. */
export class DirectoryService {
  constructor(private readonly dataSource: DataSource) {}

  private get users() {
    return this.dataSource.getRepository(DirectoryUserEntity);
  }

  async findUser(id: string): Promise<DirectoryUser | null> {
    const e = await this.users.findOneBy({ id });
    return e ? toUser(e) : null;
  }

  async findUsers(ids: string[]): Promise<DirectoryUser[]> {
    if (ids.length === 0) return [];
    const rows = await this.users.createQueryBuilder('u').where('u.id = ANY(:ids)', { ids }).getMany();
    return rows.map(toUser);
  }

  async usersWithRole(role: string): Promise<DirectoryUser[]> {
    const rows = await this.users.createQueryBuilder('u').where(':role = ANY(u.roles)', { role }).orderBy('u.id').getMany();
    return rows.map(toUser);
  }

  async findTeam(id: string): Promise<DirectoryTeam | null> {
    const t = await this.dataSource.getRepository(DirectoryTeamEntity).findOneBy({ id });
    return t ? { id: t.id, name: t.name, leadId: t.leadId } : null;
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
