import { describe, expect, it } from 'vitest';
import { CONTROL_IDS } from '#shared/contracts/controls.ts';
import { ACCOUNT_CONTROLS, BUCKET_CONTROLS } from '#shared/controls/registry.ts';
import { ROOT_CONTROLS } from '#shared/controls/root-registry.ts';
import { KEY_CONTROLS, RULE_CONTROLS, TRAIL_CONTROLS } from '#shared/controls/tamper-registry.ts';

describe('control registry', () => {
  const registered = [
    ...BUCKET_CONTROLS,
    ...ACCOUNT_CONTROLS,
    ...ROOT_CONTROLS,
    ...KEY_CONTROLS,
    ...TRAIL_CONTROLS,
    ...RULE_CONTROLS,
  ].map((control) => control.id);

  it('registers every control id the policy file accepts, each once', () => {
    expect([...registered].sort()).toEqual([...CONTROL_IDS].sort());
    expect(new Set(registered).size).toBe(registered.length);
  });
});
