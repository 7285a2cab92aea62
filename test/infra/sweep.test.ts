import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/config/env-names.ts';
import { METRICS_NAMESPACE } from '#shared/observability/observability.ts';
import { SWEEP_QUEUE_VISIBILITY, SWEEP_WORKER_TIMEOUT } from '../../infra/constructs/sweep.ts';
import { S3_GUARD_BUCKET_ACTIONS } from '../../infra/stacks/hub-stack.ts';
import { SPOKE_SWEEP_ACTIONS } from '../../infra/stacks/spoke-stack.ts';
import { arnOf, logicalId } from './support/logical-id.ts';
import { organizationPolicy, synthOrganization } from './support/org-synth.ts';
import { policyFileWith, synthApp, throwawayBundleDir } from './support/synth-hub.ts';

type Statement = {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: unknown;
  Sid?: string;
};
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON.
type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

const actionsOf = (statement: Statement) => [statement.Action].flat().sort();
const summary = (statements: Statement[]) => statements.map((s) => actionsOf(s).join(' ')).sort();
const only = (template: Template, type: string): Resource[] =>
  Object.values(template.findResources(type)) as Resource[];

/** What the role whose logical id starts with `rolePrefix` allows (its one Deny is GuardFunction's). */
function allowed(template: Template, rolePrefix: string): Statement[] {
  const roleId = logicalId(template, 'AWS::IAM::Role', rolePrefix);
  return only(template, 'AWS::IAM::Policy')
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
    .filter((statement) => statement.Effect === 'Allow');
}
const withAction = (statements: Statement[], action: string) =>
  statements.filter((s) => actionsOf(s).includes(action));
const sweepSchedule = (template: Template) =>
  template.findResources('AWS::Events::Rule')[
    logicalId(template, 'AWS::Events::Rule', 'SweepSchedule')
  ] as Resource;
/** Every statement of the spoke's member role (its inline policies). */
const memberRoleStatements = (spoke: Template): Statement[] =>
  only(spoke, 'AWS::IAM::Role')
    .filter((r) => r.Properties.RoleName)
    .flatMap((r) => r.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[])
    .flatMap((p) => p.PolicyDocument.Statement);

const SWEEP_POLICY = `version: 1
sweep:
  schedule: cron(0 3 * * ? *)
  accountsInParallel: 7
  bucketsInParallel: 4
`;

