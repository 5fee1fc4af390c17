import vm from 'node:vm';

/*
 * Jest runs each test file in a sandbox with its own module registry and a
 * copy of `process`. Exit listeners only work against the real Node.js host,
 * so this helper reaches it by evaluating code in the main context. Outside
 * Jest it is equivalent to the plain global.
 */

/** The real `process`: 'exit' listeners on Jest's copy never run. */
export function hostProcess(): NodeJS.Process {
  return new vm.Script('process').runInThisContext() as NodeJS.Process;
}
