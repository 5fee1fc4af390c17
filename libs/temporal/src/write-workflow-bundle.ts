import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions } from './workflow-bundle';

/**
 * `node dist/libs/temporal/src/write-workflow-bundle.js <out>`: bundles the workflow code once, at build time
 * (`npm run build` calls it), so that a worker started from dist/ loads the bundle instead of running webpack.
 */
async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: quietLogger });
  writeFileSync(out, code);
}

/** webpack's progress lines are noise in a build log; warnings and errors still show. */
const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`${message}\n`),
  error: (message: string) => process.stderr.write(`${message}\n`),
};

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
