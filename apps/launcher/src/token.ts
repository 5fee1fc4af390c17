import { ConfigError, loadConfig } from '@steward/config';
import { defaultDirectoryFile, readDirectoryFile, signToken } from '@steward/directory';
import { resolve } from 'node:path';

/** `npm run token -- alice [hours]`: prints a bearer token for a directory user. */
function main(): void {
  const [userId, hours = '12'] = process.argv.slice(2);
  if (!userId) {
    process.stderr.write('usage: npm run token -- <userId> [hours]\n');
    process.exit(2);
  }
  const config = loadConfig();
  const file = config.DIRECTORY_FILE ?? defaultDirectoryFile(resolve(__dirname, '..', '..', '..', '..'));
  const users = readDirectoryFile(file).users.map((u) => u.id);
  if (!users.includes(userId)) {
    process.stderr.write(`${userId} is not in ${file}; known users: ${users.join(', ')}\n`);
    process.exit(2);
  }
  const ttl = Number(hours);
  if (!Number.isFinite(ttl) || ttl <= 0) {
    process.stderr.write('hours must be a positive number\n');
    process.exit(2);
  }
  process.stdout.write(`${signToken(userId, config.jwtSecret, Math.round(ttl * 3600), { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE })}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exit(1);
}
