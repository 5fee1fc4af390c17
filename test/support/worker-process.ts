import { ChildProcess, spawn } from 'node:child_process';
import { workerProcessOptions } from '@steward/devstack';
import { distFile } from './build';
import { ROOT } from './isolation';
import type { Steward } from './steward';

/**
 * The compiled worker (dist/, which global setup keeps current) as a child process on this test file's stack:
 * its database, Temporal namespace and task queue, so a test can kill it for real. `env` adds or overrides
 * settings; everything it prints goes to `onOutput`.
 */
export function spawnWorkerProcess(s: Steward, env: Record<string, string>, onOutput: (text: string) => void): ChildProcess {
  const node = workerProcessOptions();
  const child = spawn(process.execPath, [...node.execArgv, distFile('apps', 'worker', 'src', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...node.env,
      DATABASE_URL: s.config.databaseUrl,
      TEMPORAL_ADDRESS: s.config.temporalAddress,
      TEMPORAL_NAMESPACE: s.config.TEMPORAL_NAMESPACE,
      TEMPORAL_TASK_QUEUE: s.config.TEMPORAL_TASK_QUEUE,
      JWT_SECRET: s.config.jwtSecret,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => onOutput(d.toString()));
  child.stderr!.on('data', (d: Buffer) => onOutput(d.toString()));
  return child;
}
