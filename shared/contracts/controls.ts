import * as z from 'zod/mini';

/**
 * The bottom layer: the vocabulary every folder shares. This folder imports nothing of Warden's own,
 * so no folder that uses it can be imported back by it.
 */

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
  's3-secure-transport',
  's3-account-public-access-block',
  'root-access-key',
  'root-console-sign-in',
  'root-mfa-removed',
  'root-login-profile',
  'kms-protected-key',
  'kms-key-policy',
  'kms-key-deletion',
  'cloudtrail-logging',
  'cloudtrail-management-events',
  'cloudtrail-trail-deleted',
  'warden-rule-enabled',
  'warden-rule-intact',
] as const;
export const ControlIdSchema = z.enum(CONTROL_IDS);
export type ControlId = z.infer<typeof ControlIdSchema>;

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/** Most severe first, for sorting and for an alert's overall severity. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  CRITICAL: 4,
  HIGH: 3,
  MEDIUM: 2,
  LOW: 1,
  INFORMATIONAL: 0,
};

/** enforce: repair and alert; detect: alert only; off: neither. */
export const CONTROL_MODES = ['enforce', 'detect', 'off'] as const;
export const ControlModeSchema = z.enum(CONTROL_MODES);
export type ControlMode = z.infer<typeof ControlModeSchema>;
