import { CreateKeyCommand } from '@aws-sdk/client-kms';
import type { BucketSetup } from '#shared/local/bucket-setup.ts';
import type { LocalClients } from '#shared/local/clients.ts';
import type { LocalConfig } from '#shared/local/local-config.ts';
import { loadSampleEvent, retargetEvent, type SampleEvent } from '#shared/local/sample-events.ts';
import type { EventStatus } from '#shared/remediation/outcome.ts';

/** One story the demo tells: a bucket in some state, the CloudTrail event of the change. */
export interface Scenario {
  readonly title: string;
  /** For a newcomer: what happened and why Warden cares. */
  readonly story: string;
  readonly bucket: string;
  /** The bucket's state when the event arrives; omitted to keep it as the previous scenario left it. */
  readonly prepare?: (clients: LocalClients, config: LocalConfig) => Promise<BucketSetup>;
  readonly event: (config: LocalConfig) => SampleEvent;
  /** The event is a redelivery of an earlier scenario's event. */
  readonly replay?: boolean;
  /** What s3-guard should answer; the demo exits non-zero when it does not. */
  readonly expected: EventStatus;
}

const fromSample = (file: string, bucket: string) => (config: LocalConfig) =>
  retargetEvent(loadSampleEvent(file), { bucket, accountId: config.accountId });

const withWardenKey = (config: LocalConfig) => ({ kmsKeyArn: config.kmsKeyArn });

export function demoScenarios(): Scenario[] {
  // The replay scenario re-sends exactly this event, eventID included.
  let unapprovedKeyEvent: SampleEvent | undefined;
  const unapprovedKeySample = fromSample('s3/put-bucket-encryption-unapproved-kms.json', 'demo-team-reports');

  return [
    {
      title: 'A new bucket, created with the defaults',
      story:
        'S3 encrypts new buckets with SSE-S3 (a key anyone who can read the bucket can use) and leaves Block Public Access to the caller.',
      bucket: 'demo-new-bucket',
      prepare: async () => ({ encryption: 'AES256', publicAccessBlock: 'none' }),
      event: fromSample('s3/create-bucket.json', 'demo-new-bucket'),
      expected: 'PROCESSED',
    },
    {
      title: 'Block Public Access deleted (older CloudTrail encoding)',
      story:
        'Someone removes the public access block of a compliant bucket. This event uses the old shape (one-element arrays, lowercase host).',
      bucket: 'demo-website-assets',
      prepare: async (_clients, config) => ({ encryption: withWardenKey(config), publicAccessBlock: 'none' }),
      event: fromSample('s3/delete-bucket-public-access-block-legacy.json', 'demo-website-assets'),
      expected: 'PROCESSED',
    },
    {
      title: 'Encryption switched to a KMS key Warden does not approve',
      story:
        "SSE-KMS, but with a key that is neither Warden's nor listed in the policy's approvedKmsKeyArns.",
      bucket: 'demo-team-reports',
      prepare: async (clients) => {
        const created = await clients.kms.send(
          new CreateKeyCommand({ Description: 'A team key nobody approved' }),
        );
        return { encryption: { kmsKeyArn: created.KeyMetadata?.Arn ?? '' }, publicAccessBlock: 'all' };
      },
      event: (config) => {
        unapprovedKeyEvent = unapprovedKeySample(config);
        return unapprovedKeyEvent;
      },
      expected: 'PROCESSED',
    },
    {
      title: 'The same event delivered twice',
      story:
        'CloudTrail delivers at least once. The idempotency store (keyed on eventID) returns the first result: no second fix, no second alert.',
      bucket: 'demo-team-reports',
      event: (config) => unapprovedKeyEvent ?? unapprovedKeySample(config),
      replay: true,
      expected: 'PROCESSED',
    },
    {
      title: 'A compliant bucket',
      story:
        "Created with Warden's key and all four Block Public Access flags on: nothing to do, nobody is paged.",
      bucket: 'demo-compliant',
      prepare: async (_clients, config) => ({ encryption: withWardenKey(config), publicAccessBlock: 'all' }),
      event: fromSample('s3/create-bucket.json', 'demo-compliant'),
      expected: 'PROCESSED',
    },
    {
      title: 'An exempt bucket',
      story:
        "CDK's asset bucket matches the policy's exemptBuckets glob cdk-*-assets-*: never touched, never alerted on.",
      bucket: 'cdk-hnb659fds-assets-123456789012-us-east-1',
      prepare: async () => ({ encryption: 'AES256', publicAccessBlock: 'none' }),
      event: fromSample('s3/create-bucket.json', 'cdk-hnb659fds-assets-123456789012-us-east-1'),
      expected: 'IGNORED',
    },
    {
      title: "Warden's own change",
      story:
        "Warden's fixes are CloudTrail events too. The EventBridge rule excludes its roles and the handler checks again, so it never loops.",
      bucket: 'demo-new-bucket',
      event: fromSample('s3/put-bucket-encryption-by-warden.json', 'demo-new-bucket'),
      expected: 'IGNORED',
    },
  ];
}
