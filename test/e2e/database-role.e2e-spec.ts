import { loadConfig } from '@steward/config';
import { connectionPrivilege, openDataSource, OwnerConnectionCheck } from '@steward/persistence';
import { fileDatabase } from '../support/steward';

/**
 * Issue 11: the API and worker must not connect as the table owner, who could disable the audit trail's
 * append-only triggers. An external DATABASE_URL without MIGRATIONS_DATABASE_URL does exactly that: refused at
 * boot in production, a loud warning elsewhere. Checked on the real Postgres, as the owner and as the app role.
 */

jest.setTimeout(60_000);

const config = (NODE_ENV: 'production' | 'development') => loadConfig({ NODE_ENV, JWT_SECRET: 'a-real-secret-of-32-characters!!' });

describe('the database role the API and worker connect as', () => {
  it('the table owner (a superuser here) is seen as such, and refused at boot in production', async () => {
    const { ownerUrl } = await fileDatabase();
    const ds = await openDataSource(ownerUrl, { migrate: false });
    try {
      const privilege = await connectionPrivilege(ds);
      expect(privilege.superuser || privilege.ownsAuditTable).toBe(true);
      await expect(new OwnerConnectionCheck(ds, config('production')).onApplicationBootstrap()).rejects.toThrow(
        /Refusing to start: DATABASE_URL connects as .*(superuser|owner).*MIGRATIONS_DATABASE_URL/,
      );
      // Outside production: a warning, and the boot goes on.
      await expect(new OwnerConnectionCheck(ds, config('development')).onApplicationBootstrap()).resolves.toBeUndefined();
    } finally {
      await ds.destroy();
    }
  });

  it('a member of steward_app owns nothing and starts in production', async () => {
    const { appUrl } = await fileDatabase();
    const ds = await openDataSource(appUrl, { migrate: false });
    try {
      expect(await connectionPrivilege(ds)).toMatchObject({ superuser: false, ownsAuditTable: false });
      await expect(new OwnerConnectionCheck(ds, config('production')).onApplicationBootstrap()).resolves.toBeUndefined();
    } finally {
      await ds.destroy();
    }
  });
});
