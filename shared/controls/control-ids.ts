/**
 * Every control Warden knows, by id. The policy schema validates `controls.<id>` against this list,
 * so a typo in the policy file fails `cdk synth` instead of silently disabling nothing.
 */
export const CONTROL_IDS = [
  's3-encryption-kms',
  's3-bucket-public-access-block',
  's3-public-policy',
  's3-foreign-access',
  's3-public-acl',
  's3-account-public-access-block',
  'root-access-key',
  'root-console-sign-in',
] as const;
export type ControlId = (typeof CONTROL_IDS)[number];
