import * as iam from 'aws-cdk-lib/aws-iam';
import type { NagPackSuppression } from 'cdk-nag';
import { ANY_KEY_OF_THE_ACCOUNT_FINDING, EVERY_BUCKET_FINDING } from './guard-function.ts';

/** Where tamper-guard reads and repairs: one account (a token in a StackSet template), every region. */
export interface TamperScope {
  readonly partition: string;
  readonly account: string;
  /** Warden's resource prefix: its rules are `<prefix>-...`. */
  readonly prefix: string;
  /** Trails it may start and restore (`tamper.trails`); empty: any trail of the account. */
  readonly trails: readonly string[];
}

/**
 * S3 default encryption can only use symmetric encryption keys: tamper-guard repairs no other kind.
 * IAM cannot name in advance the keys buckets happen to use, so this is the narrowest set that holds
 * them all (Warden's own keys and the approved keys among them).
 */
export const BUCKET_USABLE_KEYS = {
  StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'kms:KeyUsage': 'ENCRYPT_DECRYPT' },
} as const;

/**
 * Exactly the calls tamper-guard's adapters make (shared/kms, shared/cloudtrail, shared/eventbridge):
 * reads of keys, trails and Warden's rules; CancelKeyDeletion, EnableKey and PutKeyPolicy on keys S3 can
 * use; StartLogging and PutEventSelectors on the protected trails; EnableRule on Warden's own rules.
 */
export function tamperStatements(scope: TamperScope): iam.PolicyStatement[] {
  const { partition, account } = scope;
  const anyKey = `arn:${partition}:kms:*:${account}:key/*`;
  const trailArn = (name: string) => `arn:${partition}:cloudtrail:*:${account}:trail/${name}`;
  return [
    new iam.PolicyStatement({
      sid: 'ReadKeys',
      actions: ['kms:DescribeKey', 'kms:GetKeyPolicy'],
      resources: [anyKey],
    }),
    // ListAliases has no resource type (Service Authorization Reference, AWS KMS).
    new iam.PolicyStatement({ sid: 'ListKeyAliases', actions: ['kms:ListAliases'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'RepairKeysBucketsCanUse',
      actions: ['kms:CancelKeyDeletion', 'kms:EnableKey', 'kms:PutKeyPolicy'],
      resources: [anyKey],
      conditions: BUCKET_USABLE_KEYS,
    }),
    // Which buckets use a key: ListBuckets (no resource type) and each bucket's default encryption.
    new iam.PolicyStatement({ sid: 'ListBuckets', actions: ['s3:ListAllMyBuckets'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'ReadBucketEncryption',
      actions: ['s3:GetEncryptionConfiguration'],
      resources: [`arn:${partition}:s3:::*`],
      conditions: { StringEquals: { 's3:ResourceAccount': account } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadTrails',
      actions: ['cloudtrail:GetTrail', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'],
      resources: [trailArn('*')],
    }),
    // DescribeTrails has no resource type: it lists the account's trails (for a deleted trail's alert).
    new iam.PolicyStatement({ sid: 'ListTrails', actions: ['cloudtrail:DescribeTrails'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'RepairProtectedTrails',
      actions: ['cloudtrail:StartLogging', 'cloudtrail:PutEventSelectors'],
      resources:
        // A trail ARN as given; a name, in whichever region it lives.
        scope.trails.length > 0
          ? scope.trails.map((entry) => (entry.startsWith('arn:') ? entry : trailArn(entry)))
          : [trailArn('*')],
    }),
    new iam.PolicyStatement({
      sid: 'RepairWardenRules',
      actions: ['events:DescribeRule', 'events:ListTargetsByRule', 'events:EnableRule'],
      resources: [`arn:${partition}:events:*:${account}:rule/${scope.prefix}-*`],
    }),
  ];
}

/** cdk-nag IAM5 findings of the trail (any, or one by name, in any region) and Warden-rule resources (the key and bucket ones are guard-function's). */
export const ANY_TRAIL_OF_THE_ACCOUNT_FINDING =
  '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):cloudtrail:\\*:(<AWS::AccountId>|\\d{12}):trail\\/[\\w.*-]+$/';
export const WARDEN_RULES_FINDING =
  '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):events:\\*:(<AWS::AccountId>|\\d{12}):rule\\/[a-z0-9-]+-\\*$/';

/** One suppression per IAM5 finding these statements raise, each with its reason. */
export function tamperSuppressions(): NagPackSuppression[] {
  const suppress = (appliesTo: NagPackSuppression['appliesTo'], reason: string): NagPackSuppression => ({
    id: 'AwsSolutions-IAM5',
    reason: `tamper-guard: ${reason}`,
    appliesTo,
  });
  return [
    suppress(
      [{ regex: ANY_KEY_OF_THE_ACCOUNT_FINDING }],
      'reads whichever key of this account an event names, in any region, and repairs (cancel deletion, enable, ' +
        'restore the policy) only keys S3 can use (kms:KeySpec SYMMETRIC_DEFAULT, kms:KeyUsage ENCRYPT_DECRYPT): ' +
        'IAM cannot name in advance the keys buckets happen to use.',
    ),
    suppress(
      ['Resource::*'],
      'kms:ListAliases, s3:ListAllMyBuckets and cloudtrail:DescribeTrails have no resource type (Service ' +
        'Authorization Reference) and take only "*"; all three only list.',
    ),
    suppress(
      [{ regex: EVERY_BUCKET_FINDING }],
      'reads the default encryption of every bucket of this account (s3:ResourceAccount) to learn which buckets depend on a key.',
    ),
    suppress(
      [{ regex: ANY_TRAIL_OF_THE_ACCOUNT_FINDING }],
      'reads whichever trail of this account an event names, in any region (a trail lives in its home region); ' +
        'starts or restores only the trails tamper.trails names (by name: in whichever region), or any trail ' +
        'of the account when it names none (every trail that records management events is then protected).',
    ),
    suppress(
      [{ regex: WARDEN_RULES_FINDING }],
      "reads and re-enables only Warden's own EventBridge rules, all named with Warden's prefix, in any region.",
    ),
  ];
}
