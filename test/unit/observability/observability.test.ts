import { afterEach, describe, expect, it, vi } from 'vitest';
import { createObservability } from '#shared/observability/observability.ts';

/** The EMF documents Powertools Metrics writes to stdout, parsed. */
function captureEmf() {
  const documents: Array<Record<string, unknown>> = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed._aws) documents.push(parsed);
    }
    return true;
  });
  return documents;
}

const dimensionSets = (document: Record<string, unknown>) =>
  (document._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics.flatMap(
    (entry) => entry.Dimensions,
  );

describe('metrics recorder', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('counts a metric with dimensions under the service alone too, the set the alarms watch', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const documents = captureEmf();
    const { metrics, recorder } = createObservability('s3-guard');

    recorder.count('RemediationFailures', { control: 's3-encryption-kms' });
    metrics.publishStoredMetrics();

    const counted = documents.filter((document) => document.RemediationFailures === 1);
    expect(counted.map(dimensionSets)).toEqual(
      expect.arrayContaining([[['service']], [['service', 'control']]]),
    );
  });

  it('emits each duration as its own value in milliseconds under the service, which the dashboard takes percentiles of', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const documents = captureEmf();
    const { recorder } = createObservability('s3-guard');

    recorder.milliseconds?.('EventToFixedMs', 4_500);
    recorder.milliseconds?.('EventToFixedMs', 12_000);

    const emitted = documents.filter((document) => 'EventToFixedMs' in document);
    expect(emitted.map((document) => document.EventToFixedMs)).toEqual([4_500, 12_000]);
    expect(emitted[0]?.service).toBe('s3-guard');
    const emf = emitted[0]?._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] } | undefined;
    expect(emf?.CloudWatchMetrics[0]).toMatchObject({
      Dimensions: [['service']],
      Metrics: [{ Name: 'EventToFixedMs', Unit: 'Milliseconds' }],
    });
  });
});
