import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * docker/compose.yml cannot be started here (no Docker engine): its security properties are checked on the
 * parsed file. `migrate.ts` beside this spec is what its one-shot `migrate` service runs.
 */

interface Service {
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
}

const compose = parse(readFileSync(resolve(__dirname, '../../../docker/compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const env = (name: string) => services[name].environment ?? {};
const OWNER = /steward_owner|STEWARD_OWNER_DB_PASSWORD|POSTGRES_PASSWORD/;

describe('docker/compose.yml', () => {
  it('publishes every port but the API on 127.0.0.1 only: the Temporal UI has no authentication', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((port) => ({ name, port })));
    expect(published.map((p) => p.name).sort()).toEqual(['api', 'temporal', 'temporal-ui']);
    for (const { name, port } of published) {
      if (name === 'api') continue;
      expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
    }
    expect(services['temporal-ui'].ports).toEqual(['127.0.0.1:${TEMPORAL_UI_PORT:-8080}:8080']);
  });

  it('gives the API and worker the least-privilege app role, never the table owner, and no migrations to run', () => {
    for (const name of ['api', 'worker']) {
      const e = env(name);
      expect(e.DATABASE_URL).toMatch(/^postgres:\/\/steward:\$\{STEWARD_DB_PASSWORD:-steward\}@postgres:5432\/steward$/);
      expect(e).not.toHaveProperty('MIGRATIONS_DATABASE_URL');
      expect(e.MIGRATIONS_RUN).toBe('false');
      for (const [key, value] of Object.entries(e)) expect({ name, key, value: String(value) }).toEqual({ name, key, value: expect.not.stringMatching(OWNER) });
    }
  });

  it('migrates as the owner in a one-shot service that the API waits for', () => {
    expect(services.migrate.command).toEqual(['node', 'dist/apps/cli/src/migrate.js']);
    expect(env('migrate').MIGRATIONS_DATABASE_URL).toMatch(/^postgres:\/\/steward_owner:/);
    expect(env('migrate')).not.toHaveProperty('DATABASE_URL');
    expect(services.api.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
  });
});
