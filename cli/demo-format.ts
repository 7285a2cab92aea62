import type { ControlOutcome, GuardResult } from '#shared/contracts/outcomes.ts';
import type { GrantView } from './local/access-snapshot.ts';
import type { CapturedAlert } from './local/alert-capture.ts';
import type { BucketSnapshot } from './local/bucket-snapshot.ts';
import type { LocalConfig } from './local/local-config.ts';
import type { SampleEvent } from './local/sample-events.ts';

const WIDTH = 100;
const LABEL_WIDTH = 13;
const INDENT = ' '.repeat(LABEL_WIDTH + 4);

export const heading = (text: string) => `\n━━ ${text} ${'━'.repeat(Math.max(3, WIDTH - text.length - 4))}`;

/** Word-wraps one line; continuation lines keep its leading marker (`│ `, spaces) plus two spaces. */
function wrap(line: string, width: number): string[] {
  const lead = /^(│ |\s*)/.exec(line)?.[0] ?? '';
  const continuation = `${lead}  `;
  const wrapped: string[] = [];
  let current = '';
  for (const word of line.slice(lead.length).split(' ')) {
    const prefix = wrapped.length === 0 ? lead : continuation;
    if (current && prefix.length + current.length + 1 + word.length > width) {
      wrapped.push(prefix + current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  wrapped.push((wrapped.length === 0 ? lead : continuation) + current);
  return wrapped;
}

/** `  label        value`, wrapped to the page width, continuation lines aligned under the value. */
export function field(label: string, value: string | readonly string[]): string {
  const lines = (typeof value === 'string' ? value.split('\n') : value).flatMap((line) =>
    wrap(line, WIDTH - INDENT.length),
  );
  const [first = '', ...rest] = lines;
  return [`  ${label.padEnd(LABEL_WIDTH)}  ${first}`, ...rest.map((line) => `${INDENT}${line}`)].join('\n');
}

const shortKey = (arn: string) => arn.replace(/^arn:aws:kms:[^:]+:\d+:key\//, 'key/');

function describeEncryption(encryption: BucketSnapshot['encryption'], config: LocalConfig): string {
  if (!encryption) return 'none configured';
  if (encryption.algorithm === 'AES256') return 'SSE-S3 (AES256, an S3-managed key)';
  const key = encryption.kmsKeyId ?? '(no key)';
  const whose =
    key === config.kmsKeyArn ? `Warden's key ${config.kmsKeyAlias}` : `${shortKey(key)} (not approved)`;
  return `${encryption.algorithm === 'aws:kms' ? 'SSE-KMS' : encryption.algorithm}, ${whose}, Bucket Key ${encryption.bucketKeyEnabled ? 'on' : 'off'}`;
}

export function describePublicAccessBlock(flags: BucketSnapshot['publicAccessBlock']): string {
  if (!flags) return 'none configured (public policies and ACLs allowed)';
  const on = Object.entries(flags).filter(([, value]) => value);
  if (on.length === 4) return 'all 4 flags on';
  return `${on.length} of 4 flags on${on.length ? ` (${on.map(([name]) => name).join(', ')})` : ''}`;
}

export function describeBucket(snapshot: BucketSnapshot, config: LocalConfig): string[] {
  return [
    `encryption           ${describeEncryption(snapshot.encryption, config)}`,
    `block public access  ${describePublicAccessBlock(snapshot.publicAccessBlock)}`,
  ];
}

export function describeCall(event: SampleEvent): string {
  const detail = event.detail as { eventName?: string; userIdentity?: { arn?: string; type?: string } };
  const who = detail.userIdentity?.type === 'Root' ? 'the root user' : detail.userIdentity?.arn;
  return `${detail.eventName} by ${who ?? detail.userIdentity?.type ?? 'unknown caller'}`;
}

interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const list = (value: string | readonly string[] | undefined) =>
  value === undefined ? '' : typeof value === 'string' ? value : value.join(', ');

function principalText(principal: unknown): string {
  if (principal === '*') return 'anyone (*)';
  if (typeof principal === 'object' && principal !== null) {
    const values = Object.values(principal as Record<string, string | string[]>).flat();
    // `arn:aws:iam::<account>:<name>` as `<account>:<name>`: the account is what a reader checks.
    const shown = (value: string) =>
      value === '*' ? 'anyone (*)' : value.replace(/^arn:aws[a-z-]*:iam::(\d+):/, '$1:');
    return values.map(shown).join(', ');
  }
  return String(principal);
}

/** One line per statement: `Sid  Effect who → actions [if condition keys]`. */
export function describePolicy(policy: string | null): string[] {
  if (policy === null) return ['bucket policy        none'];
  let statements: PolicyStatement[];
  try {
    const parsed =
      (JSON.parse(policy) as { Statement?: PolicyStatement | PolicyStatement[] }).Statement ?? [];
    statements = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return ['bucket policy        (not JSON)'];
  }
  return statements.map((statement, index) => {
    const condition = statement.Condition
      ? ` if ${Object.values(statement.Condition)
          .flatMap((block) => Object.keys(block))
          .join(', ')}`
      : '';
    const label = index === 0 ? 'bucket policy' : '';
    return `${label.padEnd(21)}${statement.Sid ?? `#${index}`}: ${statement.Effect} ${principalText(statement.Principal)} → ${list(statement.Action)}${condition}`;
  });
}

export function describeAcl(grants: readonly GrantView[], ownership: string | null): string[] {
  const granted = grants.map((grant) => `${grant.grantee} ${grant.permission}`).join(', ');
  return [
    `ACL grants           ${granted || 'none'}`,
    `object ownership     ${ownership ?? 'not set (ACLs enabled)'}${ownership === 'BucketOwnerEnforced' ? ' (ACLs disabled)' : ''}`,
  ];
}

export function describeAccountBlock(flags: BucketSnapshot['publicAccessBlock']): string {
  return `block public access  ${describePublicAccessBlock(flags).replace('public policies and ACLs allowed', 'each bucket decides')}`;
}

const STATUS_MARK: Record<ControlOutcome['status'], string> = {
  REMEDIATED: '✔ fixed',
  DETECTED: '! detected',
  FAILED: '✘ FAILED',
  ALREADY_COMPLIANT: '✔ compliant',
  SKIPPED: '- skipped',
};

/** What each control found and did; for an ignored or rejected event, why. */
export function describeOutcomes(result: GuardResult): { findings: string[]; actions: string[] } {
  if (result.outcomes.length === 0)
    return { findings: [`${result.status}: ${result.reason ?? ''}`], actions: ['none'] };
  const findings = result.outcomes.map(
    (outcome) => `${STATUS_MARK[outcome.status]}  ${outcome.controlId}: ${outcome.reason}`,
  );
  // A detected finding's actions already say what enforce mode would do ("Would delete ...").
  const actions = result.outcomes.flatMap((outcome) =>
    outcome.status === 'DETECTED' && outcome.actions.length > 0
      ? [`nothing (${outcome.controlId} is in detect mode)`, ...outcome.actions]
      : outcome.actions,
  );
  return { findings, actions: actions.length ? actions : ['none'] };
}

/** The SNS subject of each alert (the Slack message below shows its content). */
export function describeAlerts(alerts: readonly CapturedAlert[]): string[] {
  if (alerts.length === 0) return ['none published'];
  return alerts.map((alert) => `SNS "${alert.subject}"`);
}

/** A Slack message as received, one `│ ` line each (header first). */
export const slackLines = (lines: readonly string[]) => lines.map((line) => `│ ${line}`);
