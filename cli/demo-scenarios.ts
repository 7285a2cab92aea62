import { isDeepStrictEqual } from 'node:util';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  GetBucketAclCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { DeletePublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import type { EventStatus, GuardResult } from '#shared/contracts/outcomes.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { fightAndRootMfaScenarios } from './demo-fight-scenarios.ts';
import {
  describeAccountBlock,
  describeAcl,
  describeBucket,
  describePolicy,
  describePublicAccessBlock,
} from './demo-format.ts';
import { tamperScenarios } from './demo-tamper-scenarios.ts';
import {
  readAccountPublicAccessBlock,
  readBucketAclGrants,
  readBucketPolicy,
  readObjectOwnership,
} from './local/access-snapshot.ts';
import type { CapturedAlert } from './local/alert-capture.ts';
import { type BucketSetup, resetBucket } from './local/bucket-setup.ts';
import { readBucketSnapshot } from './local/bucket-snapshot.ts';
import type { LocalClients } from './local/clients.ts';
import type { LocalConfig } from './local/local-config.ts';
import { loadSampleEvent, retargetEvent, type SampleEvent } from './local/sample-events.ts';

export interface ScenarioContext {
  readonly config: LocalConfig;
  readonly clients: LocalClients;
}

/** What the guard answered and published, for a scenario to check beyond the event status. */
export interface ScenarioRun {
  readonly result: GuardResult;
  readonly alerts: readonly CapturedAlert[];
}

/** One story the demo tells: a resource in some state, the CloudTrail event of the change. */
export interface Scenario {
  readonly title: string;
  /** For a newcomer: what happened and why Warden cares. */
  readonly story: string;
  /** The bucket, or the account, the event concerns. */
  readonly resource: string;
  /** The function CDK routes the event to. */
  readonly guard?: 's3-guard' | 'root-guard' | 'tamper-guard';
  readonly event: (context: ScenarioContext) => SampleEvent;
  /** Puts the resource in the state the event leaves it in (the change Warden hears about). */
  readonly prepare?: (context: ScenarioContext, event: SampleEvent) => Promise<void>;
  /** The state worth showing before and after. */
  readonly describe?: (context: ScenarioContext) => Promise<string[]>;
  /** The policy this scenario runs with, from the repository's (the story says what it changes). */
  readonly policy?: (policy: Policy) => Policy;
  /** The event is a redelivery of an earlier scenario's event. */
  readonly replay?: boolean;
  /**
   * Someone makes the change this many times in a row (a fight, see cli/demo-fight-scenarios.ts): the
   * earlier rounds (prepare, event, guard) run first, one line each; the last is shown in full.
   */
  readonly rounds?: number;
  /** What the guard should answer; the demo exits non-zero when it does not. */
  readonly expected: EventStatus;
  /** Further expectations on the end state: a sentence saying what is wrong, or undefined. */
  readonly check?: (context: ScenarioContext, run: ScenarioRun) => Promise<string | undefined>;
}

const fromSample =
  (file: string, bucket: string) =>
  ({ config }: ScenarioContext) =>
    retargetEvent(loadSampleEvent(file), { bucket, accountId: config.accountId });

const withWardenKey = (config: LocalConfig) => ({ kmsKeyArn: config.kmsKeyArn });

const bucketState =
  (bucket: string) =>
  async ({ clients, config }: ScenarioContext) =>
    describeBucket(await readBucketSnapshot(clients.s3, bucket), config);

const setUp =
  (bucket: string, setup: (config: LocalConfig) => BucketSetup) =>
  async ({ clients, config }: ScenarioContext) =>
    resetBucket(clients.s3, bucket, setup(config));

/** The policy document a PutBucketPolicy event carries, as S3 stores it. */
const policyOf = (event: SampleEvent) =>
  JSON.stringify((event.detail.requestParameters as { bucketPolicy: unknown }).bucketPolicy);

interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
}
const statementsOf = (policy: string | null): Statement[] => {
  if (policy === null) return [];
  const statement = (JSON.parse(policy) as { Statement?: Statement | Statement[] }).Statement ?? [];
  return Array.isArray(statement) ? statement : [statement];
};

