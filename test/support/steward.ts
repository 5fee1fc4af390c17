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
import { testStackInfo } from './stack-info';

export interface Steward {
  config: StewardConfig;
  app: INestApplication;
  http: ReturnType<typeof request>;
  dataSource: DataSource;
  temporal: Client;
  /** A bearer header for a directory user. */
  as(userId: string): { Authorization: string };
  /** Starts an in-process worker on this instance's task queue (started by default). */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The API and an in-process worker on the real Postgres and Temporal that globalSetup started. Each call
 * gets its own task queue, so test files never run each other's workflows.
 */
export async function startSteward(env: Record<string, string> = {}, { worker = true } = {}): Promise<Steward> {
  const stack = testStackInfo();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: stack.appDatabaseUrl,
    TEMPORAL_ADDRESS: stack.temporalAddress,
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
