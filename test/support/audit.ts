import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { Test } from 'supertest';
import { defaultDirectoryFile, prepareDatabase } from '@steward/directory';
import type { verifyAuditChain, verifyAuditFile } from '@steward/persistence';
import { ensureAppLogin } from '@steward/persistence';
import { distFile } from './build';
import { createDatabaseFromTemplate, ROOT, withDatabase } from './isolation';
import { testStackInfo } from './stack-info';

/** Helpers for the audit e2e specs: scratch databases for tampering, the compiled CLI, raw export bodies. */

/** The compiled audit CLI; global setup has built dist/ from the current sources. */
export const auditVerifyCli = (): string => distFile('apps', 'cli', 'src', 'audit-verify.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as the JSON verdict, or null when it is not JSON. */
  verdict: Record<string, unknown> | null;
}

export interface CompiledAuditVerifiers {
  verifyAuditChain: typeof verifyAuditChain;
  verifyAuditFile: typeof verifyAuditFile;
}

/**
 * The compiled verifiers (dist/), which check their chunks on worker threads: from the TypeScript sources
 * under Jest there is no compiled worker to start, so everything runs in line there.
 */
export async function compiledAuditVerifiers(): Promise<CompiledAuditVerifiers> {
  const stream = (await import(distFile('libs', 'persistence', 'src', 'audit', 'audit-stream.js'))) as Pick<CompiledAuditVerifiers, 'verifyAuditChain'>;
  const file = (await import(distFile('libs', 'persistence', 'src', 'audit', 'audit-file.js'))) as Pick<CompiledAuditVerifiers, 'verifyAuditFile'>;
  return { verifyAuditChain: stream.verifyAuditChain, verifyAuditFile: file.verifyAuditFile };
}

/** Options that make the compiled verifiers use two threads and chunks of a few events, whatever the size of the chain. */
export const ON_THREADS = { threads: 2, chunkBytes: 2048, inlineBytes: 0 };

/** Runs `node dist/apps/cli/src/audit-verify.js ...args` and collects its exit code and output. */
export function runAuditVerifyCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [auditVerifyCli(), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      let verdict: Record<string, unknown> | null = null;
      try {
        verdict = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        verdict = null;
      }
      resolve({ code, stdout, stderr, verdict });
    });
  });
}

/** Makes supertest buffer any response body (JSON lines, CSV) as one string in `res.body`. */
export function asText(req: Test): Test {
  return req.buffer(true).parse((res, done) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => done(null, text));
  });
}

export { withDatabase };

export interface ScratchDatabase {
  name: string;
  /** The superuser that owns the tables (migrations, staged tampering). */
  ownerUrl: string;
  /** A member of steward_app, as the API and worker connect. */
  appUrl: string;
}

/**
 * A fresh database in the test cluster, migrated and seeded: a copy of the template when global setup made
 * one. Tests that need a chain of their own (exact seqs, staged tampering) use one of these. Nothing drops
 * it during the run, so no pool still open on it is ever cut off (57P01): the cluster's directory goes at
 * the end, and on an outside server global teardown drops the run's databases.
 */
export async function createScratchDatabase(prefix = 'steward_tamper'): Promise<ScratchDatabase> {
  const { databaseUrl, appDatabaseUrl, template, runId } = testStackInfo();
  const name = `${prefix}_${randomBytes(4).toString('hex')}_${runId}`;
  const ownerUrl = withDatabase(databaseUrl, name);
  if (template) {
    await createDatabaseFromTemplate(databaseUrl, name, template);
    return { name, ownerUrl, appUrl: withDatabase(appDatabaseUrl, name) };
  }
  await withClient(databaseUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  await prepareDatabase(ownerUrl, defaultDirectoryFile());
  return { name, ownerUrl, appUrl: await ensureAppLogin(ownerUrl) };
}

/** Runs `fn` on a fresh connection to `url` and closes it. */
export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The error a statement fails with (and fails the test when it succeeds), run inside a rolled-back transaction. */
export async function refusal(c: Client, sql: string): Promise<{ message: string; code: string }> {
  await c.query('BEGIN');
  try {
    await c.query(sql);
  } catch (err) {
    const e = err as { message: string; code: string };
    return { message: e.message, code: e.code };
  } finally {
    await c.query('ROLLBACK');
  }
  throw new Error(`expected the database to refuse: ${sql}`);
}
