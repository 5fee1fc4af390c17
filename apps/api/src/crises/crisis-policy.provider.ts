import { CrisisPolicy, DEFAULT_CRISIS_POLICY, parseCrisisPolicy } from '@steward/domain';
import { loadPolicyFile, PolicyParse, policyFileProvider } from '../common/policy-file.provider';

export const CRISIS_POLICY = Symbol('CRISIS_POLICY');

function parse(json: unknown): PolicyParse<CrisisPolicy> {
  const r = parseCrisisPolicy(json);
  return r.ok ? { ok: true, value: r.policy } : r;
}

/** Reads CRISIS_POLICY_FILE once; a bad file stops the boot with every problem named. */
export function loadCrisisPolicy(file: string | undefined): CrisisPolicy {
  return loadPolicyFile('CRISIS_POLICY_FILE', file, parse, DEFAULT_CRISIS_POLICY);
}

export const crisisPolicyProvider = policyFileProvider(CRISIS_POLICY, 'CRISIS_POLICY_FILE', parse, DEFAULT_CRISIS_POLICY);
