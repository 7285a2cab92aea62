import type { GuardConfig } from '#shared/config/load-config.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { localOwnSessionArns } from './function-env.ts';
import type { LocalConfig } from './local-config.ts';

/** The guards' configuration for the emulator `warden local up` provisioned, as the stack would give it. */
export function localGuardConfig(local: LocalConfig, policy: Policy): GuardConfig {
  const { region, kmsKeyArn, alertTopicArn, idempotencyTable, auditTable } = local;
  return {
    region,
    kmsKeyArn,
    alertTopicArn,
    idempotencyTable,
    auditTable,
    ownSessionArns: localOwnSessionArns(local),
    policy,
  };
}
