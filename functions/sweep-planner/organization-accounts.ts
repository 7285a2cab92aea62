import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { callAws } from '#shared/errors/errors.ts';

/**
 * The active accounts under the target OUs (and every OU below them), each once. Needs the management
 * account or a delegated administrator; a refusal is an error the planner reports, not an empty estate.
 */
export async function accountsUnder(
  organizations: Pick<OrganizationsClient, 'send'>,
  parentIds: readonly string[],
): Promise<string[]> {
  const accounts = new Set<string>();
  const seen = new Set<string>();
  const queue = [...parentIds];
  for (let parent = queue.shift(); parent; parent = queue.shift()) {
    if (seen.has(parent)) continue;
    seen.add(parent);
    for (const account of await listAll(organizations, parent, 'accounts')) accounts.add(account);
    queue.push(...(await listAll(organizations, parent, 'units')));
  }
  return [...accounts].sort();
}

async function listAll(
  organizations: Pick<OrganizationsClient, 'send'>,
  parentId: string,
  what: 'accounts' | 'units',
): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page =
      what === 'accounts'
        ? await callAws(`listing the accounts of ${parentId}`, () =>
            organizations.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken: token })),
          )
        : await callAws(`listing the organizational units of ${parentId}`, () =>
            organizations.send(
              new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken: token }),
            ),
          );
    if ('Accounts' in page)
      for (const account of page.Accounts ?? [])
        if (account.Id && (account.State ?? account.Status ?? 'ACTIVE') === 'ACTIVE') found.push(account.Id);
    if ('OrganizationalUnits' in page)
      for (const unit of page.OrganizationalUnits ?? []) if (unit.Id) found.push(unit.Id);
    token = page.NextToken;
  } while (token);
  return found;
}
