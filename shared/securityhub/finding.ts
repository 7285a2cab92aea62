import type { AwsSecurityFinding, Partition, Resource } from '@aws-sdk/client-securityhub';
import type { ControlOutcome } from '#shared/contracts/outcomes.ts';

/**
 * One Warden outcome as an AWS Security Finding Format (ASFF) finding, for BatchImportFindings. Pure:
 * the adapter (./importer.ts) sends what this returns. The SDK is imported for its types only.
 */

export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** Security Hub keeps a finding 90 days after its last update; the ledger forgets it then too. */
export const FINDING_RETENTION_DAYS = 90;
/** Where the findings are imported: the hub's own account and region (Security Hub is regional). */
export interface FindingsHome {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** What the finding is about and what Warden did: the outcome, its resource, and the call behind it. */
export interface FindingInput {
  readonly outcome: ControlOutcome;
  /** The audit identity of the resource (shared/guard/record.ts Subject). */
  readonly resourceType: string;
  readonly accountId: string;
  /** The resource's region: the call's. */
  readonly region: string;
  readonly eventId: string;
  readonly eventName: string;
  /** CloudTrail's `eventTime` (or the sweep's time). */
  readonly observedAt: string;
  /** True when the violation is over: repaired, or the resource is compliant again. */
  readonly resolved: boolean;
  /** When the finding was first imported (kept across updates), else now. */
  readonly createdAt?: string;
}

export const productArnOf = (home: FindingsHome): string =>
  `arn:${home.partition}:securityhub:${home.region}:${home.accountId}:product/${home.accountId}/default`;

/** Account-wide resources (the account's S3 settings, the root user) have no region of their own. */
const GLOBAL_RESOURCE_TYPES: ReadonlySet<string> = new Set(['AWS::::Account', 'AWS::IAM::RootUser']);

/** Which resource a finding is about: account, region (`global` for account-wide ones) and name. */
export interface FindingScope {
  readonly accountId: string;
  readonly region: string;
  readonly resource: string;
}

/**
 * Global resources use `global`: their events arrive in whichever region was called, and must land on
 * the same finding.
 */
export const findingScopeOf = (input: {
  readonly resourceType: string;
  readonly accountId: string;
  readonly region: string;
  readonly resource: string;
}): FindingScope => ({
  accountId: input.accountId,
  region: GLOBAL_RESOURCE_TYPES.has(input.resourceType) ? 'global' : input.region,
  resource: input.resource,
});

/**
 * The same account, region, resource and control always give the same id, so a repair or a sweep
 * updates the finding instead of adding one.
 */
export const findingIdOf = (scope: FindingScope, controlId: string): string =>
  `warden/${scope.accountId}/${scope.region}/${controlId}/${scope.resource}`;

/** ASFF resource types by CloudFormation type; resources Warden names by ARN otherwise are `Other`. */
const ASFF_TYPES: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'AwsS3Bucket',
  'AWS::KMS::Key': 'AwsKmsKey',
  'AWS::CloudTrail::Trail': 'AwsCloudTrailTrail',
};

/** The ASFF resource: the bucket, key or trail by ARN; the account for its S3 settings and its root user. */
function resourceOf(input: FindingInput, partition: string): Resource {
  const { resourceType, outcome, region, accountId } = input;
  // The partition comes from Warden's own ARN (aws, aws-cn, aws-us-gov...), one of ASFF's values.
  const common = { Partition: partition as Partition, Region: region };
  if (GLOBAL_RESOURCE_TYPES.has(resourceType))
    return { Type: 'AwsAccount', Id: `AWS::::Account:${accountId}`, ...common };
  const id =
    resourceType === 'AWS::S3::Bucket' ? `arn:${partition}:s3:::${outcome.resource}` : outcome.resource;
  return { Type: ASFF_TYPES[resourceType] ?? 'Other', Id: id, ...common };
}

const SECURITY_HUB_ID = /^Security Hub ([A-Za-z0-9]+\.\d+)/;
const FSBP_STANDARD = 'standards/aws-foundational-security-best-practices/v/1.0.0';
const TYPE_PREFIX = 'Software and Configuration Checks';

