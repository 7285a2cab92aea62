import type { AccountState } from './account.ts';
import { type BucketState, type BucketStatePart, CONTEXT_PARTS } from './bucket.ts';

/** A policy as a document (what people and `undo` read); the raw text when it is not JSON. */
function policyView(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The configuration a control judged, as shown before/after in alerts and kept in the audit trail:
 * the real documents (policy, ACL grants, encryption rules, flags), never Warden's own context.
 * `undo` compares a fresh view with the recorded "after", so both come from this one function.
 */
export function bucketView(state: BucketState, reads: readonly BucketStatePart[]): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const part of reads) {
    if (CONTEXT_PARTS.has(part)) continue;
    const value = state[part];
    if (value === undefined) continue;
    view[part] = part === 'policy' && typeof value === 'string' ? policyView(value) : value;
  }
  return view;
}

export function accountView(
  state: AccountState,
  reads: readonly 'publicAccessBlock'[],
): Record<string, unknown> {
  return reads.includes('publicAccessBlock') && state.publicAccessBlock
    ? { publicAccessBlock: state.publicAccessBlock }
    : {};
}

export const BUCKET_RESOURCE_TYPE = 'AWS::S3::Bucket';
export const ACCOUNT_RESOURCE_TYPE = 'AWS::::Account';

/** The audit and alert resource name of an account's own S3 settings; never a valid bucket name. */
export const accountResource = (accountId: string): string => `account ${accountId}`;
