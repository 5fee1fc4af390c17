import { execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Test } from 'supertest';
import { defaultDirectoryFile, prepareDatabase } from '@steward/directory';
import { ensureAppLogin } from '@steward/persistence';
import { testStackInfo } from './stack-info';

/** Helpers for the audit e2e specs: scratch databases for tampering, the compiled CLI, raw export bodies. */

const ROOT = join(__dirname, '..', '..');
export const AUDIT_VERIFY_CLI = join(ROOT, 'dist', 'apps', 'cli', 'src', 'audit-verify.js');

/** Builds dist/ when the compiled CLI is missing (as `npm run test:e2e` would have). */
export function ensureCliBuilt(): void {
  if (!existsSync(AUDIT_VERIFY_CLI)) execSync('npm run build', { cwd: ROOT, stdio: 'pipe' });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as the JSON verdict, or null when it is not JSON. */
  verdict: Record<string, unknown> | null;
}

function runOnce(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AUDIT_VERIFY_CLI, ...args], {
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

/** What a CLI that could not even load looks like: dist/ half-written by a concurrent `npm run build`. */
const LOAD_FAILURE = /Cannot find module|SyntaxError|Unexpected end of input|is not a function|is not a constructor/;

/**
 * Runs `node dist/apps/cli/src/audit-verify.js ...args` and collects its exit code and output. Other people
 * rebuild dist/ while tests run (tsc writes the files, then tsc-alias rewrites their imports): a run that
 * failed to load the CLI is tried again for up to 30 s; any other outcome is returned as it is.
 */
export async function runAuditVerifyCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await runOnce(args, env);
    if (result.code === 0 || result.stdout !== '' || !LOAD_FAILURE.test(result.stderr) || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 1_000));
  }
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

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface ScratchDatabase {
  name: string;
  /** The superuser that owns the tables (migrations, staged tampering). */
  ownerUrl: string;
  /** A member of steward_app, as the API and worker connect. */
  appUrl: string;
  drop(): Promise<void>;
}

/**
 * A fresh database in the test cluster, migrated and seeded like the shared one. Tests that tamper with
 * the trail use one of these: other files verify the shared chain, which must stay intact.
 */
export async function createScratchDatabase(prefix = 'steward_tamper'): Promise<ScratchDatabase> {
  const { databaseUrl } = testStackInfo();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const ownerUrl = withDatabase(databaseUrl, name);
  await prepareDatabase(ownerUrl, defaultDirectoryFile());
  const appUrl = await ensureAppLogin(ownerUrl);
  return {
    name,
    ownerUrl,
    appUrl,
    async drop() {
      const c = new Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
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
