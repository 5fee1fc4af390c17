import { Client } from 'pg';

/**
 * Makes a login role that is a member of `steward_app` (created by the migrations) and returns a URL for it.
 * The API and worker connect with it: they can append audit events but own no table, so they cannot
 * disable or drop the append-only triggers. Used where Steward runs Postgres itself (npm start, tests).
 */
export async function ensureAppLogin(adminUrl: string, login = 'steward', password = 'steward'): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(login)) throw new Error(`invalid role name ${login}`);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`
      DO $$ BEGIN
        CREATE ROLE ${login} LOGIN PASSWORD '${password.replace(/'/g, "''")}';
      EXCEPTION WHEN duplicate_object THEN NULL;
      END $$`);
    await client.query(`GRANT steward_app TO ${login}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.username = login;
  url.password = password;
  return url.toString();
}
