import { readFileSync } from 'node:fs';
import { Provider } from '@nestjs/common';
import { ConfigError, StewardConfig } from '@steward/config';
import { DEFAULT_SLA_POLICIES, parseSlaPolicies, SlaPolicies } from '@steward/domain';

export const SLA_POLICIES = Symbol('SLA_POLICIES');

/** Reads SLA_POLICIES_FILE once at boot; a bad file stops the boot with every problem named. */
export function loadSlaPolicies(file: string | undefined): SlaPolicies {
  if (!file) return DEFAULT_SLA_POLICIES;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError([`SLA_POLICIES_FILE: cannot read ${file}: ${(e as Error).message}`]);
  }
  const parsed = parseSlaPolicies(json);
  if (!parsed.ok) throw new ConfigError(parsed.errors.map((e) => `SLA_POLICIES_FILE ${file}: ${e}`));
  return parsed.policies;
}

export const slaPoliciesProvider: Provider = {
  provide: SLA_POLICIES,
  inject: [StewardConfig],
  useFactory: (config: StewardConfig) => loadSlaPolicies(config.SLA_POLICIES_FILE),
};
