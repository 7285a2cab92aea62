import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EVERY_BUCKET_FINDING } from '../../infra/constructs/guard-function.ts';
import { synthHub } from './support/synth-hub.ts';

const AWS_SOLUTIONS = Match.stringLikeRegexp('AwsSolutions-');
type Suppression = { id: string; reason: string; applies_to?: unknown[] };

describe.each([
  ['environment-agnostic', undefined],
  ['deployed to a known account and region', { account: '123456789012', region: 'eu-west-1' }],
])('cdk-nag AwsSolutions pack, %s', (_name, env) => {
  const { hub, template } = synthHub({ env });
  const annotations = Annotations.fromStack(hub);
  const resources = template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>;
  const suppressions = Object.entries(resources).flatMap(([resource, { Metadata }]) => {
    const nag = Metadata?.cdk_nag as { rules_to_suppress?: Suppression[] } | undefined;
    return (nag?.rules_to_suppress ?? []).map((rule) => ({ resource, ...rule }));
  });

  it('reports no unsuppressed error', () => {
    expect(annotations.findError('*', AWS_SOLUTIONS)).toEqual([]);
  });

  it('reports no unsuppressed warning', () => {
    expect(annotations.findWarning('*', AWS_SOLUTIONS)).toEqual([]);
  });

  it('suppresses only these rules', () => {
    expect([...new Set(suppressions.map((s) => s.id))].sort()).toEqual([
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-SQS3',
    ]);
  });

  it('justifies every suppression with a specific reason', () => {
    for (const suppression of suppressions) {
      expect(suppression.reason.length, `${suppression.resource} ${suppression.id}`).toBeGreaterThan(60);
    }
  });

  it('suppresses the wildcard finding only for the every-bucket resource, not for the whole role', () => {
    const iam5 = suppressions.filter((s) => s.id === 'AwsSolutions-IAM5');
    expect(iam5.length).toBeGreaterThan(0);
    for (const suppression of iam5) {
      expect(suppression.applies_to).toEqual([{ regex: EVERY_BUCKET_FINDING }]);
    }
  });
});

describe('every-bucket finding', () => {
  const pattern = new RegExp(EVERY_BUCKET_FINDING.slice(1, -1));

  it.each([
    'Resource::arn:<AWS::Partition>:s3:::*',
    'Resource::arn:aws:s3:::*',
    'Resource::arn:aws-us-gov:s3:::*',
  ])('covers %s', (finding) => {
    expect(pattern.test(finding)).toBe(true);
  });

  it.each(['Resource::arn:aws:s3:::*/*', 'Resource::*', 'Action::s3:*'])('does not cover %s', (finding) => {
    expect(pattern.test(finding)).toBe(false);
  });
});
