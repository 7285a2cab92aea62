import * as z from 'zod/mini';
import { ConfigError } from '#shared/errors/errors.ts';
import { parsePolicy } from '#shared/policy/parse-policy.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { ENV } from './env-names.ts';

/** Everything a guard function needs from its environment, validated once per cold start. */
export interface GuardConfig {
  readonly region: string;
  readonly kmsKeyArn: string;
  readonly alertTopicArn: string;
  readonly idempotencyTable: string;
  readonly auditTable: string;
  /**
   * The sessions of Warden's functions (`arn:<partition>:sts::<account>:assumed-role/<role>/<function>`):
   * their API calls are Warden's own remediations and must never trigger Warden again.
   */
  readonly ownSessionArns: readonly string[];
  readonly policy: Policy;
}

const arn = (service: string) =>
  z.string().check(z.regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be an ${service} ARN`));
const nonEmpty = z.string().check(z.minLength(1));
const assumedRoleSessionArn = z
  .string()
  .check(
    z.regex(
      /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+$/,
      'must be an assumed-role session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>)',
    ),
  );

const EnvSchema = z.object({
  AWS_REGION: nonEmpty,
  [ENV.kmsKeyArn]: arn('kms'),
  [ENV.alertTopicArn]: arn('sns'),
  [ENV.idempotencyTable]: nonEmpty,
  [ENV.auditTable]: nonEmpty,
  [ENV.ownSessionArns]: z.pipe(
    z.pipe(
      nonEmpty,
      z.transform((value: string) =>
        value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      ),
    ),
    z.array(assumedRoleSessionArn).check(z.minLength(1)),
  ),
  [ENV.policy]: z.string().check(z.minLength(2)),
});

/** Fails fast with every missing or malformed variable named; required values have no defaults. */
export function loadGuardConfig(env: NodeJS.ProcessEnv = process.env): GuardConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid Warden function environment:\n${z.prettifyError(parsed.error)}`);
  }
  const values = parsed.data;
  let rawPolicy: unknown;
  try {
    rawPolicy = JSON.parse(values[ENV.policy]);
  } catch (error) {
    throw new ConfigError(`${ENV.policy} is not valid JSON: ${(error as Error).message}`);
  }
  return {
    region: values.AWS_REGION,
    kmsKeyArn: values[ENV.kmsKeyArn],
    alertTopicArn: values[ENV.alertTopicArn],
    idempotencyTable: values[ENV.idempotencyTable],
    auditTable: values[ENV.auditTable],
    ownSessionArns: values[ENV.ownSessionArns],
    policy: parsePolicy(rawPolicy, ENV.policy),
  };
}
