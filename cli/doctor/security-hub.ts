import { DescribeHubCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import { type CheckResult, errorName, messageOf } from './checks.ts';

/**
 * With the policy's `securityHub.enabled`, Security Hub must be on in the hub's region: otherwise every
 * BatchImportFindings is refused (InvalidAccessException), counted and alarmed. Read-only (DescribeHub).
 */
export async function checkSecurityHub(
  deps: { readonly securityHub: Pick<SecurityHubClient, 'send'> },
  input: { readonly region: string },
): Promise<CheckResult> {
  const check = 'Security Hub';
  try {
    const hub = await deps.securityHub.send(new DescribeHubCommand({}));
    return {
      check,
      status: 'OK',
      detail: `enabled in ${input.region}${hub.SubscribedAt ? ` since ${hub.SubscribedAt}` : ''}: findings are imported there`,
    };
  } catch (error) {
    const detail =
      errorName(error) === 'InvalidAccessException'
        ? `not enabled in ${input.region}, and the policy sets securityHub.enabled: enable it ` +
          `(aws securityhub enable-security-hub --region ${input.region}) or set securityHub.enabled: false`
        : `could not be described in ${input.region} (${messageOf(error)})`;
    return { check, status: 'FAIL', detail };
  }
}
