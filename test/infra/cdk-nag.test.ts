import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthHub } from './support/synth-hub.ts';

const { hub, template } = synthHub();
const annotations = Annotations.fromStack(hub);
const AWS_SOLUTIONS = Match.stringLikeRegexp('AwsSolutions-');

type Suppression = { id: string; reason: string; applies_to?: string[] };
const suppressions = Object.entries(
  template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>,
).flatMap(([resource, { Metadata }]) => {
  const rules =
    (Metadata?.cdk_nag as { rules_to_suppress?: Suppression[] } | undefined)?.rules_to_suppress ?? [];
  return rules.map((rule) => ({ resource, ...rule }));
});

describe('cdk-nag AwsSolutions pack', () => {
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
      expect(suppression.applies_to).toEqual(['Resource::arn:<AWS::Partition>:s3:::*']);
    }
  });
});
