import { readFileSync } from 'node:fs';

export const STACK_FILE_ENV = 'STEWARD_TEST_STACK_FILE';

export interface TestStackInfo {
  /** The owner (superuser) on the server's own database: creates the per-file and scratch databases. */
  databaseUrl: string;
  /** The same database as a member of steward_app (the shared fallback when `template` is null). */
  appDatabaseUrl: string;
  temporalAddress: string;
  dir: string;
  /** Distinguishes this run's databases on a server that outlives it. */
  runId: string;
  /** The migrated and seeded database each test file copies; null when databases cannot be created (all share one). */
  template: string | null;
  /** The Temporal namespaces global setup created, one per e2e test file (empty with an external TEMPORAL_ADDRESS). */
  namespaces: string[];
}

export function testStackInfo(): TestStackInfo {
  const file = process.env[STACK_FILE_ENV];
  if (!file) throw new Error(`${STACK_FILE_ENV} is unset: run this test through jest's e2e project (its globalSetup starts the stack)`);
  return JSON.parse(readFileSync(file, 'utf8')) as TestStackInfo;
}
