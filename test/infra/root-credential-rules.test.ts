import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ROOT_GUARD_EVENT_PATTERNS } from '#shared/events/root-event-patterns.ts';
import { matchEvents } from './support/event-pattern-matcher.ts';
import { arnOf, logicalId } from './support/logical-id.ts';
import { synthApp } from './support/synth-hub.ts';

/*
 * root-guard's root MFA and root password rule (IAM events exist only in us-east-1), and the access the
 * guards need for their fight state (shared/audit/fight-store.ts: the idempotency table).
 */
const { template, forwarderTemplates } = synthApp({ env: { account: '123456789012', region: 'us-east-1' } });
const PATTERN = JSON.parse(JSON.stringify(ROOT_GUARD_EVENT_PATTERNS.rootCredentialChanged));

type Rule = { Properties: { EventPattern: unknown; Targets: Array<{ Arn: unknown }>; Name?: string } };
const rulesWith = (source: Template, pattern: unknown): Rule[] =>
  (Object.values(source.findResources('AWS::Events::Rule')) as Rule[]).filter(
    (rule) => JSON.stringify(rule.Properties.EventPattern) === JSON.stringify(pattern),
  );
const sample = (file: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../events/iam', file), 'utf8')) as {
    detail: Record<string, unknown>;
  };

describe('root credential rule', () => {
  it('is in the us-east-1 hub, targeting root-guard', () => {
    const rules = rulesWith(template, PATTERN);

    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: arnOf(template, 'AWS::Lambda::Function', 'RootGuardFunction') }),
    ]);
  });

  it('is forwarded from us-east-1 when the hub is elsewhere, and only from there', () => {
    const elsewhere = synthApp({
      env: { account: '123456789012', region: 'eu-west-1' },
      context: { regions: 'eu-west-1,eu-central-1' },
    });

    expect(rulesWith(elsewhere.template, PATTERN)).toHaveLength(1);
    const forwarded = Object.entries(elsewhere.forwarderTemplates).filter(
      ([, forwarder]) => rulesWith(forwarder, PATTERN).length > 0,
    );
    expect(forwarded.map(([region]) => region)).toEqual(['us-east-1']);
    expect(rulesWith(forwarded[0]?.[1] as Template, PATTERN)[0]?.Properties.Name).toBe(
      'warden-forward-root-credential-changed',
    );
    expect(forwarderTemplates).toBeDefined();
  });

  it('matches the root user’s own MFA and password changes, not an IAM user’s nor failed calls', () => {
    const failed = sample('root-deactivate-mfa-device.json');
    failed.detail.errorCode = 'NoSuchEntity';

    expect(
      matchEvents(PATTERN, [
        sample('root-deactivate-mfa-device.json'),
        sample('root-delete-virtual-mfa-device.json'),
        sample('root-create-login-profile-member.json'),
        sample('iam-admin-deactivate-user-mfa-device.json'),
        failed,
        sample('root-create-access-key.json'),
      ]),
    ).toEqual([true, true, true, false, false, false]);
  });
});

describe('fight state access', () => {
  type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
  const statementsOf = (rolePrefix: string): Statement[] => {
    const roleId = logicalId(template, 'AWS::IAM::Role', rolePrefix);
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => statement.Effect === 'Allow');
  };
  const actionsOn = (rolePrefix: string, table: unknown) =>
    statementsOf(rolePrefix)
      .filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(table))
      .flatMap((statement) => [statement.Action].flat())
      .sort();
  const idempotency = arnOf(template, 'AWS::DynamoDB::Table', 'StateIdempotency');
  const audit = arnOf(template, 'AWS::DynamoDB::Table', 'StateAudit');

  it.each(['S3GuardRole', 'RootGuardRole', 'TamperGuardFunctionRole'])(
    '%s reads and conditionally writes its fight state in the idempotency table (no new grant)',
    (role) => {
      expect(actionsOn(role, idempotency)).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']),
      );
      expect(actionsOn(role, idempotency)).not.toContain('dynamodb:Query');
    },
  );

  it('leaves root-guard append-only on the audit table (fight records are appended like any other)', () => {
    expect(actionsOn('RootGuardRole', audit)).toEqual(['dynamodb:PutItem']);
  });
});
