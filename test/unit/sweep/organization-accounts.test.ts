import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AccessDeniedError } from '#shared/errors/errors.ts';
import { accountsUnder } from '../../../functions/sweep-planner/organization-accounts.ts';

const organizations = mockClient(OrganizationsClient);

describe('accounts under the target OUs', () => {
  beforeEach(() => organizations.reset());

  it('walks nested OUs and every page, keeps active accounts once, sorted', async () => {
    organizations
      .on(ListAccountsForParentCommand, { ParentId: 'ou-root-1' })
      .resolvesOnce({ Accounts: [{ Id: '333333333333', State: 'ACTIVE' }], NextToken: 'p2' })
      .resolves({
        Accounts: [
          { Id: '111111111111', Status: 'ACTIVE' },
          { Id: '999999999999', State: 'SUSPENDED' },
        ],
      });
    organizations
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-root-1' })
      .resolves({ OrganizationalUnits: [{ Id: 'ou-child-1' }] });
    organizations
      .on(ListAccountsForParentCommand, { ParentId: 'ou-child-1' })
      .resolves({ Accounts: [{ Id: '222222222222' }, { Id: '111111111111' }] });
    organizations
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-child-1' })
      .resolves({ OrganizationalUnits: [] });

    const accounts = await accountsUnder(new OrganizationsClient({ region: 'us-east-1' }), [
      'ou-root-1',
      'ou-child-1',
    ]);

    expect(accounts).toEqual(['111111111111', '222222222222', '333333333333']);
  });

  it('fails with a clear error when the hub may not list the organization', async () => {
    organizations.on(ListAccountsForParentCommand).rejects(
      Object.assign(new Error('You do not have access'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );

    await expect(
      accountsUnder(new OrganizationsClient({ region: 'us-east-1' }), ['ou-root-1']),
    ).rejects.toBeInstanceOf(AccessDeniedError);
  });
});
