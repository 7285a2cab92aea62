import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionSessionArns, resourceNames } from '#shared/config/names.ts';
import { S3_GUARD_EVENT_NAMES } from '#shared/controls/registry.ts';
import { matchEvents } from './support/event-pattern-matcher.ts';
import { logicalId } from './support/logical-id.ts';
import { resolvePseudo } from './support/resolve-template.ts';
import { synthHub } from './support/synth-hub.ts';

const { template } = synthHub();
const rules = Object.values(template.findResources('AWS::Events::Rule'));
const s3Rule =
  template.findResources('AWS::Events::Rule')[logicalId(template, 'AWS::Events::Rule', 'S3GuardEvents')];
const pattern = resolvePseudo(s3Rule?.Properties.EventPattern) as {
  detail: Record<string, unknown> & { $or: unknown[] };
  [key: string]: unknown;
};
const OWN_ROLE = 'arn:aws:iam::123456789012:role/warden-s3-guard-role';
/** What CloudTrail records for s3-guard's calls: the role session Lambda names after the function. */
const OWN_SESSION = 'arn:aws:sts::123456789012:assumed-role/warden-s3-guard-role/warden-s3-guard';

type CloudTrailEvent = { detail: Record<string, unknown> & { userIdentity: Record<string, unknown> } };
const S3_EVENTS_DIR = join(import.meta.dirname, '../../events/s3');
const loadEvent = (file: string): CloudTrailEvent =>
  JSON.parse(readFileSync(join(S3_EVENTS_DIR, file), 'utf8')) as CloudTrailEvent;
const withCaller = (userIdentity: Record<string, unknown>): CloudTrailEvent => {
  const event = loadEvent('delete-bucket-encryption.json');
  event.detail.userIdentity = userIdentity;
  return event;
};

describe('s3-guard EventBridge rule', () => {
  it('is on the default bus, like every hub rule (forwarded events arrive there too)', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.Properties.EventBusName).toBeUndefined();
  });

  it('selects successful S3 API calls recorded by CloudTrail for the guarded event names', () => {
    expect(pattern.source).toEqual(['aws.s3']);
    expect(pattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
    expect(pattern.detail.eventSource).toEqual(['s3.amazonaws.com']);
    expect(pattern.detail.eventName).toEqual([...S3_GUARD_EVENT_NAMES]);
    expect(pattern.detail.errorCode).toEqual([{ exists: false }]);
  });

  it('uses CloudTrail event names, not SDK operation names', () => {
    expect(S3_GUARD_EVENT_NAMES).toContain('PutBucketPublicAccessBlock');
    expect(S3_GUARD_EVENT_NAMES).not.toContain('PutPublicAccessBlock');
  });

  it("excludes exactly the sessions of Warden's functions, but keeps callers that have no ARN", () => {
    expect(pattern.detail.$or).toEqual([
      { userIdentity: { arn: [{ exists: false }] } },
      {
        userIdentity: {
          arn: [
            {
              // Every Warden function's session, s3-guard's among them.
              'anything-but': functionSessionArns(resourceNames(), {
                partition: 'aws',
                accountId: '123456789012',
              }),
            },
          ],
        },
      },
    ]);
  });
});

describe('s3-guard rule pattern, evaluated by the EventBridge matcher in moto', () => {
  it('matches exactly the sample events of guarded names that succeeded and were not made by Warden', () => {
    const files = readdirSync(S3_EVENTS_DIR).filter((file) => file.endsWith('.json'));
    const events = files.map(loadEvent);
    const guarded = new Set<string>(S3_GUARD_EVENT_NAMES);
    const expected = events.map(
      ({ detail }) =>
        guarded.has(detail.eventName as string) &&
        detail.errorCode === undefined &&
        detail.userIdentity.arn !== OWN_SESSION,
    );
    expect(expected.filter(Boolean).length).toBeGreaterThan(5);
    const matched = matchEvents(pattern, events);
    const byFile = (values: boolean[]) =>
      Object.fromEntries(files.map((file, index) => [file, values[index]]));
    expect(byFile(matched)).toEqual(byFile(expected));
  });

  it("ignores Warden's own remediation", () => {
    expect(matchEvents(pattern, [loadEvent('put-bucket-encryption-by-warden.json')])).toEqual([false]);
  });

  it("matches a change by Warden's role under another session: someone else's function", () => {
    const event = loadEvent('put-bucket-encryption-by-warden.json');
    event.detail.userIdentity.arn =
      'arn:aws:sts::123456789012:assumed-role/warden-s3-guard-role/their-function';
    expect(
      (event.detail.userIdentity.sessionContext as { sessionIssuer: { arn: string } }).sessionIssuer.arn,
    ).toBe(OWN_ROLE);

    expect(matchEvents(pattern, [event])).toEqual([true]);
  });

  it('ignores failed calls', () => {
    expect(matchEvents(pattern, [loadEvent('delete-bucket-encryption-failed-call.json')])).toEqual([false]);
  });

  it('matches Root, IAM users and AWS services, which carry no session issuer', () => {
    const callers = [
      withCaller({ type: 'Root', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' }),
      withCaller({ type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice', userName: 'alice' }),
      withCaller({ type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' }),
      withCaller({ type: 'Root', sessionContext: { attributes: { mfaAuthenticated: 'true' } } }),
    ];
    expect(matchEvents(pattern, callers)).toEqual([true, true, true, true]);
  });

  it('would lose callers without an ARN with anything-but alone, which is why the pattern uses $or', () => {
    const { $or, ...detail } = pattern.detail;
    const anythingButOnly = $or[1] as { userIdentity: unknown };
    const naive = { ...pattern, detail: { ...detail, userIdentity: anythingButOnly.userIdentity } };
    const service = withCaller({ type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' });
    expect(matchEvents(naive, [service])).toEqual([false]);
    expect(matchEvents(pattern, [service])).toEqual([true]);
  });

  it('ignores event names outside the list', () => {
    const event = loadEvent('delete-bucket-encryption.json');
    event.detail.eventName = 'PutBucketLogging';
    expect(matchEvents(pattern, [event])).toEqual([false]);
  });
});
