/**
 * How an action is told: `done` once Warden made the write (REMEDIATED, FAILED, the audit trail), `proposed`
 * when it only says what enforce mode would do (DETECTED), so a detect-only alert never reads as a change.
 */
export type ActionTense = 'done' | 'proposed';

/** The verb in the right tense: `verb('proposed', 'Deleted', 'delete')` is `Would delete`. */
export const verb = (tense: ActionTense, past: string, base: string): string =>
  tense === 'done' ? past : `Would ${base}`;
