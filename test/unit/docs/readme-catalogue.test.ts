import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTROL_IDS } from '#shared/contracts/controls.ts';
import { controlCatalogue, withCatalogue } from '#shared/controls/catalogue.ts';

describe('control catalogue', () => {
  it('lists every known control exactly once', () => {
    expect(
      controlCatalogue()
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([...CONTROL_IDS].sort());
  });

  it('is current in the README (run `npm run docs` after changing a control)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

    expect(withCatalogue(readme)).toBe(readme);
  });
});
