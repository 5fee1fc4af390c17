import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { TemporalWorkerService } from '../../apps/worker/src/temporal-worker.service';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { loadConfig, StewardConfig } from '@steward/config';
import { signToken } from '@steward/directory';
import { createDatabaseFromTemplate, databaseFor, namespaceFor, withDatabase } from './isolation';
import { TestStackInfo, testStackInfo } from './stack-info';

export interface Steward {
  config: StewardConfig;
  app: INestApplication;
  http: ReturnType<typeof request>;
  dataSource: DataSource;
  temporal: Client;
  /** This test file's own database (or the shared one, see fileDatabase). */
  database: FileDatabase;
  /** A bearer header for a directory user. */
  as(userId: string): { Authorization: string };
  /** Starts an in-process worker on this instance's task queue (started by default). */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface FileDatabase {
  name: string;
  /** The superuser that owns the tables (tests that stage tampering, or read what the app role may not). */
  ownerUrl: string;
  /** A member of steward_app, as the API and worker connect. */
  appUrl: string;
}

const fileDatabases = new Map<string, Promise<FileDatabase>>();

/** The test file jest is running in this worker (startSteward is called from its hooks and tests). */
function currentTestPath(): string | undefined {
  return typeof expect === 'undefined' ? undefined : expect.getState().testPath;
}

/**
 * The calling test file's own database: a copy of the template global setup migrated and seeded, made on
 * first use and kept for the rest of the run (the cluster goes with its temp directory; databases on an
 * outside server are dropped by global teardown). Without a template, the shared database.
 */
export function fileDatabase(testPath = currentTestPath(), stack: TestStackInfo = testStackInfo()): Promise<FileDatabase> {
  if (!stack.template || !testPath) {
    const name = new URL(stack.databaseUrl).pathname.slice(1);
    return Promise.resolve({ name, ownerUrl: stack.databaseUrl, appUrl: stack.appDatabaseUrl });
  }
  const template = stack.template;
  let db = fileDatabases.get(testPath);
  if (!db) {
    const name = databaseFor(testPath, stack.runId);
    db = createDatabaseFromTemplate(stack.databaseUrl, name, template).then(() => ({
      name,
      ownerUrl: withDatabase(stack.databaseUrl, name),
      appUrl: withDatabase(stack.appDatabaseUrl, name),
    }));
    db.catch(() => fileDatabases.delete(testPath));
    fileDatabases.set(testPath, db);
  }
  return db;
}

/** The calling test file's Temporal namespace, when global setup made one; otherwise the shared one. */
function fileNamespace(stack: TestStackInfo, testPath = currentTestPath()): string | undefined {
  if (!testPath) return undefined;
  const ns = namespaceFor(testPath);
  if (stack.namespaces.includes(ns)) return ns;
  if (stack.namespaces.length > 0) process.stderr.write(`[test stack] ${testPath} has no namespace of its own (not under test/e2e?): using the shared one\n`);
  return undefined;
}

/**
 * The API and an in-process worker on the real Postgres and Temporal that globalSetup started, on this test
 * file's own database and namespace. Each call gets its own task queue, so two instances in one file never
 * run each other's workflows. `env` overrides the configuration (DATABASE_URL and TEMPORAL_NAMESPACE too).
 */
export async function startSteward(env: Record<string, string> = {}, { worker = true } = {}): Promise<Steward> {
  const stack = testStackInfo();
  const database = env.DATABASE_URL
    ? { name: new URL(env.DATABASE_URL).pathname.slice(1), ownerUrl: env.DATABASE_URL, appUrl: env.DATABASE_URL }
    : await fileDatabase(currentTestPath(), stack);
  const namespace = fileNamespace(stack) ?? process.env.TEMPORAL_NAMESPACE;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.appUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    ...(namespace ? { TEMPORAL_NAMESPACE: namespace } : {}),
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    MIGRATIONS_RUN: 'false',
    JWT_SECRET: 'test-secret-at-least-16-chars',
    ...env,
  });
  const app = await createApiApp(config);
  await app.init();
  let running: { worker: Worker; done: Promise<void>; close: () => Promise<void> } | null = null;

  const steward: Steward = {
    config,
    app,
    http: request(app.getHttpServer()),
    dataSource: app.get(DataSource),
    temporal: app.get(Client),
    database,
    as: (userId) => ({ Authorization: `Bearer ${signToken(userId, config.jwtSecret, undefined, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE })}` }),
    async startWorker() {
      if (running) return;
      const ctx = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'] });
      const w = await ctx.get(TemporalWorkerService).create();
      const done = w.run();
      running = { worker: w, done, close: () => ctx.close() };
    },
    async stopWorker() {
      if (!running) return;
      const r = running;
      running = null;
      r.worker.shutdown();
      await r.done;
      await r.close();
    },
    async close() {
      await steward.stopWorker();
      await app.close();
    },
  };
  if (worker) await steward.startWorker();
  return steward;
}

export { Connection };
