import { describe, expect, it } from 'vitest';
import { cloudtrailLogging } from '#shared/controls/cloudtrail-logging.ts';
import { cloudtrailManagementEvents } from '#shared/controls/cloudtrail-management-events.ts';
import { cloudtrailTrailDeleted } from '#shared/controls/cloudtrail-trail-deleted.ts';
import type { EvaluationContext } from '#shared/controls/types.ts';
import { wardenRuleEnabled } from '#shared/controls/warden-rule-enabled.ts';
import { wardenRuleIntact } from '#shared/controls/warden-rule-intact.ts';
import { type RuleState, restoreStepFor } from '#shared/model/event-rule.ts';
import type { TrailSelectors, TrailState } from '#shared/model/trail.ts';
import { ACCOUNT_ID, makePolicy, WARDEN_KEY_ARN } from '../../fixtures.ts';

const context: EvaluationContext = {
  policy: makePolicy(),
  wardenKmsKeyArn: WARDEN_KEY_ARN,
  accountId: ACCOUNT_ID,
  region: 'us-east-1',
};
const ALL: TrailSelectors = { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] };
const DATA_ONLY: TrailSelectors = {
  EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }],
};

const trail = (overrides: Partial<TrailState> = {}): TrailState => ({
  name: 'management-events',
  arn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT_ID}:trail/management-events`,
  exists: true,
  protected: true,
  isLogging: true,
  selectors: ALL,
  ...overrides,
});

describe('cloudtrail-logging', () => {
  it('is compliant while the trail logs', () => {
    expect(cloudtrailLogging.check(trail(), context)).toBeUndefined();
  });

  it('starts a stopped protected trail, by name', () => {
    const state = trail({ isLogging: false });
    const finding = cloudtrailLogging.check(state, context);

    expect(finding?.summary).toContain('stopped logging');
    expect(cloudtrailLogging.fix(finding as never, state, context)).toEqual({
      actions: [{ type: 'StartLogging', trail: 'management-events' }],
    });
  });

  it('leaves a trail the policy does not protect', () => {
    expect(cloudtrailLogging.check(trail({ isLogging: false, protected: false }), context)).toBeUndefined();
  });
});

describe('cloudtrail-management-events', () => {
  it.each([
    ['basic selectors with management events', ALL],
    ['no selectors (CloudTrail default)', {}],
    [
      'an advanced management selector',
      { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] },
    ],
  ])('is compliant with %s', (_label, selectors) => {
    expect(cloudtrailManagementEvents.check(trail({ selectors }), context)).toBeUndefined();
  });

  it.each([
    ['management events off', DATA_ONLY],
    [
      'read-only management events',
      { EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] },
    ],
    [
      'an advanced selector for reads only',
      {
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'readOnly', Equals: ['true'] },
            ],
          },
        ],
      },
    ],
  ])('finds %s', (_label, selectors) => {
    expect(cloudtrailManagementEvents.check(trail({ selectors }), context)).toBeDefined();
  });

  it('restores the last-known-good selectors', () => {
    const state = trail({
      selectors: DATA_ONLY,
      baselineSelectors: { selectors: ALL, observedAt: '2026-11-20T10:00:00.000Z', eventId: 'e-1' },
    });

    const plan = cloudtrailManagementEvents.fix(
      cloudtrailManagementEvents.check(state, context) as never,
      state,
      context,
    );

    expect(plan).toEqual({
      actions: [{ type: 'PutEventSelectors', trail: 'management-events', selectors: ALL }],
    });
  });

  it('refuses to invent selectors without a last-known-good copy (an unsafe fix)', () => {
    const state = trail({ selectors: DATA_ONLY, baselineSelectors: null });

    const plan = cloudtrailManagementEvents.fix(
      cloudtrailManagementEvents.check(state, context) as never,
      state,
      context,
    );

    expect(plan).toHaveProperty('blocked');
  });
});

describe('cloudtrail-trail-deleted (detect only)', () => {
  it('is silent while the trail exists', () => {
    expect(cloudtrailTrailDeleted.check(trail(), context)).toBeUndefined();
  });

  it('says Warden is blind when no other trail logs', () => {
    const finding = cloudtrailTrailDeleted.check(trail({ exists: false, otherLoggingTrails: [] }), context);

    expect(finding?.summary).toContain('No other trail');
    expect(finding?.summary).toContain('warden doctor');
  });

  it('names the trails that still log', () => {
    const finding = cloudtrailTrailDeleted.check(
      trail({ exists: false, otherLoggingTrails: ['org-trail'] }),
      context,
    );

    expect(finding?.summary).toContain('org-trail still log');
  });

  it('can only report: the fix is refused', () => {
    const state = trail({ exists: false });

    expect(
      cloudtrailTrailDeleted.fix(cloudtrailTrailDeleted.check(state, context) as never, state, context),
    ).toHaveProperty('blocked');
  });
});

const rule = (overrides: Partial<RuleState> = {}): RuleState => ({
  name: 'warden-tamper-kms',
  arn: `arn:aws:events:us-east-1:${ACCOUNT_ID}:rule/warden-tamper-kms`,
  exists: true,
  state: 'ENABLED',
  targetArns: ['arn:aws:lambda:us-east-1:123456789012:function:warden-tamper-guard'],
  change: 'DisableRule',
  restoreStep: restoreStepFor('warden-tamper-kms', {
    prefix: 'warden',
    accountId: ACCOUNT_ID,
    region: 'us-east-1',
  }),
  ...overrides,
});

describe('warden-rule-enabled', () => {
  it('is compliant while the rule is enabled', () => {
    expect(wardenRuleEnabled.check(rule(), context)).toBeUndefined();
  });

  it('enables a disabled rule again', () => {
    const state = rule({ state: 'DISABLED' });

    const plan = wardenRuleEnabled.fix(wardenRuleEnabled.check(state, context) as never, state, context);

    expect(plan).toEqual({ actions: [{ type: 'EnableRule', rule: 'warden-tamper-kms' }] });
  });

  it('has nothing to enable once the rule is deleted', () => {
    expect(wardenRuleEnabled.check(rule({ exists: false, change: 'DeleteRule' }), context)).toBeUndefined();
  });
});

describe('warden-rule-intact (detect only)', () => {
  it('is silent for a disable, which warden-rule-enabled repairs', () => {
    expect(wardenRuleIntact.check(rule({ state: 'DISABLED' }), context)).toBeUndefined();
  });

  it.each([
    ['a deleted rule', rule({ exists: false, change: 'DeleteRule' }), 'was deleted'],
    ['removed targets', rule({ change: 'RemoveTargets', targetArns: [] }), 'delivers to nothing'],
    ['a rewritten pattern', rule({ change: 'PutRule' }), 'rewritten'],
  ])('reports %s with the step that restores it', (_label, state, words) => {
    const finding = wardenRuleIntact.check(state, context);

    expect(finding?.summary).toContain(words);
    expect(finding?.summary).toContain('npx cdk deploy WardenHub');
    expect(wardenRuleIntact.fix(finding as never, state, context)).toHaveProperty('blocked');
  });

  it.each([
    ['warden-forward-s3', 'npx cdk deploy WardenForwarder-us-east-1'],
    ['warden-spoke-s3', 'update-stack-instances --stack-set-name warden-spokes'],
    ['warden-hub-S3GuardEventsRule4B1C-1A2B', 'npx cdk deploy WardenHub'],
  ])('names the deployment of %s', (name, step) => {
    expect(restoreStepFor(name, { prefix: 'warden', accountId: ACCOUNT_ID, region: 'us-east-1' })).toContain(
      step,
    );
  });
});
