import type { QuorumRule, TimeoutAction } from '../approval';

/**
 * Approval request types, read from APPROVAL_TYPES_FILE: the fields a request of the type carries and the
 * route it takes. Adding a type is an edit to that file; nothing here names a type.
 */
export const FIELD_TYPES = ['string', 'text', 'number', 'money', 'date', 'user', 'enum'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldSpec {
  type: FieldType;
  label?: string;
  description?: string;
  required?: boolean;
  /** string and text: the longest value accepted (defaults: 200 and 10000). */
  maxLength?: number;
  /** number and money: bounds of the value. */
  min?: number;
  max?: number;
  /** enum: the values accepted. */
  values?: string[];
  /** money: the currencies accepted (ISO 4217 codes); any three-letter code when absent. */
  currencies?: string[];
}

/** `requester.manager`, `requester.manager.manager`, `role:<role>` or `user:<id>`. */
export type ApproverSelector = string;

/** A JSON Logic expression (jsonlogic.com) over the request's fields. */
export type Condition = boolean | Record<string, unknown>;

export interface RequestRouteLevel {
  name: string;
  /** The level applies when this is truthy for the fields; always when absent. */
  when?: Condition;
  approvers: ApproverSelector;
  rule: QuorumRule;
  /** n_of_m: approvals needed. */
  n?: number;
  /** ISO 8601 duration the level may wait before `onTimeout` applies. */
  timeout?: string;
  onTimeout?: TimeoutAction;
}

export interface ApprovalType {
  title: string;
  description?: string;
  fields: Record<string, FieldSpec>;
  route: RequestRouteLevel[];
  /** `role:<role>`: once approved, holders of the role fulfil the request. */
  fulfil?: string;
}

export type ApprovalTypes = Record<string, ApprovalType>;

export interface Money {
  value: number;
  currency: string;
}

export type FieldValue = string | number | Money;
export type FieldValues = Record<string, FieldValue>;

export const APPROVAL_REQUEST_STATUSES = ['pending_approval', 'changes_requested', 'approved', 'rejected', 'withdrawn', 'fulfilled'] as const;
export type ApprovalRequestStatus = (typeof APPROVAL_REQUEST_STATUSES)[number];

/** Statuses from which a request may still be withdrawn (before it is fulfilled or decided for good). */
export const WITHDRAWABLE_APPROVAL_STATUSES: readonly ApprovalRequestStatus[] = ['pending_approval', 'changes_requested', 'approved'];

/** The request's role from a `role:<role>` selector, or null. */
export function roleOf(selector: string | undefined): string | null {
  return selector?.startsWith('role:') ? selector.slice('role:'.length) : null;
}
