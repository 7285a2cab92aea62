import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  type ResourceNames,
  TAMPER_EVENT_KINDS,
  type TamperEventKind,
  tamperRuleName,
} from '#shared/config/names.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { tamperPattern } from '../events/tamper-pattern.ts';
import { RULE_TARGET_MAX_EVENT_AGE, RULE_TARGET_RETRY_ATTEMPTS } from './cloudtrail-rule.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { GuardFunction } from './guard-function.ts';
import { tamperStatements, tamperSuppressions } from './tamper-permissions.ts';

export interface TamperGuardProps {
  readonly names: ResourceNames;
  readonly policy: Policy;
  readonly serialisedPolicy: string;
  readonly ownSessionArns: readonly string[];
  readonly encryptionKey: kms.IKey;
  readonly bucketKey: kms.IKey;
  readonly alertTopic: sns.ITopic;
  readonly idempotencyTable: dynamodb.ITable;
  readonly auditTable: dynamodb.ITable;
  readonly bundleDir?: string;
}

const DESCRIPTIONS: Record<TamperEventKind, string> = {
  tamperKms: 'KMS key deletion, disabling and key policy changes (this and forwarding regions)',
  tamperCloudTrail: 'CloudTrail trails stopped, deleted or made to drop management events',
  tamperRules: "changes to Warden's own rules, except this rule's own (the watch rule carries those)",
  tamperRulesWatch: 'changes to the tamper-rules rule, which cannot report its own disabling',
};

/**
 * tamper-guard in the hub: the function (its reads and repairs, tamperStatements) and its four rules
 * with fixed names, one dead-letter queue between them. The two rules on Warden's own rules watch each
 * other: a disabled rule cannot report its own disabling, the other one does, and Warden enables it again.
 */
export class TamperGuard extends Construct {
  readonly guard: GuardFunction;
  readonly rules: events.Rule[] = [];
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: TamperGuardProps) {
    super(scope, id);
    const { names } = props;
    const { partition, account } = Stack.of(this);
    this.guard = new GuardFunction(this, 'Function', {
      name: 'tamper-guard',
      names,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.alertTopic,
      bundleDir: props.bundleDir,
    })
      .bindKmsKey(props.bucketKey)
      .bindAlertTopic(props.alertTopic, props.encryptionKey)
      .bindIdempotencyTable(props.idempotencyTable, props.encryptionKey)
      .bindAuditTable(props.auditTable, props.encryptionKey, 'append-and-baselines')
      .bindOwnSessionArns(props.ownSessionArns)
      .bindPolicy(props.serialisedPolicy);
    for (const statement of tamperStatements({
      partition,
      account,
      prefix: names.prefix,
      trails: props.policy.tamper.trails,
    }))
      this.guard.role.addToPrincipalPolicy(statement);
    NagSuppressions.addResourceSuppressions(this.guard.role, tamperSuppressions(), true);

    this.deadLetters = new DeadLetterQueue(this, 'UndeliveredEvents', {
      encryptionKey: props.encryptionKey,
      alertTopic: props.alertTopic,
      purpose: `events EventBridge could not deliver to ${names.functionName('tamper-guard')}`,
    });
    const watchedRules = {
      // The hub's own (CloudFormation names them after the stack), the forwarders', the spokes', and
      // tamper-guard's others; its own changes reach tamper-guard through the watch rule.
      tamperRules: [
        { prefix: `${names.prefix}-hub-` },
        { prefix: `${names.prefix}-forward-` },
        { prefix: `${names.prefix}-spoke-` },
        ...TAMPER_EVENT_KINDS.filter((kind) => kind !== 'tamperRules').map((kind) =>
          tamperRuleName(names, kind),
        ),
      ],
      tamperRulesWatch: tamperRuleName(names, 'tamperRules'),
    };
    for (const kind of TAMPER_EVENT_KINDS)
      this.rules.push(
        new events.Rule(this, kind, {
          ruleName: tamperRuleName(names, kind),
          description: `Warden tamper-guard: ${DESCRIPTIONS[kind]}`,
          eventPattern: tamperPattern(kind, { ownSessionArns: props.ownSessionArns, watchedRules }),
          targets: [
            new targets.LambdaFunction(this.guard.function, {
              retryAttempts: RULE_TARGET_RETRY_ATTEMPTS,
              maxEventAge: RULE_TARGET_MAX_EVENT_AGE,
              deadLetterQueue: this.deadLetters.queue,
            }),
          ],
        }),
      );
  }
}
