import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const LAUNCHER = join(ROOT, 'dist', 'apps', 'launcher', 'src', 'main.js');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the launcher exited with ${child.exitCode} before ${url} was healthy`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not become healthy within ${timeoutMs / 1000}s`);
}

function stop(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The real stack, as `npm start` runs it: the launcher with embedded Postgres, the Temporal dev server, the API
 * (serving the built console) and the worker, in a throwaway DATA_DIR on free ports. Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(join(ROOT, 'dist', 'web', 'index.html')) || !existsSync(LAUNCHER)) {
    throw new Error('build first: npm run build (the API serves dist/web)');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-web-'));
  const [port, pgPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [LAUNCHER], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      JWT_SECRET: '',
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_POSTGRES_PORT: String(pgPort),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    // The first run on a machine without a temporal CLI builds one (minutes); later starts take seconds.
    await waitForHealth(`${url}/health`, child, 600_000);
  } catch (e) {
    await stop(child, 10_000);
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  process.env.STEWARD_WEB_URL = url;
  return async () => {
    await stop(child, 15_000);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
