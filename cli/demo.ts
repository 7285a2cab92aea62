/**
 * `npm start`: Warden end to end on this machine. Starts the local AWS emulator, provisions what the
 * functions need, then replays real CloudTrail events (from events/) against resources set up to
 * match, through the very bundles CDK deploys (s3-guard, root-guard, notify-slack), and shows what
 * Warden saw, did, recorded, and told people in Slack.
 */
import { resolve } from 'node:path';
import { accountResource } from '#shared/model/views.ts';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '#shared/policy/load-policy.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { describeAlerts, describeCall, describeOutcomes, field, heading, slackLines } from './demo-format.ts';
import { demoScenarios, type Scenario, type ScenarioContext } from './demo-scenarios.ts';
import { issue14Scenarios } from './demo-scenarios-issue14.ts';
import { runSweepDemo } from './demo-sweep.ts';
import { type CapturedAlert, snsLambdaEvent, takeCapturedAlerts } from './local/alert-capture.ts';
import { countAuditRecords } from './local/audit-trail.ts';
import { makeLocalClients } from './local/clients.ts';
import { LOCAL_REGION } from './local/credentials.ts';
import { invokeLocal, judgeInvocation } from './local/invoke.ts';
import type { LocalConfig } from './local/local-config.ts';
import { findFreePort, type MotoServer, startMoto } from './local/moto.ts';
import { PROJECT_ROOT } from './local/paths.ts';
import { provisionLocal, slackWebhookUrlFromEnv } from './local/provision.ts';
import { type FakeSlackServer, startFakeSlackServer } from './local/slack-capture-server.ts';
import { describeSlackMessage } from './local/slack-text.ts';
import { captureOutput } from './output.ts';

const QUIET_FUNCTION = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' };
const say = (text = '') => process.stdout.write(`${text}\n`);

const INTRO = `Warden watches AWS API calls (CloudTrail, through EventBridge) and repairs risky changes within
seconds: bucket encryption must be SSE-KMS with an approved key, Block Public Access must be on (per
bucket and account-wide), bucket policies and ACLs must not make a bucket public, and root access keys
must not exist. Every repair is read back, audited, and announced with one alert per event.

This demo runs the real function bundles against moto, a local AWS emulator. For each scenario it
sets a resource up, feeds the guard the CloudTrail event of the change, and shows the state before
and after, what Warden found and did, and the Slack message notify-slack sends for the alert.`;

async function emulator(): Promise<{ endpoint: string; moto?: MotoServer }> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (endpoint) return { endpoint };
  const moto = await startMoto({ port: await findFreePort() });
  return { endpoint: moto.endpoint, moto };
}

interface DemoContext extends ScenarioContext {
  readonly policy: Policy;
  /** The local Slack-like server, unless alerts go to a real webhook. */
  readonly slack?: FakeSlackServer;
}

/** Where the audit log files the scenario's records (its partition key). */
function auditResource(scenario: Scenario, config: LocalConfig): string {
  if (scenario.guard === 'root-guard') return `arn:aws:iam::${config.accountId}:root`;
  if (scenario.resource === 'account') return accountResource(config.accountId);
  return scenario.resource;
}

/** Runs notify-slack's bundle on each alert as SNS would deliver it; returns what to show. */
async function sendToSlack(alerts: readonly CapturedAlert[], context: DemoContext): Promise<string[]> {
  const shown: string[] = [];
  for (const alert of alerts) {
    const event = snsLambdaEvent(alert);
    const seen = context.slack?.received.length ?? 0;
    const run = await captureOutput(() =>
      invokeLocal('notify-slack', event, context.config, context.policy, { env: QUIET_FUNCTION }),
    );
    if (!run.value) {
      shown.push(`notify-slack failed: ${(run.error as Error).message}`);
      continue;
    }
    const verdict = judgeInvocation('notify-slack', event, run.value);
    if (!context.slack) {
      shown.push(`posted to your Slack webhook (WARDEN_SLACK_WEBHOOK_URL): ${verdict.summary}`);
      continue;
    }
    const received = context.slack.received.slice(seen);
    if (!verdict.ok || received.length === 0) shown.push(`notify-slack: ${verdict.summary}`);
    for (const request of received)
      shown.push(...slackLines(describeSlackMessage(request.payload, { compact: true })));
  }
  return shown;
}

/**
 * The rounds before the one shown in full (`rounds`): the change made again and the guard hearing of it,
 * one line each (what Warden did, how many alerts), as a fight builds up.
 */
async function earlierRounds(scenario: Scenario, context: DemoContext, policy: Policy): Promise<string[]> {
  const lines: string[] = [];
  for (let round = 1; round < (scenario.rounds ?? 1); round++) {
    const event = scenario.event(context);
    await scenario.prepare?.(context, event);
    const run = await captureOutput(() =>
      invokeLocal(scenario.guard ?? 's3-guard', event, context.config, policy, { env: QUIET_FUNCTION }),
    );
    const alerts = await takeCapturedAlerts(context.clients.sqs, context.config.alertCaptureQueueUrl);
    const did = run.value ? describeOutcomes(run.value).actions.join('; ') : `failed: ${String(run.error)}`;
    lines.push(`round ${round}: ${did}; ${alerts.length} alert(s): ${describeAlerts(alerts).join(', ')}`);
  }
  return lines;
}

