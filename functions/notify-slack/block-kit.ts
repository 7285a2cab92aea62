import { truncate } from './text.ts';

/** The Block Kit subset Warden sends to an incoming webhook. */
export interface PlainText {
  readonly type: 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}
export interface Mrkdwn {
  readonly type: 'mrkdwn';
  readonly text: string;
}
export interface Button {
  readonly type: 'button';
  readonly text: PlainText;
  readonly url: string;
  readonly action_id: string;
}
export type Block =
  | { readonly type: 'header'; readonly text: PlainText }
  | { readonly type: 'section'; readonly text?: Mrkdwn; readonly fields?: readonly Mrkdwn[] }
  | { readonly type: 'divider' }
  | { readonly type: 'context'; readonly elements: readonly Mrkdwn[] }
  | { readonly type: 'actions'; readonly elements: readonly Button[] };

export interface SlackMessage {
  /** Plain fallback shown in notifications and by clients that cannot render blocks. */
  readonly text: string;
  readonly blocks: readonly Block[];
}

/** Slack's documented limits (Block Kit reference); exceeding any of them fails with invalid_blocks. */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextElements: 10,
  buttonText: 75,
  buttonUrl: 3000,
  fallbackText: 3000,
} as const;

/** Block builders that keep every text within Slack's limits. Pure. */
export const header = (text: string): Block => ({
  type: 'header',
  text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true },
});
export const section = (text: string): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) },
});
export const fields = (items: readonly string[]): Block => ({
  type: 'section',
  fields: items
    .slice(0, SLACK_LIMITS.fields)
    .map((text) => ({ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.fieldText) })),
});
/** Slack refuses an empty text element (invalid_blocks): empty items are dropped, and with them the block. */
export const context = (items: readonly string[]): Block[] => {
  const elements = items
    .filter((text) => text.trim().length > 0)
    .slice(0, SLACK_LIMITS.contextElements)
    .map((text): Mrkdwn => ({ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) }));
  return elements.length > 0 ? [{ type: 'context', elements }] : [];
};

/** Only https links Warden built become buttons; anything else (or too long) is left out. */
export function buttons(links: readonly { label: string; url: string; id: string }[]): Block | undefined {
  const elements = links
    .filter((link) => /^https:\/\/[^\s]+$/.test(link.url) && link.url.length <= SLACK_LIMITS.buttonUrl)
    .map(
      (link): Button => ({
        type: 'button',
        text: { type: 'plain_text', text: truncate(link.label, SLACK_LIMITS.buttonText) },
        url: link.url,
        action_id: link.id,
      }),
    );
  return elements.length > 0 ? { type: 'actions', elements } : undefined;
}

/** Characters of text in `blocks` (headers, sections, fields, context and button labels). Pure. */
export function textLength(blocks: readonly Block[]): number {
  let length = 0;
  for (const block of blocks) {
    if (block.type === 'header') length += block.text.text.length;
    if (block.type === 'section')
      length += (block.text?.text.length ?? 0) + (block.fields ?? []).reduce((n, f) => n + f.text.length, 0);
    if (block.type === 'context' || block.type === 'actions')
      for (const element of block.elements)
        length += typeof element.text === 'string' ? element.text.length : element.text.text.length;
  }
  return length;
}