/** A bucket with Warden's key and no Block Public Access, whose policy becomes the event's. */
const withEventPolicy =
  (bucket: string, fresh: boolean) =>
  async ({ clients, config }: ScenarioContext, event: SampleEvent) => {
    if (fresh) {
      await resetBucket(clients.s3, bucket, { encryption: withWardenKey(config), publicAccessBlock: 'none' });
      await clients.s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    }
    await clients.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policyOf(event) }));
  };

const policyState =
  (bucket: string) =>
  async ({ clients }: ScenarioContext) => {
    const [policy, snapshot] = await Promise.all([
      readBucketPolicy(clients.s3, bucket),
      readBucketSnapshot(clients.s3, bucket),
    ]);
    return [
      ...describePolicy(policy),
      `block public access  ${describePublicAccessBlock(snapshot.publicAccessBlock)}`,
    ];
  };

const aclState =
  (bucket: string) =>
  async ({ clients }: ScenarioContext) => {
    const [grants, ownership] = await Promise.all([
      readBucketAclGrants(clients.s3, bucket),
      readObjectOwnership(clients.s3, bucket),
    ]);
    return describeAcl(grants, ownership);
  };

const sids = (statements: readonly Statement[]) =>
  statements.map((statement) => statement.Sid ?? '?').join(', ');

/** Nothing public left in the bucket's ACL, and ACLs disabled: a sentence saying what is wrong, or undefined. */
const aclPrivateAndDisabled =
  (bucket: string) =>
  async ({ clients }: ScenarioContext): Promise<string | undefined> => {
    const [grants, ownership] = await Promise.all([
      readBucketAclGrants(clients.s3, bucket),
      readObjectOwnership(clients.s3, bucket),
    ]);
    if (grants.some((grant) => grant.grantee === 'AllUsers' || grant.grantee === 'AuthenticatedUsers'))
      return 'the ACL still grants public access';
    return ownership === 'BucketOwnerEnforced' ? undefined : `Object Ownership is ${ownership ?? 'not set'}`;
  };

