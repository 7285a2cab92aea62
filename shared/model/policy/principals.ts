import { isFixedValue } from './conditions.ts';
import type { Principal } from './policy-document.ts';

const ACCOUNT_ID = /^\d{12}$/;
/** `arn:partition:service:region:account:resource`; IAM and STS ARNs leave the region empty. */
const ARN_ACCOUNT = /^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/;
/** An IAM identity provider (SAML or OIDC) lives in one account, like a role. */
const IAM_PROVIDER_ARN = /^arn:[a-z-]+:iam::\d{12}:(saml-provider|oidc-provider)\/[^*?]+$/;

/**
 * A principal that names no fixed identity: a wildcard in any spelling (`"*"`, `{"AWS": "*"}`,
 * `arn:aws:iam::*:root`, `*.amazonaws.com`), a policy variable, or a web identity provider such as
 * `graph.facebook.com` (the S3 User Guide lists `{"Federated": "graph.facebook.com"}` among public policies).
 */
export function isOpenPrincipal(principal: Principal): boolean {
  if (!isFixedValue(principal.id)) return true;
  return principal.type === 'Federated' && !IAM_PROVIDER_ARN.test(principal.id);
}

/**
 * A CloudFront origin access identity as S3 returns it in a bucket policy. Its account field is the word
 * `cloudfront`, not an account: the identity belongs to the CloudFront distribution of the bucket owner
 * that created it (S3 may return a grant written to the OAI's canonical user id in this form too).
 */
const CLOUDFRONT_OAI_ARN =
  /^arn:aws[a-z-]*:iam::cloudfront:user\/CloudFront Origin Access Identity [A-Z0-9]+$/;

export function isCloudFrontOriginAccessIdentity(arn: string): boolean {
  return CLOUDFRONT_OAI_ARN.test(arn);
}

/** The account field of an ARN, when it holds a fixed 12-digit account id. */
export function accountOfArn(arn: string): string | undefined {
  return ARN_ACCOUNT.exec(arn)?.[1];
}

/** The account a principal belongs to, when its spelling says so (bare account id or ARN). */
export function accountOfPrincipal(principal: Principal): string | undefined {
  if (principal.type !== 'AWS' && principal.type !== 'Federated') return undefined;
  if (ACCOUNT_ID.test(principal.id)) return principal.id;
  return accountOfArn(principal.id);
}

export function describePrincipal(principal: Principal): string {
  return principal.type === 'AWS' && principal.id === '*' ? '*' : `${principal.type} ${principal.id}`;
}

/** At most three principals, for a reason a person reads. */
export function describePrincipals(principals: readonly Principal[]): string {
  const shown = principals.slice(0, 3).map(describePrincipal).join(', ');
  return principals.length > 3 ? `${shown} and ${principals.length - 3} more` : shown;
}
