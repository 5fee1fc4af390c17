import { ChildProcess, spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DevstackLogger, OutputTail, forEachLine } from './log';

const ANSI_ESCAPE = /\x1b\[[0-9;]*[A-Za-z]/g;

export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) return false;
    await fs.access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RunCommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  log: DevstackLogger;
  /** Prefix for the command's output lines in the log. */
  label: string;
  /** Log the output at debug level only (it still appears in the error of a failed run). */
  quiet?: boolean;
  uid?: number;
  gid?: number;
}

/** Runs a command to completion, streaming its output lines to the log. */
export function runCommand(command: string, args: string[], options: RunCommandOptions): Promise<void> {
  const tail = new OutputTail();
  return new Promise((resolve, reject) => {
    const { cwd, env, uid, gid } = options;
    const child = spawn(command, args, { cwd, env, uid, gid, stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = (rawLine: string): void => {
      // Maven prints colour resets even in batch mode.
      const line = rawLine.replace(ANSI_ESCAPE, '').trimEnd();
      if (line === '') return;
      tail.push(line);
      if (options.quiet) options.log.debug(`${options.label}: ${line}`);
      else options.log.info(`${options.label}: ${line}`);
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
    child.once('error', (error) => reject(new Error(`Could not run ${command}: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new Error(`${command} ${args.join(' ')} ${how}. Last output:\n${tail}`));
    });
  });
}

/** How a child process ended: its code or signal, or the error that kept it from running. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/** Resolves when the child has ended; 'close' rather than 'exit' so an output tail is complete by then. */
export function waitForChildExit(child: ChildProcess): Promise<ChildExit> {
  return new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
}

export function describeChildExit(exit: ChildExit): string {
  if (exit.error) return `could not be run: ${exit.error.message}`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** SIGTERM, then SIGKILL if the child is still running after `graceMs`; resolves once it has ended. */
export async function terminateChild(child: ChildProcess, exited: Promise<ChildExit>, graceMs: number): Promise<void> {
  const running = child.exitCode === null && child.signalCode === null;
  if (running) child.kill('SIGTERM');
  const escalation = running ? setTimeout(() => child.kill('SIGKILL'), graceMs) : undefined;
  await exited;
  clearTimeout(escalation);
}
