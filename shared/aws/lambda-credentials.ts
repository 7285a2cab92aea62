import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the function bundles (see infra/build.ts).
 * Lambda always hands a function its role's credentials in the environment, and so does local
 * mode; the full default chain (SSO, INI files, web identity, IMDS, login) is dead weight in a
 * Lambda bundle: about 100 KB of code loaded on every cold start.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): AwsCredentialIdentityProvider =>
  fromEnv(init);
