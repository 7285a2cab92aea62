import type { ControlId } from '#shared/contracts/controls.ts';
import { ACCOUNT_CONTROLS, BUCKET_CONTROLS } from '#shared/controls/registry.ts';
import { rootAccessKey } from '#shared/controls/root-access-key.ts';
import { modeOf } from '#shared/guard/evaluate.ts';
import type { Policy } from '#shared/policy/schema.ts';

/** Every control a sweep runs: the bucket and account S3 controls, and root access keys (alert only). */
const SWEPT_CONTROLS = [...BUCKET_CONTROLS, ...ACCOUNT_CONTROLS, rootAccessKey];

/** A dry run: every control that would repair only reports what it would do ("Would ..."), off stays off. */
export function dryRunPolicy(policy: Policy): Policy {
  const controls = Object.fromEntries(
    SWEPT_CONTROLS.map((control) => {
      const mode = modeOf(control, policy);
      return [control.id, { mode: mode === 'enforce' ? 'detect' : mode }];
    }),
  );
  return { ...policy, controls: { ...policy.controls, ...controls } };
}

/** The controls a sweep repairs under this policy (recorded in the sweep history, for drift). */
export const enforcedControls = (policy: Policy): ControlId[] =>
  SWEPT_CONTROLS.filter((control) => modeOf(control, policy) === 'enforce').map((control) => control.id);