/** The control's Security Hub control id (the first one it names), and the finding types it implies. */
function complianceOf(outcome: ControlOutcome, resolved: boolean) {
  const securityControlId = outcome.compliance.map((id) => SECURITY_HUB_ID.exec(id)?.[1]).find(Boolean);
  return {
    Status: resolved ? 'PASSED' : 'FAILED',
    ...(securityControlId
      ? { SecurityControlId: securityControlId, AssociatedStandards: [{ StandardsId: FSBP_STANDARD }] }
      : {}),
    // ASFF allows 32 related requirements.
    RelatedRequirements: outcome.compliance.slice(0, 32),
  } as const;
}

function typesOf(outcome: ControlOutcome): string[] {
  const standards = `${TYPE_PREFIX}/Industry and Regulatory Standards`;
  const types = [`${TYPE_PREFIX}/AWS Security Best Practices`];
  if (outcome.compliance.some((id) => id.startsWith('Security Hub')))
    types.push(`${standards}/AWS-Foundational-Security-Best-Practices`);
  if (outcome.compliance.some((id) => id.startsWith('CIS')))
    types.push(`${standards}/CIS AWS Foundations Benchmark`);
  if (outcome.compliance.some((id) => id.startsWith('NIST')))
    types.push(`${standards}/NIST 800-53 Controls (USA)`);
  return types;
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** What Warden did, in words: the Note and the recommendation say it (ASFF allows 512 characters). */
function whatWardenDid(outcome: ControlOutcome): string {
  const actions = outcome.actions.length > 0 ? ` Actions: ${outcome.actions.join('; ')}.` : '';
  const verdict: Record<ControlOutcome['status'], string> = {
    REMEDIATED: 'Warden repaired it.',
    DETECTED: 'Warden detected it (detect mode): nothing was changed.',
    FAILED: 'Warden could not repair it.',
    ALREADY_COMPLIANT: 'The resource is compliant.',
    SKIPPED: 'Warden skipped this control.',
  };
  return `${verdict[outcome.status]}${actions}`;
}

/**
 * The finding, open (Compliance FAILED, Workflow NEW, ACTIVE) or resolved (PASSED, RESOLVED, ARCHIVED).
 * Security Hub honours Workflow and Note only when it creates a finding (after that they are its users');
 * the provider-owned Compliance.Status and RecordState carry the update, and a finding that becomes
 * FAILED and ACTIVE again has its workflow reset to NEW by Security Hub.
 */
export function toFinding(input: FindingInput, home: FindingsHome, now: Date): AwsSecurityFinding {
  const { outcome, resolved } = input;
  const at = now.toISOString();
  const actionId = `${input.eventId}:${outcome.controlId}`;
  const did = whatWardenDid(outcome);
  const severity = {
    Label: resolved ? 'INFORMATIONAL' : outcome.severity,
    Original: outcome.severity,
  } as const;
  const types = typesOf(outcome);
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: findingIdOf(findingScopeOf({ ...input, resource: outcome.resource }), outcome.controlId),
    ProductArn: productArnOf(home),
    ProductName: 'Warden',
    CompanyName: 'Warden',
    GeneratorId: `warden/${outcome.controlId}`,
    AwsAccountId: input.accountId,
    Types: types,
    FindingProviderFields: { Severity: severity, Types: types },
    FirstObservedAt: input.createdAt ?? input.observedAt,
    LastObservedAt: input.observedAt,
    CreatedAt: input.createdAt ?? at,
    UpdatedAt: at,
    Severity: severity,
    Title: clip(outcome.title, 256),
    Description: clip(outcome.reason || outcome.title, 1024),
    Remediation: { Recommendation: { Text: clip(did, 512) } },
    ProductFields: {
      'warden/ActionId': actionId,
      'warden/EventId': input.eventId,
      'warden/EventName': input.eventName,
      'warden/Status': outcome.status,
      'warden/ControlId': outcome.controlId,
    },
    Resources: [resourceOf(input, home.partition)],
    Compliance: complianceOf(outcome, resolved),
    Workflow: { Status: resolved ? 'RESOLVED' : 'NEW' },
    RecordState: resolved ? 'ARCHIVED' : 'ACTIVE',
    Note: { Text: clip(`${did} Warden action ${actionId}.`, 512), UpdatedBy: 'Warden', UpdatedAt: at },
  };
}
