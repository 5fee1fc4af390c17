import { DEFAULT_SLA_POLICIES, parseSlaPolicies, SlaPolicies } from '@steward/domain';
import { loadPolicyFile, PolicyParse, policyFileProvider } from '../common/policy-file.provider';

export const SLA_POLICIES = Symbol('SLA_POLICIES');

function parse(json: unknown): PolicyParse<SlaPolicies> {
  const r = parseSlaPolicies(json);
  return r.ok ? { ok: true, value: r.policies } : r;
}

/** Reads SLA_POLICIES_FILE once at boot; a bad file stops the boot with every problem named. */
export function loadSlaPolicies(file: string | undefined): SlaPolicies {
  return loadPolicyFile('SLA_POLICIES_FILE', file, parse, DEFAULT_SLA_POLICIES);
}

export const slaPoliciesProvider = policyFileProvider(SLA_POLICIES, 'SLA_POLICIES_FILE', parse, DEFAULT_SLA_POLICIES);
