import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  ANY_KEY_OF_THE_ACCOUNT_FINDING,
  ANY_ROOT_USER_FINDING,
  EVERY_BUCKET_FINDING,
} from '../../infra/constructs/guard-function.ts';
import {
  ANY_TRAIL_OF_THE_ACCOUNT_FINDING,
  WARDEN_RULES_FINDING,
} from '../../infra/constructs/tamper-permissions.ts';
import { synthApp } from './support/synth-hub.ts';

const AWS_SOLUTIONS = Match.stringLikeRegexp('AwsSolutions-');
type Suppression = { id: string; reason: string; applies_to?: unknown[] };

function suppressionsOf(stack: Stack) {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Metadata?: Record<string, unknown> }
  >;
  return Object.entries(resources).flatMap(([resource, { Metadata }]) => {
    const nag = Metadata?.cdk_nag as { rules_to_suppress?: Suppression[] } | undefined;
    return (nag?.rules_to_suppress ?? []).map((rule) => ({ resource, ...rule }));
  });
}

describe.each([
  ['account unresolved, hub in us-east-1', { env: undefined, context: {} }],
  [
    'known account, hub in eu-west-1 watching three regions',
    {
      env: { account: '123456789012' },
      context: { homeRegion: 'eu-west-1', regions: 'eu-west-1,eu-central-1,us-east-1' },
    },
  ],
])('cdk-nag AwsSolutions pack, %s', (_name, options) => {
  const { hub, forwarders } = synthApp(options);
  const stacks = [hub, ...forwarders];
  const hubSuppressions = suppressionsOf(hub);
  const forwarderSuppressions = forwarders.flatMap(suppressionsOf);

  it.each(stacks.map((stack) => [stack.node.id, stack]))(
    '%s reports no unsuppressed error or warning',
    (_id, stack) => {
      const annotations = Annotations.fromStack(stack as Stack);
      expect(annotations.findError('*', AWS_SOLUTIONS)).toEqual([]);
      expect(annotations.findWarning('*', AWS_SOLUTIONS)).toEqual([]);
    },
  );

  it('suppresses only these rules in the hub', () => {
    expect([...new Set(hubSuppressions.map((s) => s.id))].sort()).toEqual([
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
    ]);
  });

  it('suppresses only the alarm-topic encryption and dead-letter rules in forwarders', () => {
    for (const suppression of forwarderSuppressions)
      expect(['AwsSolutions-SNS2', 'AwsSolutions-SQS3']).toContain(suppression.id);
  });

  it('justifies every suppression with a specific reason', () => {
    for (const suppression of [...hubSuppressions, ...forwarderSuppressions]) {
      expect(suppression.reason.length, `${suppression.resource} ${suppression.id}`).toBeGreaterThan(60);
    }
  });

  it('suppresses wildcard findings only for every bucket, the actions without resource type and Warden keys by alias, never role-wide', () => {
    const iam5 = hubSuppressions.filter((s) => s.id === 'AwsSolutions-IAM5');
    expect(iam5.length).toBeGreaterThan(0);
    for (const suppression of iam5) {
      expect([
        [{ regex: EVERY_BUCKET_FINDING }],
        ['Resource::*'],
        [{ regex: ANY_KEY_OF_THE_ACCOUNT_FINDING }],
        [{ regex: ANY_TRAIL_OF_THE_ACCOUNT_FINDING }],
        [{ regex: WARDEN_RULES_FINDING }],
      ]).toContainEqual(suppression.applies_to);
    }
    const wholeStar = iam5.filter((s) => JSON.stringify(s.applies_to) === '["Resource::*"]');
    // Account-level Block Public Access (s3-guard, sweep worker); bucket listing and account summary (worker).
    // tamper-guard: key aliases, bucket and trail listing.
    expect(wholeStar.every((s) => /^(S3Guard|SweepWorker|TamperGuardFunction)Role/.test(s.resource))).toBe(
      true,
    );
  });
});

describe.each([
  [
    'every-bucket',
    EVERY_BUCKET_FINDING,
    ['Resource::arn:<AWS::Partition>:s3:::*', 'Resource::arn:aws:s3:::*', 'Resource::arn:aws-us-gov:s3:::*'],
    ['Resource::arn:aws:s3:::*/*', 'Resource::*', 'Action::s3:*'],
  ],
  [
    'any-key-of-the-account',
    ANY_KEY_OF_THE_ACCOUNT_FINDING,
    [
      'Resource::arn:<AWS::Partition>:kms:*:<AWS::AccountId>:key/*',
      'Resource::arn:aws:kms:*:123456789012:key/*',
    ],
    [
      'Resource::arn:aws:kms:*:*:key/*',
      'Resource::*',
      'Action::kms:*',
      'Resource::arn:aws:kms:*:123456789012:*',
    ],
  ],
  [
    'any-root-user',
    ANY_ROOT_USER_FINDING,
    ['Resource::arn:<AWS::Partition>:iam::*:root', 'Resource::arn:aws:iam::*:root'],
    ['Resource::arn:aws:iam::*:role/x', 'Resource::*', 'Action::sts:*'],
  ],
])('%s finding', (_name, finding, covered, notCovered) => {
  const pattern = new RegExp(finding.slice(1, -1));

  it.each(covered)('covers %s', (text) => {
    expect(pattern.test(text)).toBe(true);
  });

  it.each(notCovered)('does not cover %s', (text) => {
    expect(pattern.test(text)).toBe(false);
  });
});
