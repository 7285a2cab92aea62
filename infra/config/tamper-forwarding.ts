import type { TamperEventKind } from '#shared/config/names.ts';
import type { ForwarderRegion } from './deployment-regions.ts';

/**
 * What a forwarder region sends tamper-guard: KMS and CloudTrail events where Warden watches the region
 * (its buckets' keys live there) and in us-east-1 (where trails usually have their home); changes to
 * Warden's rules everywhere a forwarder has rules, through the two rules that watch each other.
 */
export function tamperKindsOf(forwarder: ForwarderRegion): TamperEventKind[] {
  const rules: TamperEventKind[] = ['tamperRules', 'tamperRulesWatch'];
  return forwarder.s3 || forwarder.root ? ['tamperKms', 'tamperCloudTrail', ...rules] : rules;
}
