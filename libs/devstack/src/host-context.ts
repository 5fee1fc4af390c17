import vm from 'node:vm';

/*
 * Jest runs each test file in a sandbox with its own module registry and a
 * copy of `process`. Two things devstack needs only work against the real
 * Node.js host, so these helpers reach it by evaluating code in the main
 * context. Outside Jest they are equivalent to the plain globals.
 */

/** The real `process`: 'exit' listeners on Jest's copy never run. */
export function hostProcess(): NodeJS.Process {
  return new vm.Script('process').runInThisContext() as NodeJS.Process;
}

/** import() through Node's own loader, for ES modules that Jest cannot require(). */
export function importOutsideSandbox<T>(url: string): Promise<T> {
  const script = new vm.Script('(url) => import(url)', {
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  return (script.runInThisContext() as (url: string) => Promise<T>)(url);
}
