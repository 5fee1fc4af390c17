import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { Client } from 'pg';

/**
 * Each e2e test file gets its own database (a copy of the template global setup migrated and seeded) and
 * its own Temporal namespace, both named after the file. Parallel jest workers then never see each other's
 * cases, tasks, notifications or audit events, so a test may count what its users have.
 */

export const ROOT = join(__dirname, '..', '..');
export const E2E_DIR = join(ROOT, 'test', 'e2e');

/** A short, stable name for a test file: its base name made SQL- and DNS-safe, plus a hash of its path. */
function fileSlug(testPath: string): { slug: string; hash: string } {
  const rel = relative(ROOT, testPath).split(sep).join('/');
  const slug = basename(testPath)
    .replace(/\.(e2e-spec|spec|test)\.[jt]s$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 28);
  return { slug: slug || 'file', hash: createHash('sha256').update(rel).digest('hex').slice(0, 8) };
}

/** The Temporal namespace of a test file. */
export function namespaceFor(testPath: string): string {
  const { slug, hash } = fileSlug(testPath);
  return `e2e-${slug.replace(/_/g, '-')}-${hash}`;
}

/** The database of a test file in one run (at most 63 characters, as Postgres wants). */
export function databaseFor(testPath: string, runId: string): string {
  const { slug, hash } = fileSlug(testPath);
  return `e2e_${slug}_${hash}_${runId}`;
}

/** Every e2e test file, for global setup to give each a namespace up front. */
export function e2eTestFiles(dir = E2E_DIR): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.e2e-spec.ts'))
    .map((f) => join(dir, f))
    .sort();
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * CREATE DATABASE `name` as a copy of `template`, through `adminUrl`. Postgres refuses a copy while anyone
 * is connected to the template (55006); nobody should be, so that is retried briefly and then reported.
 */
export async function createDatabaseFromTemplate(adminUrl: string, name: string, template: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== '55006' || Date.now() > deadline) throw err;
    } finally {
      await admin.end();
    }
    // A retry pause, not a synchronisation: the loop ends on success or at its deadline.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
