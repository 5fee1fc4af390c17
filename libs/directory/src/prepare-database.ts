import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openDataSource } from '@steward/persistence';
import { readDirectoryFile } from './directory-file';
import { DirectoryService } from './directory.service';

/** The demo organisation, shared by the team beside the repository; docker/ carries a copy for images. */
export function defaultDirectoryFile(root = resolve(__dirname, '..', '..', '..')): string {
  const candidates = [resolve(root, '..', 'shared', 'fixtures', 'directory.json'), resolve(root, 'docker', 'directory.example.json')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/** Applies migrations and seeds the directory when it is empty. Returns how many users were seeded. */
export async function prepareDatabase(url: string, directoryFile: string): Promise<{ seededUsers: number }> {
  const ds = await openDataSource(url, { migrate: true });
  try {
    const seededUsers = await new DirectoryService(ds).seedIfEmpty(readDirectoryFile(directoryFile));
    return { seededUsers };
  } finally {
    await ds.destroy();
  }
}
