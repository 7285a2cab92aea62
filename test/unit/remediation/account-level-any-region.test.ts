import { S3Client } from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import type { ClientsRequest } from '#shared/aws/cross-account.ts';
import type { KmsKeyReader } from '#shared/s3/kms-key.ts';
import { createS3Guard, type S3Clients } from '../../../functions/s3-guard/s3-guard.ts';
import { loadApiCall, makePolicy, WARDEN_KEY_ARN, WARDEN_SESSION_ARN } from '../../fixtures.ts';
import { memoryJournal, NOW } from './guard-harness.ts';

/*
 * Account-level Block Public Access is forwarded from every enabled region, including regions where
 * Warden watches no bucket and so has no bucket key. The account fix must work there: S3 Control in
 * the event's region, and no key lookup at all.
 */
const s3ControlMock = mockClient(S3ControlClient);
const PARTIAL = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: false,
  RestrictPublicBuckets: false,
};
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};
const UNWATCHED_REGION = 'ap-southeast-2';

/** No Warden key in this region: any use of it fails the test. */
const noKeyHere: KmsKeyReader = {
  describe: async () => {
    throw new Error(`no Warden key in ${UNWATCHED_REGION}`);
  },
} as unknown as KmsKeyReader;

function guardWithRegionalClients() {
  const requested: ClientsRequest[] = [];
  const clientsFor = async (request: ClientsRequest): Promise<S3Clients> => {
    requested.push(request);
    return {
      s3: new S3Client({ region: request.region }),
      s3Control: new S3ControlClient({ region: request.region }),
      kmsKeys: noKeyHere,
    };
  };
  const guard = createS3Guard({
    config: { kmsKeyArn: WARDEN_KEY_ARN, ownSessionArns: [WARDEN_SESSION_ARN], policy: makePolicy({}) },
    s3: new S3Client({ region: 'eu-west-1' }),
    s3Control: new S3ControlClient({ region: 'eu-west-1' }),
    kmsKeys: noKeyHere,
    clientsFor,
    alerts: { publish: async () => 'msg-1' },
    audit: { record: async () => {} },
    baselines: { readPolicy: async () => undefined, writePolicy: async () => {}, endPolicy: async () => {} },
    journal: memoryJournal().store,
    log: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    metrics: { count: vi.fn() },
    clock: { now: () => NOW },
    once: (_step, fn) => fn,
    pause: async () => {},
  });
  return { guard, requested };
}

describe('account-level Block Public Access changed through a region without a Warden bucket key', () => {
  beforeEach(() => {
    s3ControlMock.reset();
    s3ControlMock
      .on(GetPublicAccessBlockCommand)
      .resolvesOnce({ PublicAccessBlockConfiguration: PARTIAL })
      .resolves({ PublicAccessBlockConfiguration: ALL_ON });
    s3ControlMock.on(PutPublicAccessBlockCommand).resolves({});
  });

  it("is repaired through S3 Control for the event's account, never touching a key", async () => {
    const { guard, requested } = guardWithRegionalClients();
    const call = loadApiCall('s3/put-account-public-access-block-partial.json', { region: UNWATCHED_REGION });

    const result = await guard(call);

    expect(result.outcomes).toMatchObject([
      { controlId: 's3-account-public-access-block', status: 'REMEDIATED' },
    ]);
    expect(requested.map((request) => request.region)).toEqual([UNWATCHED_REGION]);
    expect(s3ControlMock).toHaveReceivedCommandWith(PutPublicAccessBlockCommand, {
      AccountId: call.accountId,
      PublicAccessBlockConfiguration: ALL_ON,
    });
  });
});