describe('sweep in account mode', () => {
  const { template } = synthApp({ policyFile: policyFileWith(SWEEP_POLICY) });
  const queueId = logicalId(template, 'AWS::SQS::Queue', 'SweepItems');
  const queueArn = arnOf(template, 'AWS::SQS::Queue', 'SweepItems');
  const deadLettersArn = arnOf(template, 'AWS::SQS::Queue', 'SweepFailedItems');
  const keyArn = arnOf(template, 'AWS::KMS::Key', 'Key');
  const auditTable = arnOf(template, 'AWS::DynamoDB::Table', 'StateAudit');
  const topic = { Ref: logicalId(template, 'AWS::SNS::Topic', 'AlertTopic') };
  const plannerId = logicalId(template, 'AWS::Lambda::Function', 'SweepPlannerFunction');
  const workerId = logicalId(template, 'AWS::Lambda::Function', 'SweepWorkerFunction');
  const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
  const planner = allowed(template, 'SweepPlannerRole');
  const worker = allowed(template, 'SweepWorkerRole');

  it('queues work items on a FIFO queue, encrypted with the internal key, the sender setting deduplication ids', () => {
    const queue = template.findResources('AWS::SQS::Queue')[queueId] as Resource;
    expect(queue.Properties).toMatchObject({
      QueueName: 'warden-sweep.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      KmsMasterKeyId: keyArn,
    });
  });

  it('redrives an item failed 3 times to an encrypted FIFO dead-letter queue whose depth is alarmed', () => {
    const queue = template.findResources('AWS::SQS::Queue')[queueId] as Resource;
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: deadLettersArn,
      maxReceiveCount: 3,
    });
    const deadLetters = template.findResources('AWS::SQS::Queue')[
      logicalId(template, 'AWS::SQS::Queue', 'SweepFailedItems')
    ] as Resource;
    expect(deadLetters.Properties).toMatchObject({ FifoQueue: true, KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLettersArn['Fn::GetAtt'][0], 'QueueName'] } },
      ],
      Threshold: 0,
      AlarmActions: [topic],
    });
  });

  it('keeps an item invisible for six worker timeouts: no redelivery while a worker may still run it', () => {
    const queue = template.findResources('AWS::SQS::Queue')[queueId] as Resource;
    expect(functions[workerId]?.Properties.Timeout).toBe(SWEEP_WORKER_TIMEOUT.toSeconds());
    expect(queue.Properties.VisibilityTimeout).toBe(SWEEP_QUEUE_VISIBILITY.toSeconds());
    expect(SWEEP_QUEUE_VISIBILITY.toSeconds()).toBeGreaterThanOrEqual(6 * SWEEP_WORKER_TIMEOUT.toSeconds());
  });

  it('feeds the worker one item at a time, accountsInParallel workers at most, reporting failed items', () => {
    const [mapping, ...others] = only(template, 'AWS::Lambda::EventSourceMapping').filter(
      (m) => m.Properties.FunctionName.Ref === workerId,
    );
    expect(others).toEqual([]);
    expect(mapping?.Properties).toEqual({
      FunctionName: { Ref: workerId },
      EventSourceArn: queueArn,
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 7 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('starts the planner on the schedule of the policy file, with retries and an alarmed dead-letter queue', () => {
    const rule = sweepSchedule(template);
    expect(rule.Properties.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [plannerId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: arnOf(template, 'AWS::SQS::Queue', 'SweepUndeliveredSchedules') },
      }),
    ]);
  });

  it('starts the planner once after the deployment, asynchronously, when the worker, queue and tables exist', () => {
    const [trigger, ...others] = only(template, 'Custom::Trigger');
    expect(others).toEqual([]);
    const versionId = logicalId(template, 'AWS::Lambda::Version', 'SweepPlannerFunctionCurrentVersion');
    expect(trigger?.Properties).toMatchObject({
      HandlerArn: { Ref: versionId },
      InvocationType: 'Event',
      ExecuteOnHandlerChange: true,
    });
    expect(trigger?.DependsOn).toEqual(
      expect.arrayContaining([
        workerId,
        queueId,
        logicalId(template, 'AWS::Lambda::EventSourceMapping', 'SweepWorkerFunctionItems'),
        logicalId(template, 'AWS::IAM::Policy', 'SweepWorkerRoleDefaultPolicy'),
        logicalId(template, 'AWS::DynamoDB::Table', 'StateAudit'),
        logicalId(template, 'AWS::DynamoDB::Table', 'StateIdempotency'),
      ]),
    );
  });

  it("retries and dead-letters the trigger's invocation of the planner version as the schedule's", () => {
    const versionId = logicalId(template, 'AWS::Lambda::Version', 'SweepPlannerFunctionCurrentVersion');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: plannerId },
      Qualifier: { 'Fn::GetAtt': [versionId, 'Version'] },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: arnOf(template, 'AWS::SQS::Queue', 'SweepPlannerFailedEvents') },
      },
    });
  });

  it('gives both functions the environment of s3-guard and the queue URL', () => {
    const s3Guard = functions[logicalId(template, 'AWS::Lambda::Function', 'S3GuardFunction')] as Resource;
    const guardVariables = Object.keys(s3Guard.Properties.Environment.Variables);
    for (const id of [plannerId, workerId]) {
      const variables = functions[id]?.Properties.Environment.Variables;
      expect(Object.keys(variables).sort()).toEqual([...guardVariables, ENV.sweepQueueUrl].sort());
      expect(variables[ENV.sweepQueueUrl]).toEqual({ Ref: queueId });
      expect(variables[ENV.policy]).toBe(s3Guard.Properties.Environment.Variables[ENV.policy]);
    }
  });

  it('lets the planner only send items, keep the ledger in the audit table and write its logs', () => {
    expect(summary(planner)).toEqual(
      [
        'dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem',
        'kms:Decrypt kms:DescribeKey kms:Encrypt kms:GenerateDataKey',
        'kms:Decrypt kms:GenerateDataKey',
        'logs:CreateLogStream logs:PutLogEvents',
        'sqs:SendMessage',
      ].sort(),
    );
    // The items, and the planner's own failed invocations (its on-failure queue).
    expect(withAction(planner, 'sqs:SendMessage')[0]?.Resource).toEqual([
      queueArn,
      arnOf(template, 'AWS::SQS::Queue', 'SweepPlannerFailedEvents'),
    ]);
    expect(withAction(planner, 'dynamodb:Query')[0]?.Resource).toEqual(auditTable);
    expect(withAction(planner, 'organizations:ListAccountsForParent')).toEqual([]);
  });

  it("gives the worker everything s3-guard has, plus listing, the queue and the sweep's ledger", () => {
    // s3-guard's grants, with the ledger instead of append-and-baselines and the work queue instead of an
    // on-failure queue (the work queue's redrive dead-letters the worker's failures).
    const asWorker: Record<string, string> = {
      'dynamodb:GetItem dynamodb:PutItem':
        'dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem',
      'sqs:SendMessage': 'sqs:DeleteMessage sqs:GetQueueAttributes sqs:ReceiveMessage sqs:SendMessage',
    };
    const s3Guard = summary(allowed(template, 'S3GuardRole')).map((grant) => asWorker[grant] ?? grant);
    expect(summary(worker)).toEqual([...s3Guard, 'iam:GetAccountSummary s3:ListAllMyBuckets'].sort());
    expect(s3Guard).toContain([...S3_GUARD_BUCKET_ACTIONS].sort().join(' '));
    expect(withAction(worker, 'sqs:ReceiveMessage')[0]?.Resource).toEqual(queueArn);
    expect(withAction(worker, 'dynamodb:Query')[0]?.Resource).toEqual(auditTable);
    expect(withAction(worker, 'sns:Publish')[0]?.Resource).toEqual(topic);
    expect(withAction(worker, 's3:PutBucketPolicy')[0]?.Condition).toEqual({
      StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } },
    });
    expect(withAction(worker, 's3:ListAllMyBuckets')[0]?.Resource).toBe('*');
    expect(withAction(worker, 'sts:AssumeRole')).toEqual([]);
  });

  it('allows no wildcard action to either function', () => {
    for (const statement of [...planner, ...worker])
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
  });

  it.each(['SweepDrift', 'SweepFailures'])(
    'alarms the alert topic on the first %s of a sweep',
    (metricName) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: METRICS_NAMESPACE,
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'sweep-worker' }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
      });
    },
  );
});

