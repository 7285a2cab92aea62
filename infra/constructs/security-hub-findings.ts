import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { firstCountAlarm } from './alarm-topic.ts';
import type { GuardFunction } from './guard-function.ts';

/**
 * A guard that imports its findings into Security Hub (policy `securityHub.enabled`): the grants (see
 * GuardFunction.bindSecurityHubFindings) and an alarm on the first finding that failed to import. A failed
 * import never blocks a repair, so without the alarm nobody would learn that Security Hub is behind.
 */
export function importFindingsIntoSecurityHub(
  guard: GuardFunction,
  auditTable: dynamodb.ITable,
  alarmTopic: sns.ITopic,
): void {
  guard.bindSecurityHubFindings(auditTable);
  guard.alarms.push(
    firstCountAlarm(
      guard,
      'FindingsImportFailuresAlarm',
      {
        service: guard.service,
        metricName: 'FindingsImportFailures',
        alarmDescription:
          `Warden: ${guard.service} could not import findings into Security Hub (not enabled, throttled or refused); ` +
          'the repairs went ahead. Run `npx warden doctor` and see the function log.',
      },
      alarmTopic,
    ),
  );
}
