import { join } from 'node:path';
import { databaseFor, e2eTestFiles, namespaceFor, ROOT } from './isolation';

/** The names each e2e test file's database and namespace get: valid, short enough, stable and distinct. */
describe('per-file database and namespace names', () => {
  const long = join(ROOT, 'test', 'e2e', 'approval-requests-with-a-very-long-descriptive-file-name-for-routing.e2e-spec.ts');

  it('fits Postgres (63 characters, lower-case identifier) and Temporal, even for a long file name', () => {
    const db = databaseFor(long, 'abc123');
    expect(db.length).toBeLessThanOrEqual(63);
    expect(db).toMatch(/^e2e_[a-z0-9_]+_[0-9a-f]{8}_abc123$/);
    expect(namespaceFor(long)).toMatch(/^e2e-[a-z0-9-]+-[0-9a-f]{8}$/);
  });

  it('is stable for a file and differs between files with the same base name', () => {
    const a = join(ROOT, 'test', 'e2e', 'pip', 'access.e2e-spec.ts');
    const b = join(ROOT, 'test', 'e2e', 'crisis', 'access.e2e-spec.ts');
    expect(namespaceFor(a)).toBe(namespaceFor(a));
    expect(namespaceFor(a)).not.toBe(namespaceFor(b));
    expect(databaseFor(a, 'r1')).not.toBe(databaseFor(b, 'r1'));
    expect(databaseFor(a, 'r1')).not.toBe(databaseFor(a, 'r2'));
  });

  it('finds every e2e file, nested ones included, each with its own namespace', () => {
    const files = e2eTestFiles();
    expect(files).toContain(join(ROOT, 'test', 'e2e', 'worker-restart.e2e-spec.ts'));
    expect(files.every((f) => f.endsWith('.e2e-spec.ts'))).toBe(true);
    expect(new Set(files.map(namespaceFor)).size).toBe(files.length);
  });
});
