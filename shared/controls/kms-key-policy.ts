import { describeGrant, outsideGrantsOf, withoutGrants } from '#shared/model/key-policy.ts';
import { isProtected, keyName } from '#shared/model/kms-key.ts';
import type { KeyControl } from './tamper-types.ts';
import type { EvaluationContext } from './types.ts';

const trustOf = (context: EvaluationContext) => ({
  accountId: context.accountId,
  allowedAccountIds: context.policy.s3.allowedAccountIds,
  allowedOrganizationIds: context.policy.s3.allowedOrganizationIds,
});

/**
 * A protected key's policy grants nothing outside the account (nor to `*` without a condition pinning
 * the caller to it). The fix puts back the last-known-good policy, which by construction grants nothing
 * outside; without one it removes only the offending statements. Either way it never grants more than
 * the last-known-good policy did.
 */
export const kmsKeyPolicy: KeyControl = {
  id: 'kms-key-policy',
  title: 'KMS key policies of protected keys grant no use outside the account',
  severity: 'CRITICAL',
  compliance: ['Security Hub KMS.5', 'MITRE ATT&CK T1485', 'NIST 800-53 AC-3'],
  triggers: ['PutKeyPolicy'],
  reads: ['key', 'policy', 'baselinePolicy', 'protection'],
  defaultMode: 'enforce',

  check(state, context) {
    if (state.keyManager !== 'CUSTOMER' || !isProtected(state) || state.policy === undefined)
      return undefined;
    const grants = outsideGrantsOf(state.policy, trustOf(context));
    if (grants?.length === 0) return undefined;
    const what = grants
      ? grants.map(describeGrant).join('; ')
      : 'is not a policy document Warden can read, so it may grant anything';
    return {
      controlId: 'kms-key-policy',
      resource: state.arn,
      summary: `The policy of KMS key ${keyName(state)} ${grants ? `has statements granting use outside account ${context.accountId}: ${what}` : what}.`,
      observed: grants ?? state.policy,
    };
  },

  fix(_finding, state, context) {
    const baseline = state.baselinePolicy?.policy;
    if (baseline !== undefined && outsideGrantsOf(baseline, trustOf(context))?.length === 0)
      return {
        actions: [
          {
            type: 'PutKeyPolicy',
            keyId: state.keyId,
            policy: baseline,
            why: `its last-known-good policy (observed ${state.baselinePolicy?.observedAt ?? ''})`,
          },
        ],
      };
    const grants = state.policy === undefined ? undefined : outsideGrantsOf(state.policy, trustOf(context));
    if (!grants || state.policy === undefined)
      return {
        blocked:
          'Warden has no last-known-good policy of this key and cannot read the new one: fix it by hand.',
      };
    const stripped = withoutGrants(state.policy, grants);
    if (!stripped)
      return {
        blocked:
          'Warden has no last-known-good policy of this key, and removing the offending statements would leave none: ' +
          'put a policy granting this account back by hand (aws kms put-key-policy).',
      };
    return {
      actions: [
        {
          type: 'PutKeyPolicy',
          keyId: state.keyId,
          policy: stripped,
          why: `the same policy without ${grants.map((grant) => (grant.sid ? `"${grant.sid}"` : `#${grant.index + 1}`)).join(', ')} (no last-known-good policy yet)`,
        },
      ],
    };
  },
};
