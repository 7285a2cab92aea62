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

/** IAM and sign-in events (global services) reach EventBridge only in this region. */
export const GLOBAL_EVENTS_REGION = 'us-east-1';

/** A commercial, China or GovCloud region name such as `eu-west-1`, `ap-southeast-2`, `us-gov-west-1`. */
export const regionName = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region name such as eu-west-1');

/** Organizational units (`ou-...`) or the organization root (`r-...`) a StackSet can target. */
const organizationalUnitId = z
  .string()
  .regex(
    /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/,
    'must be an organizational unit id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx)',
  );

const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1');

/** IAM role names: up to 64 characters of letters, digits and `+=,.@_-`. */
const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name');

export const DEFAULT_MEMBER_ROLE_NAME = 'warden-remediation';

/**
 * Organization mode settings. Required values (organization id, target OUs, regions) are checked
 * at synth when the mode is `organization` (infra/stacks/organization-stack.ts), so an account-mode
 * policy never needs them.
 */
const organizationSettings = z
  .strictObject({
    /** The organization id (`o-...`): the hub bus policy and the member role trust are pinned to it. */
    organizationId: organizationId.optional(),
    targetOrganizationalUnitIds: z.array(organizationalUnitId).default([]),
    /** Regions of the member accounts that get a spoke (forwarding rules; the role lives in the first). */
    regions: z.array(awsRegion).default([]),
    /** The role each spoke creates and the hub guards assume to repair that account. */
    memberRoleName: roleName.default(DEFAULT_MEMBER_ROLE_NAME),
  })
  .prefault({});

/**
 * Account mode regions: the hub in `homeRegion`, a forwarder in every other region of `regions`.
 * us-east-1 always gets a stack (the hub or a forwarder) because IAM and sign-in events exist
 * only there, whether or not it is listed; listing it also forwards its S3 events.
 */
function checkAccountRegions(
  value: { homeRegion?: string | undefined; regions?: string[] | undefined },
  context: z.RefinementCtx,
): void {
  const regions = value.regions ?? [];
  const duplicates = regions.filter((region, index) => regions.indexOf(region) !== index);
  if (duplicates.length > 0)
    context.addIssue({
      code: 'custom',
      path: ['regions'],
      message: `lists ${[...new Set(duplicates)].join(', ')} more than once`,
    });
  if (value.homeRegion && value.regions && !regions.includes(value.homeRegion))
    context.addIssue({
      code: 'custom',
      path: ['regions'],
      message: `must include the home region ${value.homeRegion}`,
    });
}

export const PolicySchema = z.strictObject({
  version: z.literal(1),
  deployment: z
    .strictObject({
      mode: z.enum(['account', 'organization']).default('account'),
      managementAccountId: accountId.optional(),
      /** Organization mode: where the spokes go (rolled out by a service-managed StackSet). */
      organization: organizationSettings,
      /** Create a CloudTrail trail (organization trail in organization mode) when none exists. */
      createTrail: z.boolean().default(false),
      /** The hub's region; the CDK context `homeRegion` overrides it; defaults to the CLI's region. */
      homeRegion: regionName.optional(),
      /** Account mode: regions whose S3 events Warden watches, the home region included (default: it alone). */
      regions: z.array(regionName).min(1).optional(),
    })
    .superRefine(checkAccountRegions)
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
