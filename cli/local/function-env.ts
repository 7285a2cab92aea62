import { ENV } from '#shared/config/env-names.ts';
import { type FunctionName, functionSessionArns, resourceNames } from '#shared/config/names.ts';
import { METRICS_NAMESPACE } from '#shared/observability/observability.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { NOTIFY_SLACK_ENV } from '#shared/slack/config.ts';
import { localCredentials } from './credentials.ts';
import type { LocalConfig } from './local-config.ts';

/** As in the stack: the sessions Lambda opens for Warden's functions in the emulator's account. */
export function localOwnSessionArns(localConfig: LocalConfig): string[] {
  return functionSessionArns(resourceNames(localConfig.prefix), {
    partition: 'aws',
    accountId: localConfig.accountId,
  });
}

/**
 * The environment the stack gives a function, pointed at the emulator instead of AWS.
 * The function reads it at cold start exactly as it does in Lambda.
 */
export function functionEnvironment(
  localConfig: LocalConfig,
  policy: Policy,
  functionName: FunctionName = 's3-guard',
): Record<string, string> {
  const credentials = localCredentials();
  return {
    [ENV.kmsKeyArn]: localConfig.kmsKeyArn,
    [ENV.alertTopicArn]: localConfig.alertTopicArn,
    // The guards' idempotency records, and notify-slack's shared message budget (as in the stack).
    [ENV.idempotencyTable]: localConfig.idempotencyTable,
    [ENV.auditTable]: localConfig.auditTable,
    [ENV.ownSessionArns]: localOwnSessionArns(localConfig).join(','),
    [ENV.policy]: JSON.stringify(policy),
    AWS_REGION: localConfig.region,
    AWS_ENDPOINT_URL: localConfig.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    POWERTOOLS_SERVICE_NAME: functionName,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    // Only notify-slack may read the webhook secret, as in the stack.
    ...(functionName === 'notify-slack'
      ? {
          [ENV.slackWebhookSecretArn]: localConfig.slackWebhookSecretArn,
          [NOTIFY_SLACK_ENV.deadLetterQueueUrl]: localConfig.slackDeadLetterQueueUrl,
        }
      : {}),
  };
}
