import type { Clock } from '#shared/observability/observability.ts';
import type { ClientFactory } from './clients.ts';
import { accountOfArn, crossAccountClients, stsAssumeRole } from './cross-account.ts';

/** The policy's deployment, as far as it says which role to assume (typed here: shared/policy imports shared/aws). */
interface Deployment {
  readonly mode: string;
  readonly organization: { readonly memberRoleName: string };
}

/**
 * Clients for an event's account and region, built by `build` from a factory set to that region and,
 * in a member account (organization mode), the member role's credentials. The function's own account
 * and partition come from its own session ARN; STS loads on the first member account's event.
 */
export function memberAccountClients<Clients>(
  aws: ClientFactory,
  config: {
    readonly ownSessionArns: readonly string[];
    readonly policy: { readonly deployment: Deployment };
  },
  clock: Pick<Clock, 'now'>,
  build: (aws: ClientFactory) => Clients,
) {
  const { accountId: ownAccountId, partition } = accountOfArn(config.ownSessionArns[0] as string);
  const deployment = config.policy.deployment;
  return crossAccountClients({
    ownAccountId,
    partition,
    memberRoleName: deployment.mode === 'organization' ? deployment.organization.memberRoleName : undefined,
    assumeRole: stsAssumeRole(aws.lazy(async () => (await import('./on-demand/sts.ts')).STSClient, 'sts')),
    buildClients: ({ region }, credentials) => build(aws.with({ region, credentials })),
    clock,
  });
}
