import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * Credentials for the local emulator: the caller's static keys when set, otherwise moto's
 * conventional dummies. Passed explicitly so local mode never walks the SDK chain to a real profile.
 */
export function localCredentials(env: NodeJS.ProcessEnv = process.env): AwsCredentialIdentity {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    return {
      accessKeyId,
      secretAccessKey,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  return { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' };
}

/** Local mode runs in us-east-1, where the sample events (and IAM/sign-in events) are delivered. */
export const LOCAL_REGION = 'us-east-1';
