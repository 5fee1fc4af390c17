import type { RouteDirectory } from '@steward/domain';
import { DirectoryService } from './directory.service';

/** The directory as approval-request route planning reads it (the API to refuse unroutable requests, the worker to plan). */
export function routeDirectory(directory: DirectoryService): RouteDirectory {
  return {
    managerOf: async (userId) => (await directory.findUser(userId))?.managerId ?? null,
    usersWithRole: async (role) => (await directory.usersWithRole(role)).map((u) => u.id),
    exists: async (userId) => (await directory.findUser(userId)) !== null,
  };
}
