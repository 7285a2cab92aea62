import { DescribeKeyCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { AccessDeniedError } from '#shared/errors/errors.ts';
import { kmsKeyReader, wardenKeyAliasArn } from '#shared/s3/kms-key.ts';

const kmsMock = mockClient(KMSClient);
const ALIAS_ARN = 'arn:aws:kms:eu-central-1:123456789012:alias/warden';
const KEY_ARN = 'arn:aws:kms:eu-central-1:123456789012:key/5555aaaa-12ab-34cd-56ef-1234567890ab';

describe('kmsKeyReader', () => {
  beforeEach(() => {
    kmsMock.reset();
  });

  it('resolves an alias ARN to the key ARN and its state', async () => {
    kmsMock
      .on(DescribeKeyCommand, { KeyId: ALIAS_ARN })
      .resolves({ KeyMetadata: { KeyId: 'k', Arn: KEY_ARN, KeyState: 'Enabled', Enabled: true } });

    const status = await kmsKeyReader(new KMSClient({ region: 'eu-central-1' }), ALIAS_ARN).status();

    expect(status).toEqual({ arn: KEY_ARN, state: 'Enabled', usable: true });
  });

  it('reports a missing key as NotFound and unusable, not as an error', async () => {
    kmsMock
      .on(DescribeKeyCommand)
      .rejects(new NotFoundException({ message: 'Alias not found', $metadata: { httpStatusCode: 400 } }));

    const status = await kmsKeyReader(new KMSClient({ region: 'eu-central-1' }), ALIAS_ARN).status();

    expect(status).toEqual({ arn: ALIAS_ARN, state: 'NotFound', usable: false });
  });

  it('still throws a classified error when the key may not be read', async () => {
    kmsMock.on(DescribeKeyCommand).rejects(
      Object.assign(new Error('not authorized'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    await expect(
      kmsKeyReader(new KMSClient({ region: 'eu-central-1' }), ALIAS_ARN).status(),
    ).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('names the key by alias in its account and region', () => {
    expect(wardenKeyAliasArn('aws', 'eu-central-1', '123456789012', 'alias/warden')).toBe(ALIAS_ARN);
  });
});
