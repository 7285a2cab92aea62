import { describe, expect, it } from 'vitest';
import { classifyRootActivity } from '#shared/model/root-activity.ts';
import { loadApiCall } from '../../fixtures.ts';

/* Found by the fuzz suite: event fields are JSON, and a JSON object may have no string conversion. */
describe('classifyRootActivity with hostile values in the event', () => {
  it('ignores a sign-in whose ConsoleLogin result is an object without a string conversion, quoting it', () => {
    const call = loadApiCall('signin/root-console-login-no-mfa.json', {
      responseElements: { ConsoleLogin: JSON.parse('{"toString": 1, "valueOf": 1}') },
    });

    expect(classifyRootActivity(call)).toEqual({
      ignored: 'the sign-in did not succeed ({"toString":1,"valueOf":1})',
    });
  });

  it('still says "no result" when the sign-in has none', () => {
    const call = loadApiCall('signin/root-console-login-no-mfa.json', { responseElements: {} });

    expect(classifyRootActivity(call)).toEqual({ ignored: 'the sign-in did not succeed (no result)' });
  });
});
