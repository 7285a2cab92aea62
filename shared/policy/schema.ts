// zod/mini: the same validation as classic zod at a fraction of the bundle size (tree-shakable).
// Classic zod builds only the infra-side `regionName` below, which the bundles drop.
import * as classic from 'zod';
import * as z from 'zod/mini';
// One locale file: `z.locales.en` would bundle every locale.
import en from 'zod/v4/locales/en.js';
import { CONTROL_IDS, ControlModeSchema } from '#shared/contracts/controls.ts';
import { cidrProblem } from '#shared/model/policy/ip-ranges.ts';
import { exemptionEntry } from './exemption-schema.ts';

// Classic zod registers its English messages when the first schema is built; zod/mini does not, and
// would say only "Invalid input" (no unknown key, no expected value). Register them the same way,
// unless a locale was chosen already; the setting is global, so the functions' other schemas keep them too.
if (!z.config().localeError) z.config(en());

const kmsKeyArn = z
  .string()
  .check(
    z.regex(
      /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
      'must be a full KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases resolve in the caller account and are not accepted',
    ),
  );

const accountId = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id'));

/** AWS Organizations ids: `o-` followed by 10 to 32 lowercase letters or digits. */
const organizationId = z
  .string()
  .check(z.regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id such as o-a1b2c3d4e5'));

/** VPC endpoint and VPC ids: the prefix and 8 or 17 hexadecimal digits. */
const vpcEndpointId = z
  .string()
  .check(z.regex(/^vpce-([0-9a-f]{8}|[0-9a-f]{17})$/, 'must be a VPC endpoint id such as vpce-1a2b3c4d'));
const vpcId = z
  .string()
  .check(z.regex(/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/, 'must be a VPC id such as vpc-1a2b3c4d'));

const sourceIpCidr = z.string().check(
  z.superRefine((cidr, context) => {
    const problem = cidrProblem(cidr);
    if (problem)
      context.addIssue({ code: 'custom', message: `must be a CIDR block: ${problem}`, input: cidr });
  }),
);

const controlSettings = z.strictObject({ mode: ControlModeSchema });

/** A CloudTrail trail name (3 to 128 characters) or trail ARN. */
const trailNameOrArn = z
  .string()
  .check(
    z.regex(
      /^([A-Za-z0-9][\w.-]{1,126}[A-Za-z0-9]|arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[\w.-]{3,128})$/,
      'must be a CloudTrail trail name or trail ARN',
    ),
  );

/** IAM and sign-in events (global services) reach EventBridge only in this region. */
export const GLOBAL_EVENTS_REGION = 'us-east-1';

/** A commercial, China or GovCloud region name such as `eu-west-1`, `ap-southeast-2`, `us-gov-west-1`. */
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const REGION_NAME_MESSAGE = 'must be an AWS region name such as eu-west-1';
const policyRegionName = z.string().check(z.regex(REGION_NAME, REGION_NAME_MESSAGE));

/**
 * The same check as a classic zod schema, for infra/config/deployment-regions.ts, which composes it
 * with classic schemas and types it as `z.ZodType`. No function imports it: `@__PURE__` lets esbuild
 * drop it, and classic zod with it, from the bundles.
 */
export const regionName = /* @__PURE__ */ classic.string().regex(REGION_NAME, REGION_NAME_MESSAGE);

/** Organizational units (`ou-...`) or the organization root (`r-...`) a StackSet can target. */
const organizationalUnitId = z
  .string()
  .check(
    z.regex(
      /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/,
      'must be an organizational unit id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx)',
    ),
  );

const awsRegion = z
  .string()
  .check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1'));

/** IAM role names: up to 64 characters of letters, digits and `+=,.@_-`. */
const roleName = z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name'));

export const DEFAULT_MEMBER_ROLE_NAME = 'warden-remediation';

/**
 * Organization mode settings. Required values (organization id, target OUs, regions) are checked
 * at synth when the mode is `organization` (infra/stacks/organization-stack.ts), so an account-mode
 * policy never needs them.
 */
const organizationSettings = z.prefault(
  z.strictObject({
    /** The organization id (`o-...`): the hub bus policy and the member role trust are pinned to it. */
    organizationId: z.optional(organizationId),
    targetOrganizationalUnitIds: z._default(z.array(organizationalUnitId), []),
    /** Regions of the member accounts that get a spoke (forwarding rules; the role lives in the first). */
    regions: z._default(z.array(awsRegion), []),
    /** The role each spoke creates and the hub guards assume to repair that account. */
    memberRoleName: z._default(roleName, DEFAULT_MEMBER_ROLE_NAME),
  }),
  {},
);

/**
 * Account mode regions: the hub in `homeRegion`, a forwarder in every other region of `regions`.
 * us-east-1 always gets a stack (the hub or a forwarder) because IAM and sign-in events exist
 * only there, whether or not it is listed; listing it also forwards its S3 events.
 */
function checkAccountRegions(
  value: { homeRegion?: string | undefined; regions?: string[] | undefined },
  context: z.core.$RefinementCtx,
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
  deployment: z.prefault(
    z
      .strictObject({
        mode: z._default(z.enum(['account', 'organization']), 'account'),
        managementAccountId: z.optional(accountId),
        /** Organization mode: where the spokes go (rolled out by a service-managed StackSet). */
        organization: organizationSettings,
        /** Create a CloudTrail trail (organization trail in organization mode) when none exists. */
        createTrail: z._default(z.boolean(), false),
        /** The hub's region; the CDK context `homeRegion` overrides it; defaults to the CLI's region. */
        homeRegion: z.optional(policyRegionName),
        /** Account mode: regions whose S3 events Warden watches, the home region included (default: it alone). */
        regions: z.optional(z.array(policyRegionName).check(z.minLength(1))),
        /**
         * Regions forwarding account-level Block Public Access changes (recorded in the region of the
         * S3 Control endpoint called), besides the watched ones; default: every region AWS enables by
         * default (infra/config/deployment-regions.ts). Both modes.
         */
        accountLevelRegions: z.optional(z.array(policyRegionName)),
      })
      .check(z.superRefine(checkAccountRegions)),
    {},
  ),
  controls: z._default(z.partialRecord(z.enum(CONTROL_IDS), controlSettings), {}),
  /**
   * The sweep of existing resources (README, "Sweep existing resources"): after every deployment and on this
   * EventBridge schedule; `accountsInParallel` caps the accounts swept at once (one work item per account at a
   * time), `bucketsInParallel` the buckets of one account judged at once (S3 publishes no control-plane rate).
   */
  sweep: z.prefault(
    z.strictObject({
      enabled: z._default(z.boolean(), true),
      schedule: z._default(
        z
          .string()
          .check(
            z.regex(
              /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/,
              'must be an EventBridge schedule expression such as rate(1 day) or cron(0 3 * * ? *)',
            ),
          ),
        'rate(1 day)',
      ),
      accountsInParallel: z._default(z.int().check(z.minimum(1), z.maximum(100)), 10),
      bucketsInParallel: z._default(z.int().check(z.minimum(1), z.maximum(20)), 5),
    }),
    {},
  ),
  /** tamper-guard: which CloudTrail trails it keeps logging and recording management events. */
  tamper: z.prefault(
    z.strictObject({
      /** Trail names or ARNs; empty: every trail that records management events. */
      trails: z._default(z.array(trailNameOrArn), []),
    }),
    {},
  ),
  s3: z.prefault(
    z.strictObject({
      approvedKmsKeyArns: z._default(z.array(kmsKeyArn), []),
      /** Buckets exempt from some or all bucket controls, each with its reason and optional expiry. */
      exemptBuckets: z._default(z.array(exemptionEntry), []),
      /** Accounts besides the bucket owner's that bucket policies may grant access to. */
      allowedAccountIds: z._default(z.array(accountId), []),
      /** Organizations whose accounts bucket policies may grant access to (through aws:PrincipalOrgID). */
      allowedOrganizationIds: z._default(z.array(organizationId), []),
      /** VPC endpoints whose traffic a `Principal: *` statement may admit (through aws:SourceVpce). */
      trustedVpcEndpointIds: z._default(z.array(vpcEndpointId), []),
      /** VPCs whose traffic a `Principal: *` statement may admit (through aws:SourceVpc). */
      trustedVpcIds: z._default(z.array(vpcId), []),
      /** IP ranges a `Principal: *` statement may admit (through aws:SourceIp): CIDR blocks, IPv4 or IPv6. */
      trustedSourceIpCidrs: z._default(z.array(sourceIpCidr), []),
    }),
    {},
  ),
  /**
   * Import every finding into AWS Security Hub (BatchImportFindings, updated in place). Off by default:
   * Security Hub bills per finding ingested and must be enabled in the account first (`warden doctor`).
   */
  securityHub: z.prefault(z.strictObject({ enabled: z._default(z.boolean(), false) }), {}),
  /**
   * Never fight forever (shared/guard/fight.ts): `repairs` repairs of one resource and control within
   * `windowMinutes` are a fight with another actor. Then CRITICAL exposure keeps being repaired, quietly
   * (reported again hourly); anything else is left alone (detect only) for `coolDownMinutes`.
   */
  fights: z.prefault(
    z.strictObject({
      repairs: z._default(z.int().check(z.minimum(2), z.maximum(100)), 3),
      windowMinutes: z._default(z.int().check(z.minimum(1), z.maximum(1440)), 10),
      coolDownMinutes: z._default(z.int().check(z.minimum(1), z.maximum(10080)), 60),
    }),
    {},
  ),
});

export type Policy = z.infer<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
