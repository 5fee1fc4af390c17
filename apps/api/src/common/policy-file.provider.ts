import { readFileSync } from 'node:fs';
import { Provider } from '@nestjs/common';
import { ConfigError, StewardConfig } from '@steward/config';

/** A policy parser's verdict: the value, or every problem found, each naming its JSON path. */
export type PolicyParse<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Reads a policy file once; a bad file stops the boot with every problem named after the variable. */
export function loadPolicyFile<T>(variable: string, file: string | undefined, parse: (json: unknown) => PolicyParse<T>, fallback: T): T {
  if (!file) return fallback;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError([`${variable}: cannot read ${file}: ${(e as Error).message}`]);
  }
  const parsed = parse(json);
  if (!parsed.ok) throw new ConfigError(parsed.errors.map((e) => `${variable} ${file}: ${e}`));
  return parsed.value;
}

/**
 * A Nest provider of a case type's policy, from the file the config variable names or the shipped default.
 * Validated at boot: the API does not start on a bad file.
 */
export function policyFileProvider<T>(
  token: symbol,
  variable: keyof StewardConfig & string,
  parse: (json: unknown) => PolicyParse<T>,
  fallback: T,
): Provider {
  return {
    provide: token,
    inject: [StewardConfig],
    useFactory: (config: StewardConfig) => loadPolicyFile(variable, config[variable] as string | undefined, parse, fallback),
  };
}