export function demoScenarios(): Scenario[] {
  // The replay scenario re-sends exactly this event, eventID included.
  let unapprovedKeyEvent: SampleEvent | undefined;
  const unapprovedKeySample = fromSample('s3/put-bucket-encryption-unapproved-kms.json', 'demo-team-reports');
  // The policy the first policy scenario leaves, which Warden keeps as the bucket's last-known-good.
  let strippedPolicy: string | null = null;
  const sharedBucket = 'demo-shared-data';

  return [
    {
      title: 'A new bucket, created with the defaults',
      story:
        'S3 encrypts new buckets with SSE-S3 (a key anyone who can read the bucket can use) and leaves Block Public Access to the caller.',
      resource: 'demo-new-bucket',
      prepare: setUp('demo-new-bucket', () => ({ encryption: 'AES256', publicAccessBlock: 'none' })),
      describe: bucketState('demo-new-bucket'),
      event: fromSample('s3/create-bucket.json', 'demo-new-bucket'),
      expected: 'PROCESSED',
    },
    {
      title: 'Block Public Access deleted (older CloudTrail encoding)',
      story:
        'Someone removes the public access block of a compliant bucket. This event uses the old shape (one-element arrays, lowercase host).',
      resource: 'demo-website-assets',
      prepare: setUp('demo-website-assets', (config) => ({
        encryption: withWardenKey(config),
        publicAccessBlock: 'none',
      })),
      describe: bucketState('demo-website-assets'),
      event: fromSample('s3/delete-bucket-public-access-block-legacy.json', 'demo-website-assets'),
      expected: 'PROCESSED',
    },
    {
      title: 'Encryption switched to a KMS key Warden does not approve',
      story:
        "SSE-KMS, but with a key that is neither Warden's nor listed in the policy's approvedKmsKeyArns.",
      resource: 'demo-team-reports',
      prepare: async ({ clients }) => {
        const created = await clients.kms.send(
          new CreateKeyCommand({ Description: 'A team key nobody approved' }),
        );
        await resetBucket(clients.s3, 'demo-team-reports', {
          encryption: { kmsKeyArn: created.KeyMetadata?.Arn ?? '' },
          publicAccessBlock: 'all',
        });
      },
      describe: bucketState('demo-team-reports'),
      event: (context) => {
        unapprovedKeyEvent = unapprovedKeySample(context);
        return unapprovedKeyEvent;
      },
      expected: 'PROCESSED',
    },
    {
      title: 'The same event delivered twice',
      story:
        'CloudTrail delivers at least once. The idempotency store (keyed on eventID) returns the first result: no second fix, no second alert.',
      resource: 'demo-team-reports',
      describe: bucketState('demo-team-reports'),
      event: (context) => unapprovedKeyEvent ?? unapprovedKeySample(context),
      replay: true,
      expected: 'PROCESSED',
      check: async (_context, { alerts }) =>
        alerts.length === 0 ? undefined : 'the redelivery published a second alert',
    },
    {
      title: 'A compliant bucket',
      story:
        "Created with Warden's key, all four Block Public Access flags on and a policy denying plain HTTP: nothing to do, nobody is paged.",
      resource: 'demo-compliant',
      prepare: async (context) => {
        await setUp('demo-compliant', (config) => ({
          encryption: withWardenKey(config),
          publicAccessBlock: 'all',
        }))(context);
        const compliantPolicy = fromSample('s3/put-bucket-policy-compliant.json', 'demo-compliant')(context);
        await context.clients.s3.send(
          new PutBucketPolicyCommand({ Bucket: 'demo-compliant', Policy: policyOf(compliantPolicy) }),
        );
      },
      describe: bucketState('demo-compliant'),
      event: fromSample('s3/create-bucket.json', 'demo-compliant'),
      expected: 'PROCESSED',
    },
    {
      title: 'An exempt bucket',
      story:
        "This account's CDK asset bucket matches the policy's exemptBuckets pattern cdk-hnb659fds-assets-{account}-{region}: never touched, never alerted on. The same name in another account or region would be guarded.",
      resource: 'cdk-hnb659fds-assets-123456789012-us-east-1',
      prepare: setUp('cdk-hnb659fds-assets-123456789012-us-east-1', () => ({
        encryption: 'AES256',
        publicAccessBlock: 'none',
      })),
      describe: bucketState('cdk-hnb659fds-assets-123456789012-us-east-1'),
      event: fromSample('s3/create-bucket.json', 'cdk-hnb659fds-assets-123456789012-us-east-1'),
      expected: 'IGNORED',
    },
    {
      title: "Warden's own change",
      story:
        "Warden's fixes are CloudTrail events too. The EventBridge rule excludes its functions' own sessions (role and function name, not the role alone) and the handler checks again, so it never loops.",
      resource: 'demo-new-bucket',
      describe: bucketState('demo-new-bucket'),
      event: fromSample('s3/put-bucket-encryption-by-warden.json', 'demo-new-bucket'),
      expected: 'IGNORED',
    },
    {
      title: 'A public statement added next to a legitimate one',
      story:
        'The bucket policy lets an analytics role read and denies plain HTTP; someone adds "Principal": "*" read access. Warden has no last-known-good copy of this policy yet, so it removes only the public statement, and turns Block Public Access on.',
      resource: sharedBucket,
      event: fromSample('s3/put-bucket-policy-public-next-to-legit.json', sharedBucket),
      prepare: withEventPolicy(sharedBucket, true),
      describe: policyState(sharedBucket),
      expected: 'PROCESSED',
      check: async (context) => {
        strippedPolicy = await readBucketPolicy(context.clients.s3, sharedBucket);
        const kept = statementsOf(strippedPolicy);
        const sample = fromSample('s3/put-bucket-policy-public-next-to-legit.json', sharedBucket)(context);
        const wanted = statementsOf(policyOf(sample)).filter((statement) => statement.Sid !== 'PublicRead');
        return isDeepStrictEqual(kept, wanted)
          ? undefined
          : `expected exactly the statements ${sids(wanted)} to survive, found ${sids(kept)}`;
      },
    },
    {
      title: 'A second public change: the dropped Deny comes back, no access is granted back',
      story:
        "Later someone replaces the whole policy with a public one. Warden removes the public statement and, from the compliant policy it kept last time (CloudTrail only carries the new one), brings back the Deny the change dropped. It never writes an Allow back: the analytics role's statement may have been removed on purpose, so the alert names it for a person to re-add.",
      resource: sharedBucket,
      event: fromSample('s3/put-bucket-policy-public.json', sharedBucket),
      prepare: withEventPolicy(sharedBucket, false),
      describe: policyState(sharedBucket),
      expected: 'PROCESSED',
      check: async ({ clients }) => {
        const now = statementsOf(await readBucketPolicy(clients.s3, sharedBucket));
        const denies = statementsOf(strippedPolicy).filter((statement) => statement.Effect === 'Deny');
        return denies.length > 0 && isDeepStrictEqual(now, denies)
          ? undefined
          : `expected only the last-known-good Deny statements ${sids(denies)}, found ${sids(now)}`;
      },
    },
    {
      title: 'A wildcard principal pinned to a VPC endpoint',
      story:
        '"Principal": "*" with a condition on aws:SourceVpce is not public in S3\'s own definition: only traffic through that endpoint gets in. Warden leaves it alone. The foreign-access control (detect mode by default) still points out that the wildcard is not confined to your accounts.',
      resource: 'demo-vpce-only',
      event: fromSample('s3/put-bucket-policy-vpce-pinned.json', 'demo-vpce-only'),
      prepare: async (context, event) => {
        await withEventPolicy('demo-vpce-only', true)(context, event);
        await resetBucket(context.clients.s3, 'demo-vpce-only', {
          encryption: withWardenKey(context.config),
          publicAccessBlock: 'all',
        });
      },
      describe: policyState('demo-vpce-only'),
      expected: 'PROCESSED',
      check: async ({ clients }, { result }) => {
        const policy = await readBucketPolicy(clients.s3, 'demo-vpce-only');
        if (statementsOf(policy).length !== 1) return 'the pinned statement was touched';
        const publicPolicy = result.outcomes.find((outcome) => outcome.controlId === 's3-public-policy');
        if (publicPolicy?.status !== 'ALREADY_COMPLIANT')
          return 's3-public-policy found the pinned policy public';
        return result.outcomes.some((outcome) => outcome.status === 'REMEDIATED')
          ? 'a control changed the bucket'
          : undefined;
      },
    },
    {
      title: 'A bucket policy grants read access to another AWS account',
      story:
        'A statement next to the analytics role grants a partner account (444455556666) read access. It is not public, but the account is not in allowedAccountIds. Cross-account sharing is often deliberate, so the foreign-access control only detects by default: an alert quoting the statement, the policy left as it is.',
      resource: 'demo-partner-share',
      event: fromSample('s3/put-bucket-policy-foreign-account.json', 'demo-partner-share'),
      prepare: withEventPolicy('demo-partner-share', true),
      describe: policyState('demo-partner-share'),
      expected: 'PROCESSED',
      check: async (context, { result, alerts }) => {
        const foreign = result.outcomes.find((outcome) => outcome.controlId === 's3-foreign-access');
        if (foreign?.status !== 'DETECTED')
          return `s3-foreign-access answered ${foreign?.status ?? 'nothing'}, not DETECTED`;
        const sample = fromSample('s3/put-bucket-policy-foreign-account.json', 'demo-partner-share')(context);
        const now = statementsOf(await readBucketPolicy(context.clients.s3, 'demo-partner-share'));
        if (!isDeepStrictEqual(now, statementsOf(policyOf(sample))))
          return `detect mode changed the policy (now ${sids(now)})`;
        if (alerts.length !== 1) return `expected one alert, got ${alerts.length}`;
        return JSON.stringify(alerts[0]?.notification).includes('PartnerRead')
          ? undefined
          : 'the alert does not quote the PartnerRead statement';
      },
    },
    {
      title: 'A bucket ACL made public with the canned ACL public-read',
      story:
        'Someone turns ACLs back on and applies "public-read": everyone on the internet may list the bucket. Warden resets the ACL to private and disables ACLs (Object Ownership BucketOwnerEnforced).',
      resource: 'demo-legacy-acl',
      event: fromSample('s3/put-bucket-acl-public-read.json', 'demo-legacy-acl'),
      prepare: async ({ clients, config }) => {
        await resetBucket(clients.s3, 'demo-legacy-acl', {
          encryption: withWardenKey(config),
          publicAccessBlock: 'none',
        });
        await clients.s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: 'demo-legacy-acl' }));
        await clients.s3.send(new PutBucketAclCommand({ Bucket: 'demo-legacy-acl', ACL: 'public-read' }));
      },
      describe: aclState('demo-legacy-acl'),
      expected: 'PROCESSED',
      check: aclPrivateAndDisabled('demo-legacy-acl'),
    },
    {
      title: 'A bucket ACL made public with an x-amz-grant-read header',
      story:
        'No canned ACL this time: the caller grants READ to the AllUsers group URI in an x-amz-grant-read header (and keeps FULL_CONTROL for the owner). Warden judges the ACL the bucket ends up with, however it was set: private again, ACLs disabled.',
      resource: 'demo-grant-header',
      event: fromSample('s3/put-bucket-acl-grant-header.json', 'demo-grant-header'),
      prepare: async ({ clients, config }) => {
        const bucket = 'demo-grant-header';
        await resetBucket(clients.s3, bucket, {
          encryption: withWardenKey(config),
          publicAccessBlock: 'none',
        });
        await clients.s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket }));
        const { Owner } = await clients.s3.send(new GetBucketAclCommand({ Bucket: bucket }));
        await clients.s3.send(
          new PutBucketAclCommand({
            Bucket: bucket,
            GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
            GrantFullControl: `id="${Owner?.ID ?? ''}"`,
          }),
        );
      },
      describe: aclState('demo-grant-header'),
      expected: 'PROCESSED',
      check: aclPrivateAndDisabled('demo-grant-header'),
    },
    {
      title: 'Account-level Block Public Access deleted',
      story:
        "The account-wide switch that overrides every bucket's own settings is removed. Warden turns all four flags back on through the S3 Control API.",
      resource: 'account',
      event: ({ config }) =>
        retargetEvent(loadSampleEvent('s3/delete-account-public-access-block.json'), {
          bucket: '',
          accountId: config.accountId,
        }),
      prepare: async ({ clients, config }) => {
        await clients.s3Control.send(new DeletePublicAccessBlockCommand({ AccountId: config.accountId }));
      },
      describe: async ({ clients, config }) => [
        `account ${config.accountId}  ${describeAccountBlock(await readAccountPublicAccessBlock(clients.s3Control, config.accountId))}`,
      ],
      expected: 'PROCESSED',
      check: async ({ clients, config }) => {
        const flags = await readAccountPublicAccessBlock(clients.s3Control, config.accountId);
        return flags && Object.values(flags).every(Boolean) ? undefined : 'the account flags are not all on';
      },
    },
    {
      title: 'An access key created for the root user',
      story:
        'Root keys never expire and cannot be limited by IAM policies. In a standalone account (deployment.mode: account) no IAM principal can delete them, so root-guard raises a CRITICAL alert with the exact steps. In an Organization it deletes them through centralised root access (sts:AssumeRoot, which the emulator lacks).',
      resource: 'root user',
      guard: 'root-guard',
      event: ({ config }) =>
        retargetEvent(loadSampleEvent('iam/root-create-access-key.json'), {
          bucket: '',
          accountId: config.accountId,
        }),
      describe: async () => [],
      expected: 'PROCESSED',
      check: async (_context, { alerts }) => {
        const alert = alerts[0];
        if (alerts.length !== 1 || !alert) return `expected one alert, got ${alerts.length}`;
        if (!alert.notification.content.title.startsWith('CRITICAL'))
          return `the alert is not CRITICAL: ${alert.notification.content.title}`;
        return JSON.stringify(alert.notification).includes('only the root user can')
          ? undefined
          : 'the alert does not say that only the root user can delete the key';
      },
    },
    ...fightAndRootMfaScenarios(),
    // Last: they tamper with Warden's own key, trail and rules (and leave them repaired).
    ...tamperScenarios(),
  ];
}
