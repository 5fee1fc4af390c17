import { join, resolve } from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

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
