import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ensureCfnLint } from '../../cli/local/python-tools.ts';
import { logicalId } from './support/logical-id.ts';
import { resolvePseudo } from './support/resolve-template.ts';
import { allStatementsOf, type Statement, statementsOfRole } from './support/role-statements.ts';
import { policyFileWith, synthHub } from './support/synth-hub.ts';

const off = synthHub().template;
const enabled = synthHub({ policyFile: policyFileWith('version: 1\nsecurityHub:\n  enabled: true\n') });
const on = enabled.template;
const PRODUCT_ARN = 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default';

const mentionsSecurityHub = (statement: Statement) =>
  JSON.stringify(statement.Action).includes('securityhub:');

describe('Security Hub permissions', () => {
  it('are not granted while the policy leaves Security Hub off (the default)', () => {
    expect(allStatementsOf(off).filter(mentionsSecurityHub)).toEqual([]);
  });

  it.each(['S3GuardRole', 'RootGuardRole', 'TamperGuardFunctionRole', 'SweepWorkerRole'])(
    '%s may only BatchImportFindings, and only into the account default product of its region',
    (role) => {
      const statements = statementsOfRole(on, role).filter(mentionsSecurityHub);

      expect(statements).toEqual([
        {
          Sid: 'ImportSecurityHubFindings',
          Effect: 'Allow',
          Action: 'securityhub:BatchImportFindings',
          Resource: PRODUCT_ARN,
        },
      ]);
    },
  );

  it('is granted to every function that runs the guard pipeline (tamper-guard and the sweep worker too), and to no other', () => {
    const granted = Object.keys(on.findResources('AWS::IAM::Role')).filter((roleId) =>
      statementsOfRole(on, roleId).some(mentionsSecurityHub),
    );

    expect(granted.map((roleId) => roleId.replace(/Role[0-9A-F]{8}$/, '')).sort()).toEqual([
      'RootGuard',
      'S3Guard',
      'SweepWorker',
      'TamperGuardFunction',
    ]);
    expect(
      allStatementsOf(on)
        .filter(mentionsSecurityHub)
        .map((statement) => statement.Resource),
    ).toEqual(Array(granted.length).fill(PRODUCT_ARN));
  });

  it("lets the guards read and write only the findings ledger's partitions of the audit table", () => {
    const [ledger] = statementsOfRole(on, 'S3GuardRole').filter(
      (statement) => statement.Sid === 'SecurityHubFindingsLedger',
    );

    expect(ledger).toMatchObject({
      Action: ['dynamodb:PutItem', 'dynamodb:Query'],
      Resource: { 'Fn::GetAtt': [logicalId(on, 'AWS::DynamoDB::Table', 'StateAudit'), 'Arn'] },
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FINDING#*'] } },
    });
  });

  it.each(['s3-guard', 'root-guard', 'tamper-guard', 'sweep-worker'])(
    'alarms on the first finding %s failed to import',
    (service) => {
      const alarms = Object.values(on.findResources('AWS::CloudWatch::Alarm')).filter(
        (alarm) =>
          alarm.Properties.MetricName === 'FindingsImportFailures' &&
          JSON.stringify(alarm.Properties.Dimensions) ===
            JSON.stringify([{ Name: 'service', Value: service }]),
      );

      expect(alarms).toHaveLength(1);
      expect(alarms[0]?.Properties).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Statistic: 'Sum',
      });
      expect(alarms[0]?.Properties.AlarmActions).toHaveLength(1);
    },
  );
});

describe('the hub with Security Hub on', () => {
  it('reports no unsuppressed cdk-nag error or warning', () => {
    const annotations = Annotations.fromStack(enabled.hub);

    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-'))).toEqual([]);
  });

  it('passes cfn-lint', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'warden-cfn-')), 'hub.template.json');
    writeFileSync(file, JSON.stringify(on.toJSON()));

    const run = spawnSync(ensureCfnLint(), ['--format', 'parseable', '--regions', 'us-east-1', '--', file], {
      encoding: 'utf8',
    });

    // cfn-lint exit code bits: 2 = error, 4 = warning.
    expect(run.status === null ? -1 : run.status & 6, run.stdout + run.stderr).toBe(0);
  });
});

