import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import type { Severity } from '#shared/contracts/controls.ts';
import type { ControlOutcome, OutcomeStatus } from '#shared/contracts/outcomes.ts';
import { type CatalogueEntry, controlCatalogue } from '#shared/controls/catalogue.ts';
import { ACCOUNT_CONTROLS, BUCKET_CONTROLS } from '#shared/controls/registry.ts';
import { ROOT_CONTROLS } from '#shared/controls/root-registry.ts';
import {
  type FindingInput,
  findingIdOf,
  findingScopeOf,
  productArnOf,
  toFinding,
} from '#shared/securityhub/finding.ts';

const HOME = { partition: 'aws', region: 'eu-west-1', accountId: '123456789012' };
const NOW = new Date('2026-12-04T10:00:00.000Z');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const TYPE = /^[^/]+\/[^/]+(\/[^/]+)?$/;

const ACCOUNT_CONTROL_IDS = new Set<string>(ACCOUNT_CONTROLS.map((control) => control.id));

/** The resource type and name a guard describes a control's subject by (the guards' `describe`). */
function subjectOf(entry: CatalogueEntry): { resourceType: string; resource: string; asffType: string } {
  if (entry.guard === 'root-guard')
    return {
      resourceType: 'AWS::IAM::RootUser',
      resource: 'arn:aws:iam::123456789012:root',
      asffType: 'AwsAccount',
    };
  if (entry.guard === 's3-guard')
    return ACCOUNT_CONTROL_IDS.has(entry.id)
      ? { resourceType: 'AWS::::Account', resource: 'account 123456789012', asffType: 'AwsAccount' }
      : { resourceType: 'AWS::S3::Bucket', resource: 'my-bucket', asffType: 'AwsS3Bucket' };
  if (entry.id.startsWith('kms-'))
    return {
      resourceType: 'AWS::KMS::Key',
      resource: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      asffType: 'AwsKmsKey',
    };
  if (entry.id.startsWith('cloudtrail-'))
    return {
      resourceType: 'AWS::CloudTrail::Trail',
      resource: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-trail',
      asffType: 'AwsCloudTrailTrail',
    };
  return {
    resourceType: 'AWS::Events::Rule',
    resource: 'arn:aws:events:eu-west-1:123456789012:rule/warden-s3-guard',
    asffType: 'Other',
  };
}

/** Every control of every registry (the catalogue reads them all), with the subject its guard describes. */
const CONTROLS = controlCatalogue().map((entry) => ({
  control: { ...entry, id: entry.id as ControlOutcome['controlId'], severity: entry.severity as Severity },
  ...subjectOf(entry),
}));

function outcomeOf(
  control: {
    id: ControlOutcome['controlId'];
    title: string;
    severity: ControlOutcome['severity'];
    compliance: readonly string[];
  },
  resource: string,
  status: OutcomeStatus,
): ControlOutcome {
  return {
    controlId: control.id,
    title: control.title,
    severity: control.severity,
    compliance: control.compliance,
    resource,
    status,
    reason: `${control.title}: ${'x'.repeat(2_000)}`,
    actions: status === 'REMEDIATED' ? ['Put something right'] : [],
  };
}

function inputOf(
  outcome: ControlOutcome,
  resourceType: string,
  overrides: Partial<FindingInput> = {},
): FindingInput {
  return {
    outcome,
    resourceType,
    accountId: '123456789012',
    region: 'eu-west-1',
    eventId: 'event-1',
    eventName: 'PutBucketPolicy',
    observedAt: '2026-12-04T09:59:58Z',
    resolved: false,
    ...overrides,
  };
}

