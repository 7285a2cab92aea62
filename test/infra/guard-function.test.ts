import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/config/env-names.ts';
import { FUNCTION_NAMES } from '#shared/config/names.ts';
import { arnOf, logicalId } from './support/logical-id.ts';
import { resolvePseudo } from './support/resolve-template.ts';
import { synthHub } from './support/synth-hub.ts';

const { template } = synthHub();
const functionId = logicalId(template, 'AWS::Lambda::Function', 'S3GuardFunction');
const fn = template.findResources('AWS::Lambda::Function')[functionId];
const variables = fn?.Properties.Environment.Variables as Record<string, unknown>;

describe('s3-guard function', () => {
  it('runs the esbuild bundle on Node 22, arm64', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'warden-s3-guard',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Role: arnOf(template, 'AWS::IAM::Role', 'S3GuardRole'),
    });
  });

  it('logs to an explicit log group kept for one year', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/warden-s3-guard',
      RetentionInDays: 365,
    });
    expect(fn?.Properties.LoggingConfig).toEqual({
      LogGroup: { Ref: logicalId(template, 'AWS::Logs::LogGroup', 'S3GuardLogs') },
    });
  });

  it('is configured for Powertools', () => {
    expect(variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 's3-guard',
      POWERTOOLS_METRICS_NAMESPACE: 'Warden',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it("gets every Warden resource it uses from the stack's own resources", () => {
    expect(variables).toMatchObject({
      [ENV.kmsKeyArn]: arnOf(template, 'AWS::KMS::Key', 'BucketKey'),
      [ENV.alertTopicArn]: { Ref: logicalId(template, 'AWS::SNS::Topic', 'AlertTopic') },
      [ENV.idempotencyTable]: { Ref: logicalId(template, 'AWS::DynamoDB::Table', 'StateIdempotency') },
      [ENV.auditTable]: { Ref: logicalId(template, 'AWS::DynamoDB::Table', 'StateAudit') },
    });
  });

  it('knows the session of every Warden function (role and function name), to ignore their events', () => {
    expect(resolvePseudo(variables[ENV.ownSessionArns])).toBe(
      FUNCTION_NAMES.map(
        (name) => `arn:aws:sts::123456789012:assumed-role/warden-${name}-role/warden-${name}`,
      ).join(','),
    );
    expect(String(resolvePseudo(variables[ENV.ownSessionArns]))).toContain(
      'arn:aws:sts::123456789012:assumed-role/warden-sweep-worker-role/warden-sweep-worker',
    );
  });

  it('only EventBridge rules of this account may invoke it', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(template, 'AWS::Lambda::Function', 'S3GuardFunction'),
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(template, 'AWS::Events::Rule', 'S3GuardEventsRule'),
    });
  });
});

describe('stack outputs', () => {
  it.each(['KmsKeyArn', 'AlertTopicArn', 'IdempotencyTableName', 'AuditTableName'])('exports %s', (name) => {
    expect(Object.keys(template.findOutputs(name))).toEqual([name]);
  });
});
