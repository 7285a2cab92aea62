import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetBucketAclCommand,
  type GetBucketEncryptionCommandOutput,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { AwsStub } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import type { AuditRecord } from '#shared/audit/audit-log.ts';
import type { BaselineEnd, BaselineKey, BaselineStore } from '#shared/audit/baseline-store.ts';
import type { PendingFixes, RemediationJournal } from '#shared/audit/remediation-journal.ts';
import type { Alert } from '#shared/contracts/alert.ts';
import type { OnceWrapper } from '#shared/idempotency/idempotency.ts';
import type { PolicyBaseline } from '#shared/model/bucket.ts';
import type { PolicyInput } from '#shared/policy/schema.ts';
import { kmsKeyReader } from '#shared/s3/kms-key.ts';
import { createS3Guard } from '../../../functions/s3-guard/s3-guard.ts';
import {
  ACCOUNT_ID,
  DENY_INSECURE_TRANSPORT,
  makePolicy,
  WARDEN_KEY_ARN,
  WARDEN_SESSION_ARN,
} from '../../fixtures.ts';

export const NOW = new Date('2026-11-20T10:15:30Z');

export const SSE_S3: Omit<GetBucketEncryptionCommandOutput, '$metadata'> = {
  ServerSideEncryptionConfiguration: {
    Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
  },
};
export const SSE_KMS: Omit<GetBucketEncryptionCommandOutput, '$metadata'> = {
  ServerSideEncryptionConfiguration: {
    Rules: [
      {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: WARDEN_KEY_ARN },
        BucketKeyEnabled: true,
      },
    ],
  },
};
export const ALL_ON = {
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  },
};

// biome-ignore lint/suspicious/noExplicitAny: the mocks' client types differ; only `on` and `reset` are used.
type Stub = AwsStub<any, any, any>;

/** A bucket policy holding only the Deny of requests without TLS (what s3-secure-transport asks for). */
export const TLS_ONLY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [DENY_INSECURE_TRANSPORT],
});

/**
 * Resets the mocks to a bucket nothing is wrong with, except what a test sets next: Warden's key enabled,
 * Block Public Access on, a private ACL with ACLs disabled (CreateBucket also runs the ACL control), a
 * policy denying requests without TLS (CreateBucket also runs the secure-transport control).
 */
export function stubHealthyBucket(s3Mock: Stub, kmsMock: Stub): void {
  s3Mock.reset();
  kmsMock.reset();
  kmsMock
    .on(DescribeKeyCommand)
    .resolves({ KeyMetadata: { KeyId: 'k', Arn: WARDEN_KEY_ARN, KeyState: 'Enabled', Enabled: true } });
  s3Mock.on(GetPublicAccessBlockCommand).resolves(ALL_ON);
  s3Mock.on(GetBucketAclCommand).resolves({
    Owner: { ID: 'owner' },
    Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'owner' }, Permission: 'FULL_CONTROL' }],
  });
  s3Mock
    .on(GetBucketOwnershipControlsCommand)
    .resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });
  s3Mock.on(GetBucketPolicyCommand).resolves({ Policy: TLS_ONLY_POLICY });
}

export const awsError = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });

/** Stores successful results per step and event id, as Powertools Idempotency does. */
export function memoOnce(): OnceWrapper {
  const done = new Map<string, unknown>();
  return (step, fn) => async (input) => {
    const key = `${step}#${input.eventId}`;
    if (done.has(key)) return done.get(key) as Awaited<ReturnType<typeof fn>>;
    const result = await fn(input);
    done.set(key, result);
    return result;
  };
}

/** A baseline's place in the memory store: `<account>/<region>/<bucket>`. */
export const baselineSlot = (key: BaselineKey): string => `${key.accountId}/${key.region}/${key.bucket}`;
/** The slot of a bucket of the sample events' account and region. */
export const sampleSlot = (bucket: string): string =>
  baselineSlot({ accountId: ACCOUNT_ID, region: 'us-east-1', bucket });

/** The baseline table as a map keyed by slot, so tests can seed it and read what the guard wrote. */
export function memoryBaselines(seed: Record<string, PolicyBaseline> = {}) {
  const items = new Map<string, PolicyBaseline>(Object.entries(seed));
  const ended = new Map<string, BaselineEnd>();
  const store: BaselineStore = {
    readPolicy: async (key) => items.get(baselineSlot(key)),
    writePolicy: async (key, baseline) => void items.set(baselineSlot(key), baseline),
    endPolicy: async (key, end) => {
      items.delete(baselineSlot(key));
      ended.set(baselineSlot(key), end);
    },
  };
  return { items, ended, store };
}

/** The remediation journal as a map keyed `<resource>#<eventId>`. */
export function memoryJournal() {
  const items = new Map<string, PendingFixes>();
  const store: RemediationJournal = {
    read: async (resource, eventId) => items.get(`${resource}#${eventId}`),
    write: async (resource, eventId, fixes) => void items.set(`${resource}#${eventId}`, fixes),
  };
  return { items, store };
}

export interface SetupOptions {
  readonly once?: OnceWrapper;
  readonly baselines?: Record<string, PolicyBaseline>;
  readonly journal?: RemediationJournal;
  /** The sweep's guard: takes the sweep's synthetic calls and runs every active control. */
  readonly sweep?: boolean;
}

/** s3-guard wired to mocked clients (mock them with `mockClient(S3Client)` etc. in the test file). */
export function setupGuard(policy: Partial<PolicyInput> = {}, options: SetupOptions = {}) {
  const alerts: Alert[] = [];
  const audits: AuditRecord[] = [];
  const baselines = memoryBaselines(options.baselines);
  const journal = options.journal ?? memoryJournal().store;
  const publish = vi.fn(async (alert: Alert) => {
    alerts.push(alert);
    return `msg-${alerts.length}`;
  });
  const pause = vi.fn(async () => {});
  const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const metrics = { count: vi.fn() };
  const guard = createS3Guard({
    config: { kmsKeyArn: WARDEN_KEY_ARN, ownSessionArns: [WARDEN_SESSION_ARN], policy: makePolicy(policy) },
    s3: new S3Client({ region: 'us-east-1' }),
    s3Control: new S3ControlClient({ region: 'us-east-1' }),
    kmsKeys: kmsKeyReader(new KMSClient({ region: 'us-east-1' }), WARDEN_KEY_ARN),
    alerts: { publish },
    audit: { record: async (records) => void audits.push(...records) },
    baselines: baselines.store,
    journal,
    log,
    metrics,
    clock: { now: () => NOW },
    once: options.once ?? ((_step, fn) => fn),
    pause,
    ...(options.sweep ? { sweep: true } : {}),
  });
  return {
    guard,
    alerts,
    audits,
    publish,
    baselines: baselines.items,
    ended: baselines.ended,
    pause,
    log,
    metrics,
  };
}
