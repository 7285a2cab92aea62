/** Text helpers for Slack: escaping and limit-safe truncation. Pure. */

export const TRUNCATION_MARK = '… (truncated)';
const FENCE = '```';
const FENCE_CLOSE = '\n```\n';

/**
 * Slack's mrkdwn treats `&`, `<` and `>` as control characters (links, mentions): anything that
 * comes from an event (ARNs, reasons, policy documents) is escaped so it renders as written.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code cannot hold a backtick; a stray one would end the span early. */
export function inlineCode(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

/** A fenced block whose content cannot close the fence early. */
export function codeBlock(text: string): string {
  return `${FENCE}${escapeMrkdwn(text.replace(/```/g, "'''"))}${FENCE}`;
}

function countFences(text: string): number {
  return text.split(FENCE).length - 1;
}

/** The end index at or below `end` that splits no surrogate pair, `&amp;`-style entity or backtick run. */
function safeEnd(text: string, end: number): number {
  let cut = Math.max(0, Math.min(end, text.length));
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && cut - amp <= 5 && !text.slice(amp, cut).includes(';')) cut = amp;
  while (cut > 0 && text[cut - 1] === '`' && text[cut] === '`') cut -= 1;
  return cut;
}

/**
 * Cuts `text` to at most `max` UTF-16 units (Slack's limits count characters; code units are never
 * fewer) and says so. Never splits a surrogate pair or an entity, and closes a code fence left open.
 */
export function truncate(text: string, max: number, mark: string = TRUNCATION_MARK): string {
  if (text.length <= max) return text;
  if (max <= mark.length + FENCE_CLOSE.length) return text.slice(0, safeEnd(text, max));
  const head = text.slice(0, safeEnd(text, max - mark.length));
  if (countFences(head) % 2 === 0) return `${head}${mark}`;
  const shorter = text.slice(0, safeEnd(text, max - mark.length - FENCE_CLOSE.length));
  return countFences(shorter) % 2 === 0 ? `${shorter}${mark}` : `${shorter}${FENCE_CLOSE}${mark}`;
}

/** Compact one-line JSON for before/after values; anything unserialisable is shown as text. */
export function compactJson(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `items` as "a, b, c +2 more", at most `max` shown. */
export function listSome(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} +${items.length - max} more` : shown;
}
