import * as z from 'zod/mini';
import { ENV } from '#shared/config/env-names.ts';
import { ConfigError } from '#shared/errors/errors.ts';
import { parsePolicy } from '#shared/policy/parse-policy.ts';
import type { Policy } from '#shared/policy/schema.ts';

/** What root-guard needs from its environment; unlike the bucket guards it has no KMS key. */
export interface RootGuardConfig {
  readonly region: string;
  readonly alertTopicArn: string;
  readonly idempotencyTable: string;
  readonly auditTable: string;
  readonly policy: Policy;
}

const EnvSchema = z.object({
  AWS_REGION: z.string().check(z.minLength(1)),
  [ENV.alertTopicArn]: z.string().check(z.regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN')),
  [ENV.idempotencyTable]: z.string().check(z.minLength(1)),
  [ENV.auditTable]: z.string().check(z.minLength(1)),
  [ENV.policy]: z.string().check(z.minLength(2)),
});

/** Fails fast with every missing or malformed variable named; required values have no defaults. */
export function loadRootGuardConfig(env: NodeJS.ProcessEnv = process.env): RootGuardConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(`Invalid root-guard environment:\n${z.prettifyError(parsed.error)}`);
  const values = parsed.data;
  let rawPolicy: unknown;
  try {
    rawPolicy = JSON.parse(values[ENV.policy]);
  } catch (error) {
    throw new ConfigError(`${ENV.policy} is not valid JSON: ${(error as Error).message}`);
  }
  const policy = parsePolicy(rawPolicy, ENV.policy);
  // Without it a member account cannot be told from the management account, whose root AssumeRoot never covers.
  if (policy.deployment.mode === 'organization' && !policy.deployment.managementAccountId)
    throw new ConfigError(
      `${ENV.policy}: deployment.managementAccountId is required when deployment.mode is organization`,
    );
  return {
    region: values.AWS_REGION,
    alertTopicArn: values[ENV.alertTopicArn],
    idempotencyTable: values[ENV.idempotencyTable],
    auditTable: values[ENV.auditTable],
    policy,
  };
}