describe('the operations dashboard', () => {
  const dashboards = off.findResources('AWS::CloudWatch::Dashboard');
  const [dashboard] = Object.values(dashboards);
  const body = JSON.parse(String(resolvePseudo(dashboard?.Properties.DashboardBody))) as {
    widgets: { properties: { title?: string; metrics?: unknown[] } }[];
  };
  const widget = (title: string) => body.widgets.find((item) => item.properties.title?.startsWith(title));
  const metricsOf = (title: string) => JSON.stringify(widget(title)?.properties.metrics ?? []);

  it('is one dashboard named after the install', () => {
    expect(Object.keys(dashboards)).toHaveLength(1);
    expect(dashboard?.Properties.DashboardName).toBe('warden-operations');
  });

  it.each([
    ['Remediations per control', 'Remediations', 'control,service'],
    ['Findings per control', 'Violations', 'control,service'],
    ['Rejected events', 'EventsRejected', 'service'],
    ['Security Hub findings imported per control', 'FindingsImported', 'control,service'],
  ])('shows %s (a search over every guard and control)', (title, metric, dimensions) => {
    expect(metricsOf(title)).toContain(
      `SEARCH('{Warden,${dimensions}} MetricName=\\"${metric}\\"', 'Sum', 300)`,
    );
  });

  it('shows the event-to-fixed latency at p50 and p99', () => {
    const metrics = metricsOf('Event to fixed');

    expect(metrics).toContain(`MetricName=\\"EventToFixedMs\\"', 'p50', 300)`);
    expect(metrics).toContain(`MetricName=\\"EventToFixedMs\\"', 'p99', 300)`);
  });

  it("shows failures: repairs, Security Hub imports and every Warden function's errors", () => {
    const metrics = metricsOf('Failures');

    expect(metrics).toContain('RemediationFailures');
    expect(metrics).toContain('FindingsImportFailures');
    const wardenFunctions = Object.values(off.findResources('AWS::Lambda::Function')).filter((fn) =>
      String(fn.Properties.FunctionName).startsWith('warden-'),
    );
    expect(metrics.match(/"Errors"/g)).toHaveLength(wardenFunctions.length);
  });

  it('shows the depth of every dead-letter queue of the stack', () => {
    const queues = Object.keys(off.findResources('AWS::SQS::Queue')).filter(
      (id) => !/AlertQueue|SweepItems/.test(id),
    );

    expect(queues.length).toBeGreaterThanOrEqual(9);
    expect(metricsOf('Dead-letter queues').match(/ApproximateNumberOfMessagesVisible/g)).toHaveLength(
      queues.length,
    );
  });

  it('shows Slack delivery', () => {
    const metrics = metricsOf('Slack delivery');

    for (const name of [
      'SlackMessagesDelivered',
      'SlackDigestsDelivered',
      'SlackDeliveryFailures',
      'SlackDeliveryPermanentFailures',
    ])
      expect(metrics).toContain(`"${name}"`);
  });

  it("shows the sweep's results, drift and duration under service sweep-worker, which emits them", () => {
    const sweep = `${metricsOf('Sweep results')}${metricsOf('Drift')}${metricsOf('Sweep duration')}`;

    for (const name of [
      'SweepResourcesChecked',
      'SweepRepairs',
      'SweepFindings',
      'SweepFailures',
      'SweepDrift',
      'SweepDurationMs',
    ])
      expect(sweep).toContain(`"${name}","service","sweep-worker"`);
  });

  it('is output as a console URL and given to notify-slack, which links it in every alert', () => {
    const output = resolvePseudo(off.findOutputs('DashboardUrl').DashboardUrl?.Value);
    const notifySlack = Object.values(off.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Properties.FunctionName === 'warden-notify-slack',
    );

    expect(output).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/warden-operations',
    );
    expect(notifySlack?.Properties.Environment.Variables.WARDEN_DASHBOARD_NAME).toBe('warden-operations');
  });
});
