/**
 * A Block Kit message as a person would read it in Slack, as plain lines: the header, the sections
 * and fields without Markdown markup, code blocks and links left out. For the demo and the CLI.
 */
interface TextObject {
  readonly text?: unknown;
}
interface AnyBlock {
  readonly type?: unknown;
  readonly text?: TextObject;
  readonly fields?: readonly TextObject[];
  readonly elements?: readonly (TextObject & { readonly url?: unknown })[];
}

const LINE_LIMIT = 160;
const COMPACT_LINE_LIMIT = 110;
const FIELDS_LINE = 96;

/** Items joined with `separator`, a new line whenever the next item would pass `width`. */
function joinUpTo(items: readonly string[], separator: string, width: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const item of items) {
    if (current && current.length + separator.length + item.length > width) {
      out.push(current);
      current = item;
    } else current = current ? `${current}${separator}${item}` : item;
  }
  if (current) out.push(current);
  return out;
}

/** Slack mrkdwn to plain text: no bold, code ticks, emoji codes or escaped entities. */
export function plainSlackText(text: string): string {
  return text
    .replace(/```[\s\S]*?```/g, '')
    .replace(/(^|\s):[a-z0-9_+-]+:(?=\s|$)\s?/g, '$1')
    .replace(/\*([^*\s][^*\n]*?)\*/g, '$1')
    .replace(/`/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const textOf = (value: TextObject | undefined) => (typeof value?.text === 'string' ? value.text : '');
const lines = (text: string) =>
  plainSlackText(text)
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');

export interface DescribeOptions {
  /** Only the header and the main lines: no link buttons, no trailing context, shorter lines. */
  readonly compact?: boolean;
}

/** The message's readable lines (header first); the fallback `text` when it has no blocks. */
export function describeSlackMessage(payload: unknown, options: DescribeOptions = {}): string[] {
  const limit = options.compact ? COMPACT_LINE_LIMIT : LINE_LIMIT;
  const shorten = (line: string) => (line.length > limit ? `${line.slice(0, limit - 1)}…` : line);
  const message = payload as { text?: unknown; blocks?: unknown } | null;
  const blocks = Array.isArray(message?.blocks) ? (message.blocks as AnyBlock[]) : [];
  if (blocks.length === 0) return typeof message?.text === 'string' ? lines(message.text).map(shorten) : [];
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'header':
        out.push(`▌ ${plainSlackText(textOf(block.text)).trim()}`);
        break;
      case 'section':
        out.push(...lines(textOf(block.text)));
        if (block.fields) {
          // "*Who*\nvalue" fields read best as "Who: value", several per line.
          const pairs = block.fields.map((field) => lines(textOf(field)).join(': '));
          out.push(...joinUpTo(pairs, ' · ', FIELDS_LINE));
        }
        break;
      case 'context':
        if (options.compact) break;
        out.push(...(block.elements ?? []).flatMap((element) => lines(textOf(element))));
        break;
      case 'actions':
        if (options.compact) break;
        out.push(
          `[${(block.elements ?? [])
            .map((element) => plainSlackText(textOf(element.text as TextObject)))
            .join('] [')}]`,
        );
        break;
      default:
        break;
    }
  }
  return out.map(shorten);
}
