import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import { FUNCTION_NAMES } from '#shared/config/names.ts';
import { LocalModeError } from './local-mode-error.ts';
import { LOCAL_CONFIG_FILE } from './paths.ts';

/** Where the CLI reads and writes the config: `WARDEN_LOCAL_CONFIG` (tests use a temp file) or `.warden/local.json`. */
export const localConfigPath = (env: NodeJS.ProcessEnv = process.env): string =>
  env.WARDEN_LOCAL_CONFIG || LOCAL_CONFIG_FILE;

/** What `warden local up` provisioned in the emulator: everything a function, test or demo needs. */
export const LocalConfigSchema = z.object({
  endpoint: z.url(),
  region: z.string().min(1),
  accountId: z.string().regex(/^\d{12}$/),
  prefix: z.string().min(1),
  kmsKeyArn: z.string().startsWith('arn:aws:kms:'),
  kmsKeyAlias: z.string().startsWith('alias/'),
  alertTopicArn: z.string().startsWith('arn:aws:sns:'),
  idempotencyTable: z.string().min(1),
  auditTable: z.string().min(1),
  /** Role ARN per function (`functionRoleArns['s3-guard']`), and all of them as Warden's own roles. */
  functionRoleArns: z.record(z.enum(FUNCTION_NAMES), z.string().startsWith('arn:aws:iam::')),
  ownRoleArns: z.array(z.string().startsWith('arn:aws:iam::')).min(1),
  /** An SQS queue subscribed to the alert topic, so the demo and tests can read what was published. */
  alertCaptureQueueUrl: z.url(),
  alertCaptureQueueArn: z.string().startsWith('arn:aws:sqs:'),
  /** The Secrets Manager secret notify-slack reads the webhook URL from (the stack's name). */
  slackWebhookSecretArn: z.string().startsWith('arn:aws:secretsmanager:'),
  /**
   * The capture server's URL `warden local up` writes into a new webhook secret. `warden local invoke
   * notify-slack` runs the capture server only while the secret still holds it: any other URL is the user's.
   */
  slackCaptureUrl: z.url({ protocol: /^http$/, hostname: /^(127\.0\.0\.1|localhost)$/ }),
  /** Where notify-slack sends alerts Slack refused for good (the stack: the delivery queue's DLQ). */
  slackDeadLetterQueueUrl: z.url(),
});

export type LocalConfig = z.infer<typeof LocalConfigSchema>;

export function writeLocalConfig(config: LocalConfig, path: string = LOCAL_CONFIG_FILE): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
}

export function readLocalConfig(path: string = LOCAL_CONFIG_FILE): LocalConfig {
  if (!existsSync(path)) {
    throw new LocalModeError(`${path} does not exist: run \`warden local up\` first`);
  }
  const parsed = LocalConfigSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new LocalModeError(
      `${path} is not a valid local-mode config (run \`warden local up\` again):\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
