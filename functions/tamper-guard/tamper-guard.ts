import type { RemediationJournal } from '#shared/audit/remediation-journal.ts';
import type { ResourceBaselineStore } from '#shared/audit/resource-baselines.ts';
import type { ClientsFor } from '#shared/aws/cross-account.ts';
import type { ControlId } from '#shared/contracts/controls.ts';
import {
  DETECT_ONLY_CONTROLS,
  KEY_CONTROLS,
  RULE_CONTROLS,
  TAMPER_GUARD_EVENT_NAMES,
  TRAIL_CONTROLS,
} from '#shared/controls/tamper-registry.ts';
import type { EvaluationContext } from '#shared/controls/types.ts';
import type { ApiCall } from '#shared/events/normalise.ts';
import { controlsFor } from '#shared/guard/evaluate.ts';
import { createGuard, type GuardDeps, type GuardPlugin, type Scope } from '#shared/guard/pipeline.ts';
import { remediateResource } from '#shared/guard/resource.ts';
import { RULE_RESOURCE_TYPE } from '#shared/model/event-rule.ts';
import { KEY_RESOURCE_TYPE } from '#shared/model/kms-key.ts';
import { TRAIL_RESOURCE_TYPE } from '#shared/model/trail.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { subjectOf, type TamperSubject } from './subjects.ts';
import { keyTarget, ruleTarget, type TamperClients, trailTarget } from './targets.ts';

export interface TamperGuardDeps extends GuardDeps {
  readonly config: GuardDeps['config'] & { readonly kmsKeyArn: string };
  /** Warden's resource names: its key aliases and the prefix of its rules. */
  readonly names: {
    readonly prefix: string;
    readonly kmsKeyAlias: string;
    readonly internalKeyAlias: string;
  };
  readonly baselines: ResourceBaselineStore;
  readonly journal: RemediationJournal;
  /** Clients for the event's account and region (organization mode: the assumed member role). */
  readonly clientsFor: ClientsFor<TamperClients>;
  readonly pause?: (milliseconds: number) => Promise<void>;
}

/** An `enforce` setting of a detect-only control reads as `detect` (see DETECT_ONLY_CONTROLS). */
export function withDetectOnlyCapped(policy: Policy): Policy {
  const controls = { ...policy.controls };
  for (const id of DETECT_ONLY_CONTROLS as ReadonlySet<ControlId>)
    if (controls[id]?.mode === 'enforce') controls[id] = { mode: 'detect' };
  return { ...policy, controls };
}

const defaultPause = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** tamper-guard: Warden's keys and the keys buckets use, the trail, Warden's own rules. */
export function createTamperGuard(deps: TamperGuardDeps) {
  return createGuard(deps, tamperGuardPlugin(deps));
}

export function tamperGuardPlugin(deps: TamperGuardDeps): GuardPlugin<TamperSubject> {
  const policy = withDetectOnlyCapped(deps.config.policy);
  const resourceDeps = { journal: deps.journal, pause: deps.pause ?? defaultPause };
  const protectedKeys = {
    wardenAliases: [deps.names.kmsKeyAlias, deps.names.internalKeyAlias],
    approvedKeyArns: [deps.config.kmsKeyArn, ...policy.s3.approvedKmsKeyArns],
  };

  const contextFor = (call: ApiCall): EvaluationContext => ({
    policy,
    wardenKmsKeyArn: deps.config.kmsKeyArn,
    accountId: call.accountId,
    region: call.region,
  });
  const clientsIn = (call: ApiCall, region: string) => {
    let scoped: Promise<TamperClients> | undefined;
    return () => {
      scoped ??= deps.clientsFor({ accountId: call.accountId, region, eventId: call.eventId });
      return scoped;
    };
  };
  const baselineDeps = { baselines: deps.baselines, clock: deps.clock };

  return {
    eventNames: TAMPER_GUARD_EVENT_NAMES,
    scope(call): Scope<TamperSubject> {
      const subject = subjectOf(call, deps.names.prefix);
      if (typeof subject === 'string') return { rejected: subject };
      if ('ignored' in subject) return { ignored: subject.ignored };
      return { subject };
    },
    remediate(call, subject, pausedFor) {
      // A fight's cool-down pauses a control here (shared/guard/fights.ts); CRITICAL ones never pause.
      const context = contextFor(call);
      switch (subject.kind) {
        case 'key':
          return remediateResource(
            resourceDeps,
            call,
            keyTarget(baselineDeps, call, subject.arn, clientsIn(call, call.region), protectedKeys, context),
            controlsFor(call.eventName, KEY_CONTROLS, policy),
            context,
            pausedFor,
          );
        case 'trail':
          return remediateResource(
            resourceDeps,
            call,
            trailTarget(
              baselineDeps,
              call,
              subject,
              subject.region,
              clientsIn(call, subject.region),
              policy.tamper.trails,
            ),
            controlsFor(call.eventName, TRAIL_CONTROLS, policy),
            context,
            pausedFor,
          );
        case 'rule':
          return remediateResource(
            resourceDeps,
            call,
            ruleTarget(call, subject, subject.change, deps.names.prefix, clientsIn(call, call.region)),
            controlsFor(call.eventName, RULE_CONTROLS, policy),
            context,
            pausedFor,
          );
      }
    },
    describe(call, subject) {
      const region = subject.kind === 'trail' ? subject.region : call.region;
      const console = `https://${region}.console.aws.amazon.com`;
      const [resourceType, resourceLink] =
        subject.kind === 'key'
          ? [
              KEY_RESOURCE_TYPE,
              `${console}/kms/home?region=${region}#/kms/keys/${subject.arn.replace(/^.*:key\//, '')}`,
            ]
          : subject.kind === 'trail'
            ? [TRAIL_RESOURCE_TYPE, `${console}/cloudtrailv2/home?region=${region}#/trails`]
            : [
                RULE_RESOURCE_TYPE,
                `${console}/events/home?region=${region}#/eventbus/default/rules/${subject.name}`,
              ];
      return { resourceType, resource: subject.arn, accountId: call.accountId, resourceLink };
    },
  };
}
