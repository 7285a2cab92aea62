import { randomBytes } from 'node:crypto';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { describePolicy } from './demo-format.ts';
import type { Scenario, ScenarioContext } from './demo-scenarios.ts';
import { readBucketPolicy } from './local/access-snapshot.ts';
import { resetBucket } from './local/bucket-setup.ts';
import { loadSampleEvent, retargetEvent, type SampleEvent } from './local/sample-events.ts';

const TERRAFORM_SAMPLE = 's3/put-bucket-policy-public-by-terraform.json';

/** The policy a PutBucketPolicy event carries, as S3 stores it. */
const policyOf = (event: SampleEvent) =>
  JSON.stringify((event.detail.requestParameters as { bucketPolicy: unknown }).bucketPolicy);

const alertText = (run: Parameters<NonNullable<Scenario['check']>>[1]) =>
  run.alerts.map((alert) => JSON.stringify(alert.notification)).join('\n');

/**
 * The demo's root MFA and "never fight forever" stories (issue 13). The fight's bucket name is new on
 * every run: fight state outlives a run in a long-lived emulator, and a rerun would start mid-fight.
 */
export function fightAndRootMfaScenarios(): Scenario[] {
  const bucket = `demo-terraform-site-${randomBytes(3).toString('hex')}`;
  const terraformEvent = ({ config }: ScenarioContext) =>
    retargetEvent(loadSampleEvent(TERRAFORM_SAMPLE), { bucket, accountId: config.accountId });
  const reapply = async ({ clients }: ScenarioContext, event: SampleEvent) => {
    await clients.s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policyOf(event) }));
  };
  const policyNow = async ({ clients }: ScenarioContext) =>
    describePolicy(await readBucketPolicy(clients.s3, bucket));
  const stillPrivate = async ({ clients }: ScenarioContext) =>
    (await readBucketPolicy(clients.s3, bucket))?.includes('PublicRead')
      ? 'the public statement is back'
      : undefined;

  return [
    {
      title: 'The root user’s MFA device removed',
      story:
        'Someone signed in as root deactivates its MFA device: the root password alone now opens the whole account. No IAM principal can assign a device to the root user, so root-guard sends a CRITICAL alert with the steps only the root user can take (Security Hub IAM.9/IAM.6), and says when an Organization’s central root-credential management makes them not apply.',
      resource: 'root user',
      guard: 'root-guard',
      event: ({ config }) =>
        retargetEvent(loadSampleEvent('iam/root-deactivate-mfa-device.json'), {
          bucket: '',
          accountId: config.accountId,
        }),
      describe: async () => [],
      expected: 'PROCESSED',
      check: async (_context, run) => {
        const title = run.alerts[0]?.notification.content.title ?? '';
        if (run.alerts.length !== 1) return `expected one alert, got ${run.alerts.length}`;
        if (!title.startsWith('CRITICAL')) return `the alert is not CRITICAL: ${title}`;
        return alertText(run).includes('Assign MFA device')
          ? undefined
          : 'the alert gives no steps to assign MFA';
      },
    },
    {
      title: 'A fight with another automation',
      story:
        'A Terraform pipeline keeps a public-read policy on a website bucket; Warden removes the public statement each time. The first two rounds are repaired and alerted as usual. On the third repair within 10 minutes (the policy file’s fights section) Warden sends one alert naming the fight, the Terraform role, its user agent and how often. The exposure is CRITICAL, so Warden keeps repairing, quietly.',
      resource: bucket,
      rounds: 3,
      event: terraformEvent,
      prepare: async (context, event) => {
        await resetBucket(context.clients.s3, bucket, {
          encryption: { kmsKeyArn: context.config.kmsKeyArn },
          publicAccessBlock: 'all',
        });
        await reapply(context, event);
      },
      describe: policyNow,
      expected: 'PROCESSED',
      check: async (context, run) => {
        const text = alertText(run);
        if (!run.alerts[0]?.notification.content.title.includes('in a fight'))
          return 'the third repair did not announce the fight';
        if (!text.includes('role/terraform-deployer') || !text.includes('Terraform/1.9.8'))
          return 'the alert does not name the Terraform role and its user agent';
        return stillPrivate(context);
      },
    },
    {
      title: 'The fight goes on: repaired quietly',
      story:
        'Terraform re-applies the policy a fourth time. Warden still removes the public statement and records it in the audit trail (`npx warden audit list` shows the fight), but sends no alert: it reports again once an hour while the fight goes on. A non-critical control would instead be left alone (detect only) for the cool-down, and the alert would say until when.',
      resource: bucket,
      event: terraformEvent,
      prepare: reapply,
      describe: policyNow,
      expected: 'PROCESSED',
      check: async (context, run) => {
        if (run.alerts.length > 0) return `expected no alert, got ${run.alerts.length}`;
        const repaired = run.result.outcomes.find((outcome) => outcome.controlId === 's3-public-policy');
        if (repaired?.status !== 'REMEDIATED')
          return `s3-public-policy answered ${repaired?.status ?? 'nothing'}`;
        return stillPrivate(context);
      },
    },
  ];
}
