import type { Alert } from '#shared/contracts/alert.ts';

/**
 * The custom-notification schema of Amazon Q Developer in chat applications (formerly AWS Chatbot):
 * SNS messages in any other shape are dropped silently by it. `additionalContext` maps keys to
 * strings, so Warden's structured alert travels as JSON text in `metadata.additionalContext.alert`,
 * for its own Slack notifier (shared/slack/inbound.ts parses it back) and any other consumer.
 */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
    /** String values only, as the schema documents. `alert` is `JSON.stringify(alert)`. */
    readonly additionalContext: { readonly alert: string };
  };
}

const STATUS_WORD = {
  REMEDIATED: 'Fixed',
  DETECTED: 'Detected',
  FAILED: 'FAILED',
  ALREADY_COMPLIANT: 'OK',
  SKIPPED: 'Skipped',
};

export function alertDescription(alert: Alert): string {
  const lines = [
    `*${alert.severity}* · ${alert.eventName} on \`${alert.resource}\` · account ${alert.accountId} · ${alert.region}`,
    `By ${alert.actor.arn ?? alert.actor.type}${alert.sourceIp ? ` from ${alert.sourceIp}` : ''} at ${alert.eventTime}`,
  ];
  for (const outcome of alert.outcomes) {
    lines.push(`• ${STATUS_WORD[outcome.status]}: ${outcome.title}. ${outcome.reason}`);
    for (const action of outcome.actions) lines.push(`   ↳ ${action}`);
  }
  return lines.join('\n');
}

function nextStepsFor(alert: Alert): string[] {
  const steps: string[] = [];
  if (alert.outcomes.some((outcome) => outcome.status === 'FAILED'))
    steps.push('Repair the resource by hand; the reason is in the alert.');
  if (alert.outcomes.some((outcome) => outcome.status === 'DETECTED'))
    steps.push('Review the change; set the control to enforce to have Warden repair it.');
  steps.push(`Check with ${alert.actor.arn ?? 'the caller'} that the change was intended.`);
  steps.push(`CloudTrail event: ${alert.links.cloudTrailEvent}`);
  return steps;
}

export function toChatNotification(alert: Alert): ChatNotification {
  return {
    version: '1.0',
    source: 'custom',
    id: alert.eventId,
    content: {
      textType: 'client-markdown',
      title: `${alert.severity}: ${alert.title}`,
      description: alertDescription(alert),
      nextSteps: nextStepsFor(alert),
      keywords: [alert.severity, alert.accountId, alert.region, ...alert.outcomes.map((o) => o.controlId)],
    },
    metadata: {
      threadId: `${alert.accountId}/${alert.resource}`,
      summary: alert.title,
      eventType: alert.eventName,
      relatedResources: [alert.resource],
      additionalContext: { alert: JSON.stringify(alert) },
    },
  };
}
