import type { RootEventKind } from '#shared/events/root-event-patterns.ts';

/**
 * Physical names shared by the CDK stack and local mode, so both provision the same resources.
 * Every name derives from one prefix so two Warden installs can live in one account.
 */
export const DEFAULT_PREFIX = 'warden';

export interface ResourceNames {
  readonly prefix: string;
  /** Warden's bucket key in every account and region it repairs buckets in. */
  readonly kmsKeyAlias: string;
  /** The hub's key for Warden's own topic, queues, tables and secret. */
  readonly internalKeyAlias: string;
  readonly alertTopic: string;
  readonly idempotencyTable: string;
  readonly auditTable: string;
  readonly slackWebhookSecret: string;
  /** Role name of each guard function; Warden ignores CloudTrail events made by these roles. */
  readonly functionRole: (functionName: FunctionName) => string;
  readonly functionName: (functionName: FunctionName) => string;
}

/**
 * One Warden per account: two installs would each re-encrypt the buckets the other just pointed at
 * its own key, and each take the other's fixes for someone's change, forever. Every hub (and every
 * organization spoke in a member account) creates an IAM group of this fixed name, whatever the prefix:
 * IAM names are account-wide, so a second install in any region fails to deploy with
 * "warden-one-install-per-account already exists in stack <the first install>".
 */
export const ONE_INSTALL_PER_ACCOUNT = 'warden-one-install-per-account';

/** The Lambda functions Warden deploys; each has `functions/<name>/index.ts` and a bundle in `dist/functions/<name>/`. */
export const FUNCTION_NAMES = [
  's3-guard',
  'root-guard',
  'notify-slack',
  'tamper-guard',
  'sweep-planner',
  'sweep-worker',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export function resourceNames(prefix: string = DEFAULT_PREFIX): ResourceNames {
  return {
    prefix,
    kmsKeyAlias: `alias/${prefix}`,
    internalKeyAlias: `alias/${prefix}-internal`,
    alertTopic: `${prefix}-alerts`,
    idempotencyTable: `${prefix}-idempotency`,
    auditTable: `${prefix}-audit`,
    slackWebhookSecret: `${prefix}/slack-webhook-url`,
    functionRole: (name) => `${prefix}-${name}-role`,
    functionName: (name) => `${prefix}-${name}`,
  };
}

/**
 * What CloudTrail records as `userIdentity.arn` for a call made by a Warden function: Lambda assumes
 * the execution role with the function's name as session name. Only this session is Warden's own; the
 * role alone is not (anyone allowed to pass the role to a function of their own would share it).
 */
export function functionSessionArn(
  names: ResourceNames,
  functionName: FunctionName,
  account: { readonly partition: string; readonly accountId: string },
): string {
  return `arn:${account.partition}:sts::${account.accountId}:assumed-role/${names.functionRole(functionName)}/${names.functionName(functionName)}`;
}

/** Every Warden function's session in one account (see functionSessionArn). */
export const functionSessionArns = (
  names: ResourceNames,
  account: { readonly partition: string; readonly accountId: string },
): string[] => FUNCTION_NAMES.map((name) => functionSessionArn(names, name, account));

/**
 * Organization mode: s3-guard assumes the member role with session names that start with this
 * (`warden-<event id>`, shared/aws/cross-account.ts); the member role's trust policy requires it.
 */
export const MEMBER_ROLE_SESSION_PREFIX = 'warden-';

/**
 * What a forwarding rule carries to the hub: s3-guard's events, only its account-level Block Public
 * Access events (from regions Warden does not watch), or one kind of root-guard's.
 */
export type ForwardedEvents = 's3' | 's3Account' | RootEventKind | TamperEventKind;

/**
 * tamper-guard's rules: KMS and CloudTrail events, and two rules on Warden's own rules, each watching
 * the other (README, "tamper-guard"). The hub's have fixed names too (see tamperRuleName).
 */
export const TAMPER_EVENT_KINDS = [
  'tamperKms',
  'tamperCloudTrail',
  'tamperRules',
  'tamperRulesWatch',
] as const;
export type TamperEventKind = (typeof TAMPER_EVENT_KINDS)[number];

const RULE_SUFFIX: Record<ForwardedEvents, string> = {
  s3: 's3',
  s3Account: 's3-account-public-access-block',
  rootAccessKeyCreated: 'root-access-key-created',
  rootConsoleSignIn: 'root-console-sign-in',
  rootCredentialChanged: 'root-credential-changed',
  tamperKms: 'tamper-kms',
  tamperCloudTrail: 'tamper-cloudtrail',
  tamperRules: 'tamper-rules',
  tamperRulesWatch: 'tamper-rules-watch',
};

/** The hub's tamper-guard rules: fixed names, so each of the two rule-watching rules can name the other. */
export const tamperRuleName = (names: ResourceNames, events: TamperEventKind): string =>
  `${names.prefix}-${RULE_SUFFIX[events]}`;

/**
 * Forwarding rules have fixed names, so the hub's bus policy can name them (by ARN) before they
 * exist and without cross-region references: every ARN is built from account, region and name.
 */
export const forwardingRuleName = (names: ResourceNames, events: ForwardedEvents): string =>
  `${names.prefix}-forward-${RULE_SUFFIX[events]}`;

/**
 * Organization mode: the spoke's forwarding rules in member accounts. Named apart from the account-mode
 * forwarders, which the hub's own account also has; fixed, so the spoke's dead-letter queue policy and
 * alarm can name rules that exist only in some regions.
 */
export const spokeRuleName = (names: ResourceNames, events: ForwardedEvents): string =>
  `${names.prefix}-spoke-${RULE_SUFFIX[events]}`;
