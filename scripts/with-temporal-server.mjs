// `node scripts/with-temporal-server.mjs <command> [args...]`: runs a command against the production Temporal
// server on Postgres (the one `npm run test:topology` uses) instead of the CLI's dev server, e.g.
//
//   node scripts/with-temporal-server.mjs node dist/bench/complaints.bench.js
//
// Finds (or builds, once) the server in the devstack cache, starts embedded Postgres and the server on it in a
// temporary directory, runs the command with TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE set, then stops everything
// and exits with the command's code. Steward's own database is left to the command (benchmarks start their own).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node scripts/with-temporal-server.mjs <command> [args...]\n');
  process.exit(2);
}
const say = (m) => process.stderr.write(`[temporal-server] ${m}\n`);
const devstack = createRequire(import.meta.url)(join(ROOT, 'dist', 'libs', 'devstack', 'src', 'index.js'));

const dir = mkdtempSync(join(tmpdir(), 'steward-temporal-server-'));
let stopStack = null;
let code = 1;
try {
  const { server, stop } = await devstack.startTemporalServerStack({ dir, namespace: 'default', log: say });
  stopStack = stop;
  say(`running ${[command, ...args].join(' ')} with TEMPORAL_ADDRESS=${server.address}`);
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default' } });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  code = await new Promise((done) => child.on('exit', (c, signal) => done(c ?? (signal ? 1 : 0))));
} catch (err) {
  say(err instanceof Error ? err.stack ?? err.message : String(err));
} finally {
  await stopStack?.().catch((e) => say(`stopping: ${e}`));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