describe('sweep settings from the policy file', () => {
  it('runs daily by default', () => {
    const { template } = synthApp({ policyFile: policyFileWith('version: 1\n') });
    expect(sweepSchedule(template).Properties.ScheduleExpression).toBe('rate(1 day)');
  });

  it('raises one account at a time to the two workers Lambda requires at least', () => {
    const policyFile = policyFileWith('version: 1\nsweep:\n  accountsInParallel: 1\n');
    const { template } = synthApp({ policyFile });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('creates nothing of the sweep when sweep.enabled is false', () => {
    const { template, hub } = synthApp({
      policyFile: policyFileWith('version: 1\nsweep:\n  enabled: false\n'),
    });
    expect(hub.sweep).toBeUndefined();
    const resources = Object.keys(template.toJSON().Resources);
    expect(resources.filter((id) => id.startsWith('Sweep'))).toEqual([]);
    const functionNames = only(template, 'AWS::Lambda::Function').map((f) => f.Properties.FunctionName);
    expect(functionNames.filter((name) => /sweep/.test(String(name)))).toEqual([]);
    expect(only(template, 'Custom::Trigger')).toEqual([]);
    expect(only(template, 'AWS::SQS::Queue').filter((q) => q.Properties.FifoQueue)).toEqual([]);
  });
});

describe('a deployment that changes the worker sweeps again', () => {
  const fingerprint = (workerSource: string) => {
    const worker = throwawayBundleDir();
    writeFileSync(join(worker, 'index.mjs'), workerSource);
    const { template } = synthApp({
      policyFile: policyFileWith('version: 1\n'),
      bundleDirs: { 'sweep-worker': worker },
    });
    return only(template, 'Custom::Trigger')[0]?.Properties.WorkerBundle as string;
  };

  it("changes the trigger's properties when the worker's bundle changes, and only then", () => {
    const before = fingerprint('export const handler = async () => 1;\n');
    expect(fingerprint('export const handler = async () => 1;\n')).toBe(before);
    expect(fingerprint('export const handler = async () => 2;\n')).not.toBe(before);
  });
});

describe('sweep in organization mode', () => {
  const { hubTemplate, spokeTemplate } = synthOrganization();
  const planner = allowed(hubTemplate, 'SweepPlannerRole');
  const worker = allowed(hubTemplate, 'SweepWorkerRole');

  it('lets the planner list the accounts and child OUs of the target OUs, nothing else of Organizations', () => {
    const listing = planner.filter((s) => actionsOf(s).some((action) => action.startsWith('organizations:')));
    expect(listing.map((s) => [actionsOf(s), s.Resource])).toEqual([
      [['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'], '*'],
    ]);
  });

  it('lets the worker assume the member role by name, in organization accounts only', () => {
    const [assume, ...others] = withAction(worker, 'sts:AssumeRole');
    expect(others).toEqual([]);
    expect(JSON.stringify(assume?.Resource)).toContain(':iam::*:role/warden-remediation');
    expect(assume?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } });
  });

  it('lets the member role list buckets and read the account summary for the sweep', () => {
    const sweepListing = memberRoleStatements(spokeTemplate).filter((s) => s.Sid === 'SweepListing');
    expect(sweepListing.map((s) => [actionsOf(s), s.Resource])).toEqual([
      [[...SPOKE_SWEEP_ACTIONS].sort(), '*'],
    ]);
  });
});

describe('organization mode with the sweep off', () => {
  const policyFile = organizationPolicy();
  appendFileSync(policyFile, 'sweep:\n  enabled: false\n');
  const { hubTemplate, spokeTemplate } = synthOrganization({ policyFile });

  it('does not trust a sweep worker with the member role, nor grant the sweep listing in members', () => {
    const [role] = only(spokeTemplate, 'AWS::IAM::Role').filter((r) => r.Properties.RoleName);
    const trust = JSON.stringify(role?.Properties.AssumeRolePolicyDocument);
    expect(trust).toContain('warden-s3-guard-role');
    expect(trust).not.toContain('sweep');
    const statements = memberRoleStatements(spokeTemplate);
    expect(
      statements.filter((s) => s.Sid === 'SweepListing' || actionsOf(s).includes('iam:GetAccountSummary')),
    ).toEqual([]);
    expect(JSON.stringify(hubTemplate.toJSON())).not.toMatch(/organizations:List/);
  });
});
