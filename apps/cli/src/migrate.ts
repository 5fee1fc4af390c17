import 'reflect-metadata';
import { defaultDirectoryFile, prepareDatabase } from '@steward/directory';

/**
 * `node dist/apps/cli/src/migrate.js`: applies Steward's migrations as the table owner
 * (MIGRATIONS_DATABASE_URL) and seeds the directory from DIRECTORY_FILE while it is empty, then exits. The
 * one-shot `migrate` service of docker/compose.yml runs it, so that the API and worker never hold the owner's
 * credentials (they connect as a member of steward_app with MIGRATIONS_RUN=false).
 */
async function main(): Promise<number> {
  const url = process.env.MIGRATIONS_DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\/.+/.test(url)) {
    process.stderr.write('MIGRATIONS_DATABASE_URL: required, a postgres:// URL of the role that owns the tables\n');
    return 2;
  }
  const directoryFile = process.env.DIRECTORY_FILE || defaultDirectoryFile();
  const { seededUsers } = await prepareDatabase(url, directoryFile);
  process.stdout.write(`${JSON.stringify({ migrated: true, directoryFile, seededUsers })}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
