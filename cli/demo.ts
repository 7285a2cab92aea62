/**
 * `npm start`: Warden end to end on this machine. Starts the local AWS emulator, provisions what the
 * functions need, then replays real CloudTrail events (from events/) against buckets set up to match,
 * through the very bundle CDK deploys, and shows what Warden saw, did, and told people.
 */
import { resolve } from 'node:path';
import { takeCapturedAlerts } from '#shared/local/alert-capture.ts';
import { countAuditRecords } from '#shared/local/audit-trail.ts';
import { resetBucket } from '#shared/local/bucket-setup.ts';
import { readBucketSnapshot } from '#shared/local/bucket-snapshot.ts';
import { type LocalClients, makeLocalClients } from '#shared/local/clients.ts';
import { LOCAL_REGION } from '#shared/local/credentials.ts';
import { invokeLocal } from '#shared/local/invoke.ts';
import type { LocalConfig } from '#shared/local/local-config.ts';
import { findFreePort, type MotoServer, startMoto } from '#shared/local/moto.ts';
import { PROJECT_ROOT } from '#shared/local/paths.ts';
import { provisionLocal } from '#shared/local/provision.ts';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '#shared/policy/load-policy.ts';
import type { Policy } from '#shared/policy/schema.ts';
import {
  describeAlerts,
  describeBucket,
  describeCall,
  describeOutcomes,
  field,
  heading,
} from './demo-format.ts';
import { demoScenarios, type Scenario } from './demo-scenarios.ts';
import { captureOutput } from './output.ts';

const QUIET_FUNCTION = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' };
const say = (text = '') => process.stdout.write(`${text}\n`);

const INTRO = `Warden watches AWS API calls (CloudTrail, through EventBridge) and repairs risky S3 changes within
seconds: default encryption must be SSE-KMS with an approved key, and all four Block Public Access
flags must be on. Every repair is read back, audited, and announced with one alert per event.

This demo runs the real s3-guard bundle against moto, a local AWS emulator. For each scenario it
sets a bucket up, feeds s3-guard the CloudTrail event of the change, and shows the bucket before and
after, what Warden found and did, and the alert it published to the SNS topic (Slack reads it there).`;

async function emulator(): Promise<{ endpoint: string; moto?: MotoServer }> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (endpoint) return { endpoint };
  const moto = await startMoto({ port: await findFreePort() });
  return { endpoint: moto.endpoint, moto };
}

interface DemoContext {
  readonly config: LocalConfig;
  readonly clients: LocalClients;
  readonly policy: Policy;
}

const auditCount = ({ clients, config }: DemoContext, bucket: string) =>
  countAuditRecords(clients.dynamodb, config.auditTable, bucket);

async function runScenario(number: number, scenario: Scenario, context: DemoContext): Promise<boolean> {
  const { config, clients, policy } = context;
  if (scenario.prepare)
    await resetBucket(clients.s3, scenario.bucket, await scenario.prepare(clients, config));
  const before = await readBucketSnapshot(clients.s3, scenario.bucket);
  const auditBefore = await auditCount(context, scenario.bucket);
  const event = scenario.event(config);

  say(heading(`${number}. ${scenario.title}`));
  say(field('Story', scenario.story));
  say(field('Bucket', scenario.bucket));
  say(field('Event', describeCall(event)));
  say(field('Before', describeBucket(before, config)));
  const run = await captureOutput(() =>
    invokeLocal('s3-guard', event, config, policy, { env: QUIET_FUNCTION }),
  );
  if (!run.value) {
    say(field('Result', `s3-guard threw (Lambda would retry): ${(run.error as Error).message}`));
    say(field('Function log', run.output.trimEnd() || '(empty)'));
    return false;
  }
  const result = run.value;
  const { findings, actions } = describeOutcomes(result);
  const newAuditRecords = (await auditCount(context, scenario.bucket)) - auditBefore;
  say(field('Warden found', findings));
  say(
    field(
      'Warden did',
      scenario.replay ? ['nothing new: this is the stored result of the first delivery'] : actions,
    ),
  );
  say(field('After', describeBucket(await readBucketSnapshot(clients.s3, scenario.bucket), config)));
  say(field('Audit', `${newAuditRecords} new record(s) in ${config.auditTable}`));
  say(field('Alert', describeAlerts(await takeCapturedAlerts(clients.sqs, config.alertCaptureQueueUrl))));
  const asExpected = result.status === scenario.expected;
  say(
    field(
      'Result',
      `${result.status}${asExpected ? '' : `  (UNEXPECTED: the demo expects ${scenario.expected})`}`,
    ),
  );
  if (!asExpected) say(field('Function log', run.output.trimEnd() || '(empty)'));
  return asExpected;
}

async function main(): Promise<number> {
  const policy = loadPolicyFile(resolve(PROJECT_ROOT, DEFAULT_POLICY_FILE));
  say(INTRO);
  const { endpoint, moto } = await emulator();
  try {
    const config = await provisionLocal({ endpoint, region: LOCAL_REGION, prefix: 'warden' });
    const clients = makeLocalClients(config);
    await takeCapturedAlerts(clients.sqs, config.alertCaptureQueueUrl);
    say();
    say(field('Emulator', `${endpoint}${moto ? ' (started for this demo, stopped at the end)' : ''}`));
    say(
      field('Provisioned', [
        `KMS key ${config.kmsKeyAlias}, SNS topic ${config.alertTopicArn}`,
        `tables ${config.idempotencyTable} and ${config.auditTable}, one IAM role per function`,
      ]),
    );
    say(
      field(
        'Policy',
        `${DEFAULT_POLICY_FILE}: exempt buckets ${policy.s3.exemptBuckets.join(', ') || 'none'}`,
      ),
    );
    const scenarios = demoScenarios();
    let failures = 0;
    for (const [index, scenario] of scenarios.entries()) {
      if (!(await runScenario(index + 1, scenario, { config, clients, policy }))) failures += 1;
    }
    say(heading('Try it yourself'));
    say(
      '  npx warden local up                                            # emulator + resources, .warden/local.json',
    );
    say(
      '  npx warden local invoke s3-guard events/s3/create-bucket.json  # create the bucket first, e.g. with boto3',
    );
    say('  npx warden local down');
    say();
    if (failures > 0) say(`${failures} of ${scenarios.length} scenarios did not behave as expected.`);
    return failures > 0 ? 1 : 0;
  } finally {
    await moto?.stop();
  }
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`demo: ${(error as Error).name}: ${(error as Error).message}\n`);
  return 1;
});
