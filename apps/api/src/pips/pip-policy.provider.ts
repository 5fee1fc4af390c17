import { DEFAULT_PIP_POLICY, parsePipPolicy, PipPolicy } from '@steward/domain';
import { PolicyParse, policyFileProvider } from '../common/policy-file.provider';

export const PIP_POLICY = Symbol('PIP_POLICY');

function parse(json: unknown): PolicyParse<PipPolicy> {
  const r = parsePipPolicy(json);
  return r.ok ? { ok: true, value: r.policy } : r;
}

/** PIP_POLICY_FILE, read once at boot (default: the shipped policy, config/pip-policy.json); a bad file stops the boot naming every bad entry. */
export const pipPolicyProvider = policyFileProvider(PIP_POLICY, 'PIP_POLICY_FILE', parse, DEFAULT_PIP_POLICY);
