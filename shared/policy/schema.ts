import * as z from 'zod';
import { CONTROL_IDS } from '#shared/controls/control-ids.ts';

export const CONTROL_MODES = ['enforce', 'detect', 'off'] as const;
export type ControlMode = (typeof CONTROL_MODES)[number];

const kmsKeyArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
    'must be a full KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases resolve in the caller account and are not accepted',
  );

/** A bucket name or a glob (`*`, `?`, `[...]`) such as `cdk-*-assets-*`. */
const bucketPattern = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-z0-9.\-*?[\]!]+$/, 'must be a bucket name or a glob over bucket names');

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit account id');

/** AWS Organizations ids: `o-` followed by 10 to 32 lowercase letters or digits. */
const organizationId = z
  .string()
  .regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id such as o-a1b2c3d4e5');

const controlSettings = z.strictObject({ mode: z.enum(CONTROL_MODES) });

export const PolicySchema = z.strictObject({
  version: z.literal(1),
  deployment: z
    .strictObject({
      mode: z.enum(['account', 'organization']).default('account'),
      managementAccountId: accountId.optional(),
    })
    .prefault({}),
  controls: z.partialRecord(z.enum(CONTROL_IDS), controlSettings).default({}),
  s3: z
    .strictObject({
      approvedKmsKeyArns: z.array(kmsKeyArn).default([]),
      exemptBuckets: z.array(bucketPattern).default([]),
      /** Accounts besides the bucket owner's that bucket policies may grant access to. */
      allowedAccountIds: z.array(accountId).default([]),
      /** Organizations whose accounts bucket policies may grant access to (through aws:PrincipalOrgID). */
      allowedOrganizationIds: z.array(organizationId).default([]),
    })
    .prefault({}),
});

export type Policy = z.infer<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
