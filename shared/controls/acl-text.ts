import { type AclGrant, GROUP_URIS } from '#shared/model/policy/acl.ts';
import { truncateText } from './bucket-policy-plan.ts';

const GROUP_NAMES: ReadonlyMap<string, string> = new Map(
  Object.entries(GROUP_URIS).map(([name, uri]) => [uri, name]),
);

/** `AllUsers READ`, `LogDelivery WRITE`, `CanonicalUser 79a5… FULL_CONTROL`: short and quotable. */
export function describeGrant(grant: AclGrant): string {
  const grantee = grant.grantee;
  switch (grantee.type) {
    case 'Group':
      return `${GROUP_NAMES.get(grantee.uri) ?? grantee.uri} ${grant.permission}`;
    case 'CanonicalUser':
      return `CanonicalUser ${truncateText(grantee.id, 16)} ${grant.permission}`;
    case 'AmazonCustomerByEmail':
      return `${grantee.email} ${grant.permission}`;
    default:
      return `${grantee.type} ${grant.permission}`;
  }
}

export function describeGrants(grants: readonly AclGrant[]): string {
  const shown = grants.slice(0, 5).map(describeGrant).join(', ');
  return grants.length > 5 ? `${shown} and ${grants.length - 5} more` : shown;
}
