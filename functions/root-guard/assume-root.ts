import { AssumeRootCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { type AwsTarget, clientConfig, endpointOf } from '#shared/aws/clients.ts';
import { callAws, TerminalAwsError } from '#shared/errors/errors.ts';

/** The AWS managed task policy that scopes a root session to deleting root credentials. */
export const DELETE_ROOT_CREDENTIALS_TASK_POLICY_ARN =
  'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';

/** AssumeRoot refuses more than 900 seconds; one key deletion needs far less. */
export const ROOT_SESSION_SECONDS = 900;

/**
 * The seam between root-guard and STS: credentials of a root session in a member account, scoped to
 * deleting root credentials. One function so tests (and the emulator, which lacks AssumeRoot) can
 * stand in for it.
 */
export type AssumeRootCredentials = (accountId: string) => Promise<AwsCredentialIdentity>;

/** AssumeRoot is served by regional STS endpoints only, not the global `sts.amazonaws.com`. */
export function regionalStsEndpoint(region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sts.${region}.${suffix}`;
}

/** An STS client pinned to the regional endpoint, or to the local emulator in local mode. */
export function rootStsClient(target: AwsTarget): STSClient {
  return new STSClient({
    ...clientConfig(target),
    endpoint: endpointOf(target) || regionalStsEndpoint(target.region),
  });
}

/** AssumeRoot through STS, for the hub's own role (management account or IAM delegated admin). */
export function stsAssumeRoot(sts: Pick<STSClient, 'send'>): AssumeRootCredentials {
  return async (accountId) => {
    const output = await callAws(`STS AssumeRoot into account ${accountId}`, () =>
      sts.send(
        new AssumeRootCommand({
          TargetPrincipal: accountId,
          TaskPolicyArn: { arn: DELETE_ROOT_CREDENTIALS_TASK_POLICY_ARN },
          DurationSeconds: ROOT_SESSION_SECONDS,
        }),
      ),
    );
    const credentials = output.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      throw new TerminalAwsError(`STS AssumeRoot into account ${accountId} returned no credentials`);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
    };
  };
}
