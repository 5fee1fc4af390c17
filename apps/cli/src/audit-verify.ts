import { parseArgs } from 'node:util';
import { Pool } from 'pg';
// The audit modules themselves, not the @steward/persistence package: its index loads TypeORM and every
// entity, which took 0.7 s of CPU at every start of this command.
import { verifyAuditFile } from '../../../libs/persistence/src/audit/audit-file';
import { verifyAuditChain } from '../../../libs/persistence/src/audit/audit-stream';
import { defaultVerifyThreads } from '../../../libs/persistence/src/audit/chunk-pool';

const USAGE = `usage: npm run audit:verify -- [--database postgres://...] [--file export.jsonl|export.csv] [--trust-first-link] [--threads N]
  --database          verify the whole chain in this database (default: $DATABASE_URL)
  --file              verify an export from GET /audit/export instead
  --trust-first-link  the file starts mid-chain (exported with ?from=): check from its first event on
  --threads           worker threads that check the hashes (default: ${defaultVerifyThreads()}, the cores available, at most 4; 0: none)
Prints the verdict as JSON; exits 0 when the chain is intact, 1 when it is not, 2 on bad usage.`;

/** `npm run audit:verify`: the auditor's own check of the hash chain, against a database or an export file. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      database: { type: 'string' },
      file: { type: 'string' },
      'trust-first-link': { type: 'boolean', default: false },
      threads: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0 && threads <= 64)) {
    process.stderr.write(`--threads must be an integer from 0 to 64\n${USAGE}\n`);
    return 2;
  }
  const started = Date.now();
  let verdict;
  if (values.file) {
    verdict = await verifyAuditFile(values.file, { trustFirstLink: values['trust-first-link'], threads });
  } else {
    const url = values.database ?? process.env.DATABASE_URL;
    if (!url) {
      process.stderr.write(`give --file, --database or DATABASE_URL\n${USAGE}\n`);
      return 2;
    }
    const pool = new Pool({ connectionString: url, max: 2 });
    try {
      verdict = await verifyAuditChain(pool, { threads });
    } finally {
      await pool.end();
    }
  }
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ ...verdict, source: values.file ?? 'database', seconds })}\n`);
  return verdict.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`audit:verify failed: ${err.message}\n`);
    process.exit(2);
  },
);