async function runScenario(number: number, scenario: Scenario, context: DemoContext): Promise<boolean> {
  const { config, clients, policy } = context;
  const guard = scenario.guard ?? 's3-guard';
  const scenarioPolicy = scenario.policy?.(policy) ?? policy;
  const earlier = await earlierRounds(scenario, context, scenarioPolicy);
  const event = scenario.event(context);
  await scenario.prepare?.(context, event);
  const before = (await scenario.describe?.(context)) ?? [];
  const auditKey = auditResource(scenario, config);
  const auditBefore = await countAuditRecords(clients.dynamodb, config.auditTable, auditKey);

  say(heading(`${number}. ${scenario.title}`));
  say(field('Story', scenario.story));
  say(
    field(
      scenario.guard === 'root-guard' ? 'Account' : 'Resource',
      scenario.guard === 'root-guard' ? config.accountId : scenario.resource,
    ),
  );
  if (earlier.length) say(field('Earlier', earlier));
  say(
    field(
      'Event',
      `${describeCall(event)}  → ${guard}${earlier.length ? `  (round ${earlier.length + 1})` : ''}`,
    ),
  );
  if (before.length) say(field('Before', before));
  const run = await captureOutput(() =>
    invokeLocal(guard, event, config, scenarioPolicy, { env: QUIET_FUNCTION }),
  );
  if (!run.value) {
    say(field('Result', `${guard} threw (Lambda would retry): ${(run.error as Error).message}`));
    say(field('Function log', run.output.trimEnd() || '(empty)'));
    return false;
  }
  const result = run.value;
  const { findings, actions } = describeOutcomes(result);
  const newAuditRecords =
    (await countAuditRecords(clients.dynamodb, config.auditTable, auditKey)) - auditBefore;
  say(field('Warden found', findings));
  say(
    field(
      'Warden did',
      scenario.replay ? ['nothing new: this is the stored result of the first delivery'] : actions,
    ),
  );
  const after = (await scenario.describe?.(context)) ?? [];
  if (after.length) say(field('After', after));
  say(field('Audit', `${newAuditRecords} new record(s) in ${config.auditTable}`));
  const alerts = await takeCapturedAlerts(clients.sqs, config.alertCaptureQueueUrl);
  say(field('Alert', describeAlerts(alerts)));
  if (alerts.length) say(field('Slack', await sendToSlack(alerts, context)));
  const problem =
    result.status !== scenario.expected
      ? `the demo expects ${scenario.expected}`
      : await scenario.check?.(context, { result, alerts });
  say(field('Result', `${result.status}${problem ? `  (UNEXPECTED: ${problem})` : ''}`));
  if (problem) say(field('Function log', run.output.trimEnd() || '(empty)'));
  return !problem;
}

async function main(): Promise<number> {
  const started = Date.now();
  const policy = loadPolicyFile(resolve(PROJECT_ROOT, DEFAULT_POLICY_FILE));
  say(INTRO);
  const realWebhook = slackWebhookUrlFromEnv();
  const slack = realWebhook ? undefined : await startFakeSlackServer({ lifetimeMs: 600_000 });
  const { endpoint, moto } = await emulator();
  try {
    const config = await provisionLocal({
      endpoint,
      region: LOCAL_REGION,
      prefix: 'warden',
      slackWebhookUrl: realWebhook ?? slack?.url,
    });
    const clients = makeLocalClients(config);
    await takeCapturedAlerts(clients.sqs, config.alertCaptureQueueUrl);
    say();
    say(field('Emulator', `${endpoint}${moto ? ' (started for this demo, stopped at the end)' : ''}`));
    say(
      field('Provisioned', [
        `KMS key ${config.kmsKeyAlias}, SNS topic ${config.alertTopicArn}`,
        `tables ${config.idempotencyTable} and ${config.auditTable}, one IAM role per function`,
        `secret ${config.slackWebhookSecretArn.replace(/^.*:secret:/, '')} (the Slack webhook URL)`,
      ]),
    );
    say(
      field(
        'Slack',
        realWebhook
          ? 'alerts are posted to the webhook in WARDEN_SLACK_WEBHOOK_URL'
          : `a local Slack-like server at ${slack?.url ?? ''} (set WARDEN_SLACK_WEBHOOK_URL to post to a real channel)`,
      ),
    );
    say(
      field('Policy', [
        `${DEFAULT_POLICY_FILE}: deployment mode ${policy.deployment.mode}`,
        `exempt buckets ${policy.s3.exemptBuckets.map((exemption) => exemption.bucket).join(', ') || 'none'}`,
      ]),
    );
    const scenarios = [...demoScenarios(), ...issue14Scenarios()];
    const context: DemoContext = { config, clients, policy, ...(slack ? { slack } : {}) };
    let failures = 0;
    for (const [index, scenario] of scenarios.entries()) {
      if (!(await runScenario(index + 1, scenario, context))) failures += 1;
    }
    // Existing state: what no event names, found by the sweep.
    if (!(await runSweepDemo(context))) failures += 1;
    const total = scenarios.length + 1;
    say(heading('Try it yourself'));
    say('  npx warden local up                    # emulator + resources, .warden/local.json');
    say('  npx warden local invoke s3-guard events/s3/create-bucket.json   # create the bucket first');
    say('  npx warden local invoke notify-slack events/sns/alert-s3-remediated.json');
    say(
      '  npx warden audit list                  # what Warden did; `npx warden undo <action-id>` reverts one',
    );
    say('  npx warden sweep --dry-run             # every bucket checked; what Warden would change');
    say('  npx warden controls                    # every control, its severity and triggers');
    say('  npx warden local down');
    say();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    say(
      failures > 0
        ? `${failures} of ${total} scenarios did not behave as expected (${seconds} s).`
        : `All ${total} scenarios behaved as expected (${seconds} s).`,
    );
    return failures > 0 ? 1 : 0;
  } finally {
    await moto?.stop();
    await slack?.close();
  }
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`demo: ${(error as Error).name}: ${(error as Error).message}\n`);
  return 1;
});
