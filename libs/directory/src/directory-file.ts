import { readFileSync } from 'node:fs';
import { DirectoryFile } from './directory.types';

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Reads and checks a directory file; errors name the file and the offending entry. */
export function readDirectoryFile(path: string): DirectoryFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`DIRECTORY_FILE ${path}: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  const file = raw as Partial<DirectoryFile>;
  if (!Array.isArray(file.teams)) problems.push('teams must be an array');
  if (!Array.isArray(file.users)) problems.push('users must be an array');
  if (problems.length === 0) {
    const teamIds = new Set(file.teams!.map((t) => t.id));
    const userIds = new Set(file.users!.map((u) => u.id));
    file.teams!.forEach((t, i) => {
      if (!isStr(t.id) || !isStr(t.name)) problems.push(`teams[${i}] needs id and name`);
      if (t.leadId && !userIds.has(t.leadId)) problems.push(`teams[${i}].leadId ${t.leadId} is not a user`);
    });
    file.users!.forEach((u, i) => {
      if (!isStr(u.id) || !isStr(u.name) || !isStr(u.email)) problems.push(`users[${i}] needs id, name and email`);
      if (!Array.isArray(u.roles) || !u.roles.every(isStr)) problems.push(`users[${i}].roles must be strings`);
      if (u.managerId && !userIds.has(u.managerId)) problems.push(`users[${i}].managerId ${u.managerId} is not a user`);
      if (u.team && !teamIds.has(u.team)) problems.push(`users[${i}].team ${u.team} is not a team`);
    });
  }
  if (problems.length > 0) throw new Error(`DIRECTORY_FILE ${path}: ${problems.join('; ')}`);
  return { teams: file.teams!, users: file.users!.map((u) => ({ ...u, managerId: u.managerId ?? null, team: u.team ?? null })) };
}
