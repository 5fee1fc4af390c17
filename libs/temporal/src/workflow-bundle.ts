import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BundleOptions, WorkerOptions } from '@temporalio/worker';

/** Repository (or dist/) root: this file lives in libs/temporal/src. */
const ROOT = resolve(__dirname, '..', '..', '..');

/**
 * Modules every workflow shares instead of running their module code again for each one: the pure domain
 * rules and what they import (luxon, json-logic-js). In the reusable V8 context the SDK runs a workflow's
 * modules once per workflow, so without this each cached case held its own copy of luxon and the rules
 * (about 0.8 MB each: a worker caching 1,000 complaints used 1 GB) and each new case paid for running them.
 * They qualify because they keep no per-workflow state: pure functions and constants, which the SDK deep-freezes
 * (the one module-level cache, json-logic's known-operator map, holds facts about the library, the same for all).
 */
export const SHARED_WORKFLOW_MODULES: readonly string[] = ['@steward/domain'];

/**
 * Where the workflow code is and how to bundle it. Works from TypeScript sources (tests) and from dist/
 * (compiled, aliases already rewritten); the alias lets sources use `@steward/domain` inside the bundle.
 */
export function workflowBundleOptions(): Pick<BundleOptions, 'workflowsPath' | 'webpackConfigHook' | 'preloadModules'> {
  return {
    workflowsPath: require.resolve(join(ROOT, 'workflows')),
    preloadModules: [...SHARED_WORKFLOW_MODULES],
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
  const { workflowsPath, webpackConfigHook, preloadModules } = workflowBundleOptions();
  return { workflowsPath, bundlerOptions: { webpackConfigHook, preloadModules } };
}
