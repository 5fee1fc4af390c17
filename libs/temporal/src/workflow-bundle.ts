import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BundleOptions, WorkerOptions } from '@temporalio/worker';

/** Repository (or dist/) root: this file lives in libs/temporal/src. */
const ROOT = resolve(__dirname, '..', '..', '..');

/**
 * Where the workflow code is and how to bundle it. Works from TypeScript sources (tests) and from dist/
 * (compiled, aliases already rewritten); the alias lets sources use `@steward/domain` inside the bundle.
 */
export function workflowBundleOptions(): Pick<BundleOptions, 'workflowsPath' | 'webpackConfigHook'> {
  return {
    workflowsPath: require.resolve(join(ROOT, 'workflows')),
    webpackConfigHook: (config) => {
      config.resolve = config.resolve ?? {};
      config.resolve.alias = {
        ...(config.resolve.alias as Record<string, string>),
        '@steward/domain': join(ROOT, 'libs', 'domain', 'src'),
        '@steward/workflows': join(ROOT, 'workflows'),
      };
      return config;
    },
  };
}

/**
 * What a worker runs: the bundle `npm run build` wrote beside dist/ when running from there (no webpack at
 * start), else the workflow sources, bundled as the worker starts (tests, which run the TypeScript sources).
 */
export function workflowCode(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> {
  const prebuilt = join(ROOT, 'workflow-bundle.js');
  if (existsSync(prebuilt)) return { workflowBundle: { codePath: prebuilt } };
  const { workflowsPath, webpackConfigHook } = workflowBundleOptions();
  return { workflowsPath, bundlerOptions: { webpackConfigHook } };
}
