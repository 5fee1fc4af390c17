import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK_FILE_ENV, testStackInfo } from './stack-info';

const dirs: string[] = [];
let hooked = false;

/**
 * Writes `content` to `name` in a fresh directory (`<prefix>XXXXXX`) and returns the file's path, so policy
 * files written per test file do not pile up in /tmp. Under the e2e tier the directory is inside the stack's
 * own directory, which global teardown removes (Jest may end a worker process without its `exit` event);
 * elsewhere it is in the OS temp directory and removed when this process exits.
 */
export function writeTempFile(prefix: string, name: string, content: string): string {
  const underStack = Boolean(process.env[STACK_FILE_ENV]);
  const dir = mkdtempSync(join(underStack ? testStackInfo().dir : tmpdir(), prefix));
  if (!underStack) {
    dirs.push(dir);
    if (!hooked) {
      hooked = true;
      process.once('exit', () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
    }
  }
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}
