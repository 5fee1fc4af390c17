import { ApprovalTypes, DEFAULT_APPROVAL_TYPES, parseApprovalTypes } from '@steward/domain';
import { PolicyParse, policyFileProvider } from '../common/policy-file.provider';

export const APPROVAL_TYPES = Symbol('APPROVAL_TYPES');

function parse(json: unknown): PolicyParse<ApprovalTypes> {
  const r = parseApprovalTypes(json);
  return r.ok ? { ok: true, value: r.types } : r;
}

/** Reads APPROVAL_TYPES_FILE once at boot; a bad file stops the boot with every problem named by its JSON path. */
export const approvalTypesProvider = policyFileProvider(APPROVAL_TYPES, 'APPROVAL_TYPES_FILE', parse, DEFAULT_APPROVAL_TYPES);
