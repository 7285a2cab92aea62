import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CloudTrailEvent } from '#shared/events/cloudtrail-schema.ts';
import { CloudTrailEventSchema } from '#shared/events/cloudtrail-schema.ts';
import { type ApiCall, normaliseApiCall } from '#shared/events/normalise.ts';
import { type Policy, type PolicyInput, PolicySchema } from '#shared/policy/schema.ts';

const EVENTS_DIR = fileURLToPath(new URL('../events/', import.meta.url));

/** A fresh deep copy of a sample event from `events/`, so tests never share mutable fixtures. */
export function loadEvent(relativePath: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${EVENTS_DIR}${relativePath}`, 'utf8')) as Record<string, unknown>;
}

export function loadCloudTrailEvent(relativePath: string): CloudTrailEvent {
  return CloudTrailEventSchema.parse(loadEvent(relativePath));
}

/** A sample event, normalised, with optional overrides of the internal shape. */
export function loadApiCall(relativePath: string, overrides: Partial<ApiCall> = {}): ApiCall {
  return { ...normaliseApiCall(loadCloudTrailEvent(relativePath)), ...overrides };
}

export function makePolicy(input: Partial<PolicyInput> = {}): Policy {
  return PolicySchema.parse({ version: 1, ...input });
}

export const ACCOUNT_ID = '123456789012';
export const WARDEN_KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const OTHER_KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/0b9e7a43-aaaa-bbbb-cccc-222222222222`;
export const WARDEN_ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/warden-s3-guard-role`;
/** What CloudTrail records for s3-guard's own calls: Lambda names the role session after the function. */
export const WARDEN_SESSION_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/warden-s3-guard-role/warden-s3-guard`;

/** A complete organization-mode policy input (what synth requires), member role by default name. */
export const ORGANIZATION_DEPLOYMENT = {
  mode: 'organization',
  managementAccountId: '111122223333',
  organization: {
    organizationId: 'o-a1b2c3d4e5',
    targetOrganizationalUnitIds: ['ou-ab12-11111111'],
    regions: ['us-east-1'],
    memberRoleName: 'warden-remediation',
  },
} as const satisfies PolicyInput['deployment'];

/** The usual bucket-policy Deny of requests without TLS, on example-bucket (what s3-secure-transport asks for). */
export const DENY_INSECURE_TRANSPORT = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: ['arn:aws:s3:::example-bucket', 'arn:aws:s3:::example-bucket/*'],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
