import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '#shared/policy/load-policy.ts';
import { invokeLocal } from '../../cli/local/invoke.ts';
import {
  loadSampleEvent,
  localConfig,
  makeClients,
  QUIET,
  retargetEvent,
  takeAlerts,
  uniqueBucketName,
} from '../support/local-env.ts';
import { readBucketAclGrants, readObjectOwnership } from '../support/s3-access.ts';

/*
 * A bucket created as old templates create it: `x-amz-acl: public-read` and Object Ownership
 * ObjectWriter on the CreateBucket call itself, then the built s3-guard bundle gets its CreateBucket event.
 */
describe('CreateBucket with a public canned ACL, against moto', () => {
  beforeEach(async () => {
    await takeAlerts();
  });

  it('resets the ACL to private and enforces bucket-owner ownership', async () => {
    const { s3 } = makeClients();
    const bucket = uniqueBucketName('create-acl');
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, ACL: 'public-read', ObjectOwnership: 'ObjectWriter' }),
    );
    const before = await readBucketAclGrants(s3, bucket);
    const event = retargetEvent(loadSampleEvent('s3/create-bucket-public-acl.json'), {
      bucket,
      accountId: localConfig().accountId,
    });

    const result = await invokeLocal(
      's3-guard',
      event,
      localConfig(),
      loadPolicyFile('warden.policy.yaml'),
      QUIET,
    );

    expect(before).toContainEqual({ grantee: 'AllUsers', permission: 'READ' });
    expect(result.outcomes).toContainEqual(
      expect.objectContaining({ controlId: 's3-public-acl', status: 'REMEDIATED' }),
    );
    expect(await readBucketAclGrants(s3, bucket)).toEqual([{ grantee: 'owner', permission: 'FULL_CONTROL' }]);
    expect(await readObjectOwnership(s3, bucket)).toBe('BucketOwnerEnforced');
    const alerts = await takeAlerts();
    expect(alerts).toHaveLength(1);
    expect(JSON.stringify(alerts[0]?.notification)).toContain('AllUsers READ');
  });
});
