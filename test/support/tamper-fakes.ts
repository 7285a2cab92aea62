import type {
  ResourceBaseline,
  ResourceBaselineKey,
  ResourceBaselineStore,
} from '#shared/audit/resource-baselines.ts';

/** An in-memory store with the same contract, for tests and the benchmark. */
export function memoryResourceBaselines(): ResourceBaselineStore & {
  readonly items: Map<string, ResourceBaseline>;
} {
  const items = new Map<string, ResourceBaseline>();
  const id = (key: ResourceBaselineKey) => JSON.stringify(key);
  return {
    items,
    read: async (key) => items.get(id(key)),
    write: async (key, baseline) => {
      const current = items.get(id(key));
      if (!current || current.observedAt <= baseline.observedAt) items.set(id(key), baseline);
    },
  };
}