/** The ASFF rules BatchImportFindings enforces on what Warden sends (Security Hub API reference). */
function asffProblems(finding: AwsSecurityFinding): string[] {
  const problems: string[] = [];
  const required = [
    'SchemaVersion',
    'Id',
    'ProductArn',
    'GeneratorId',
    'AwsAccountId',
    'CreatedAt',
    'UpdatedAt',
    'Title',
    'Description',
  ] as const;
  for (const field of required) if (!finding[field]) problems.push(`${field} missing`);
  if (finding.SchemaVersion !== '2018-10-08') problems.push('SchemaVersion');
  if ((finding.Id ?? '').length > 512) problems.push('Id over 512');
  if (!/^\d{12}$/.test(finding.AwsAccountId ?? '')) problems.push('AwsAccountId');
  if ((finding.Types ?? []).length === 0 || !finding.Types?.every((type) => TYPE.test(type)))
    problems.push('Types');
  for (const time of [finding.CreatedAt, finding.UpdatedAt, finding.FirstObservedAt, finding.LastObservedAt])
    if (!ISO.test(time ?? '')) problems.push(`time ${time}`);
  if (!['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].includes(finding.Severity?.Label ?? ''))
    problems.push('Severity');
  if ((finding.Title ?? '').length > 256) problems.push('Title over 256');
  if ((finding.Description ?? '').length > 1024) problems.push('Description over 1024');
  if ((finding.Remediation?.Recommendation?.Text ?? '').length > 512)
    problems.push('Recommendation over 512');
  if ((finding.Note?.Text ?? '').length > 512) problems.push('Note over 512');
  if (finding.Resources?.length !== 1 || !finding.Resources[0]?.Type || !finding.Resources[0]?.Id)
    problems.push('Resources');
  if (!['PASSED', 'FAILED'].includes(finding.Compliance?.Status ?? '')) problems.push('Compliance.Status');
  if ((finding.Compliance?.RelatedRequirements ?? []).length > 32) problems.push('RelatedRequirements');
  if (Object.keys(finding.ProductFields ?? {}).length > 50) problems.push('ProductFields');
  return problems;
}

describe('toFinding: every control maps to a valid ASFF finding', () => {
  const cases = CONTROLS.flatMap((subject) =>
    (['REMEDIATED', 'DETECTED', 'FAILED', 'ALREADY_COMPLIANT'] as const).map(
      (status) => [subject.control.id, status, subject] as const,
    ),
  );

  it('covers every registry: bucket, account, root and tamper controls', () => {
    expect(new Set(controlCatalogue().map((entry) => entry.guard))).toEqual(
      new Set(['s3-guard', 'root-guard', 'tamper-guard']),
    );
  });

  it.each(cases)('%s %s', (_id, status, { control, resourceType, resource, asffType }) => {
    const finding = toFinding(inputOf(outcomeOf(control, resource, status), resourceType), HOME, NOW);

    expect(asffProblems(finding)).toEqual([]);
    expect(finding.Resources?.[0]?.Type).toBe(asffType);
    expect(finding.GeneratorId).toBe(`warden/${control.id}`);
    expect(finding.Compliance?.RelatedRequirements).toEqual(control.compliance);
    expect(finding.ProductFields?.['warden/ActionId']).toBe(`event-1:${control.id}`);
    expect(finding.Note?.Text).toContain(`event-1:${control.id}`);
  });

  it.each(
    CONTROLS.map(
      ({ control, resourceType, resource }) => [control.id, control, resourceType, resource] as const,
    ),
  )('%s carries its Security Hub control id when it names one', (_id, control, resourceType, resource) => {
    const named = control.compliance
      .map((id) => /^Security Hub ([A-Za-z0-9]+\.\d+)/.exec(id)?.[1])
      .find(Boolean);
    const finding = toFinding(inputOf(outcomeOf(control, resource, 'DETECTED'), resourceType), HOME, NOW);

    expect(finding.Compliance?.SecurityControlId).toBe(named);
    if (named)
      expect(finding.Types).toContain(
        'Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices',
      );
  });
});

describe('toFinding: identity', () => {
  const [encryption] = BUCKET_CONTROLS;
  const outcome = (status: OutcomeStatus) => outcomeOf(encryption as never, 'my-bucket', status);

  it('gives the same id for the same account, region, resource and control, whatever the event or status', () => {
    const first = toFinding(inputOf(outcome('DETECTED'), 'AWS::S3::Bucket'), HOME, NOW);
    const later = toFinding(
      inputOf(outcome('REMEDIATED'), 'AWS::S3::Bucket', {
        eventId: 'event-2',
        eventName: 'WardenSweep',
        resolved: true,
      }),
      HOME,
      new Date('2026-12-05T00:00:00Z'),
    );

    expect(later.Id).toBe(first.Id);
  });

  it.each([
    ['another region', { region: 'us-east-2' }],
    ['another account', { accountId: '210987654321' }],
  ])('gives another id in %s', (_name, overrides) => {
    const first = toFinding(inputOf(outcome('DETECTED'), 'AWS::S3::Bucket'), HOME, NOW);
    const other = toFinding(inputOf(outcome('DETECTED'), 'AWS::S3::Bucket', overrides), HOME, NOW);

    expect(other.Id).not.toBe(first.Id);
  });

  it('gives another id for another control on the same bucket', () => {
    const [, publicAccess] = BUCKET_CONTROLS;
    const a = toFinding(inputOf(outcome('DETECTED'), 'AWS::S3::Bucket'), HOME, NOW);
    const b = toFinding(
      inputOf(outcomeOf(publicAccess as never, 'my-bucket', 'DETECTED'), 'AWS::S3::Bucket'),
      HOME,
      NOW,
    );

    expect(b.Id).not.toBe(a.Id);
  });

  it('gives account-wide resources one id whichever region the event came from', () => {
    const [root] = ROOT_CONTROLS;
    const rootOutcome = outcomeOf(root as never, 'arn:aws:iam::123456789012:root', 'DETECTED');
    const east = toFinding(inputOf(rootOutcome, 'AWS::IAM::RootUser', { region: 'us-east-1' }), HOME, NOW);
    const west = toFinding(inputOf(rootOutcome, 'AWS::IAM::RootUser', { region: 'us-west-2' }), HOME, NOW);

    expect(west.Id).toBe(east.Id);
    expect(east.Id).toBe(
      findingIdOf(
        findingScopeOf({
          resourceType: 'AWS::IAM::RootUser',
          accountId: '123456789012',
          region: 'x',
          resource: 'arn:aws:iam::123456789012:root',
        }),
        'root-access-key',
      ),
    );
  });

  it('imports into the account default product of the home region and partition', () => {
    const finding = toFinding(
      inputOf(outcome('DETECTED'), 'AWS::S3::Bucket'),
      { ...HOME, partition: 'aws-cn', region: 'cn-north-1' },
      NOW,
    );

    expect(finding.ProductArn).toBe(
      'arn:aws-cn:securityhub:cn-north-1:123456789012:product/123456789012/default',
    );
    expect(productArnOf(HOME)).toBe(
      'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default',
    );
    expect(finding.Resources).toEqual([
      { Type: 'AwsS3Bucket', Id: 'arn:aws-cn:s3:::my-bucket', Partition: 'aws-cn', Region: 'eu-west-1' },
    ]);
  });
});

describe('toFinding: status', () => {
  const [encryption] = BUCKET_CONTROLS;

  it.each([
    [
      'opens a violation: FAILED, NEW, ACTIVE, at its severity',
      'DETECTED',
      false,
      ['FAILED', 'NEW', 'ACTIVE', 'HIGH'],
    ],
    [
      'resolves a compliant or repaired resource: PASSED, RESOLVED, ARCHIVED, informational',
      'ALREADY_COMPLIANT',
      true,
      ['PASSED', 'RESOLVED', 'ARCHIVED', 'INFORMATIONAL'],
    ],
  ] as const)('%s', (_name, status, resolved, [compliance, workflow, recordState, label]) => {
    const input = inputOf(outcomeOf(encryption as never, 'b', status), 'AWS::S3::Bucket', { resolved });

    expect(toFinding(input, HOME, NOW)).toMatchObject({
      Compliance: { Status: compliance },
      Workflow: { Status: workflow },
      RecordState: recordState,
      Severity: { Label: label, Original: 'HIGH' },
    });
  });

  it('keeps the first import time as CreatedAt across updates', () => {
    const finding = toFinding(
      inputOf(outcomeOf(encryption as never, 'b', 'REMEDIATED'), 'AWS::S3::Bucket', {
        createdAt: '2026-11-01T00:00:00.000Z',
      }),
      HOME,
      NOW,
    );

    expect(finding.CreatedAt).toBe('2026-11-01T00:00:00.000Z');
    expect(finding.UpdatedAt).toBe(NOW.toISOString());
    expect(finding.Remediation?.Recommendation?.Text).toBe(
      'Warden repaired it. Actions: Put something right.',
    );
  });
});
