/** Values the pseudo parameters take once deployed, to evaluate patterns and ARNs as AWS would. */
export const DEPLOYED = {
  'AWS::Partition': 'aws',
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'us-east-1',
};

/** Resolves `Ref` to pseudo parameters and `Fn::Join` in a template fragment; other values unchanged. */
export function resolvePseudo(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolvePseudo);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const ref = record.Ref;
  if (typeof ref === 'string' && ref in DEPLOYED) return DEPLOYED[ref as keyof typeof DEPLOYED];
  const join = record['Fn::Join'];
  if (Array.isArray(join)) {
    const [separator, parts] = join as [string, unknown[]];
    return parts.map((part) => String(resolvePseudo(part))).join(separator);
  }
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, resolvePseudo(inner)]));
}
