import type {
  ResourceBaseline,
  ResourceBaselineKey,
  ResourceBaselineStore,
} from '#shared/audit/resource-baselines.ts';
import { ACCOUNT_ID } from '../fixtures.ts';

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

/** The statement every key policy starts with: the account itself administers the key. */
export const KEY_ADMIN_STATEMENT = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
  Action: 'kms:*',
  Resource: '*',
};

export const keyPolicyOf = (...statements: object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
