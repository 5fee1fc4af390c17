import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DefaultLogger, LogLevel, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createLogger, StewardConfig } from '@steward/config';
import { workerCacheOptions, workflowCode } from '@steward/temporal';
import { ACTIVITY_PROVIDERS, ActivityProvider } from './activities';

let runtimeInstalled = false;

/** Temporal's own logs go through pino too, so worker output is one JSON stream. */
function installRuntimeLogger(config: StewardConfig): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const logger = createLogger(config, 'temporal');
  const level = (config.LOG_LEVEL === 'silent' ? 'ERROR' : config.LOG_LEVEL === 'fatal' ? 'ERROR' : config.LOG_LEVEL.toUpperCase()) as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const method = entry.level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
      logger[method]({ ...entry.meta }, entry.message);
    }),
  });
}

@Injectable()
export class TemporalWorkerService {
  private worker: Worker | null = null;

  constructor(
    private readonly config: StewardConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Every registered service's activities, merged: activity names are unique across case types. */
  private activities(): Record<string, unknown> {
    const merged: Record<string, unknown> = {};
    for (const provider of ACTIVITY_PROVIDERS) {
      for (const [name, fn] of Object.entries(this.moduleRef.get<ActivityProvider>(provider).toActivities())) {
        if (name in merged) throw new Error(`activity ${name} is registered twice`);
        merged[name] = fn;
      }
    }
    return merged;
  }

  /** Creates the worker (bundling workflow code) and connects it; `run()` then polls until shutdown. */
  async create(): Promise<Worker> {
    installRuntimeLogger(this.config);
    const connection = await NativeConnection.connect({ address: this.config.temporalAddress });
    this.worker = await Worker.create({
      connection,
      namespace: this.config.TEMPORAL_NAMESPACE,
      taskQueue: this.config.TEMPORAL_TASK_QUEUE,
      activities: this.activities(),
      ...workflowCode(),
      ...workerCacheOptions(this.config.WORKER_MAX_CACHED_WORKFLOWS),
    });
    return this.worker;
  }

  shutdown(): void {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
  }
}
