import { readFileSync } from 'node:fs';

export const STACK_FILE_ENV = 'STEWARD_TEST_STACK_FILE';

export interface TestStackInfo {
  /** The owner (superuser): migrations, and tests that stage tampering. */
  databaseUrl: string;
  /** What the API and worker use: a member of steward_app. */
  appDatabaseUrl: string;
  temporalAddress: string;
  dir: string;
}

export function testStackInfo(): TestStackInfo {
  const file = process.env[STACK_FILE_ENV];
  if (!file) throw new Error(`${STACK_FILE_ENV} is unset: run this test through jest's e2e project (its globalSetup starts the stack)`);
  return JSON.parse(readFileSync(file, 'utf8')) as TestStackInfo;
}
