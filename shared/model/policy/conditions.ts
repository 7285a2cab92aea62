import type { ConditionClause } from './policy-document.ts';

/**
 * Whether a condition confines a statement to the values it names. Rules from the IAM User Guide,
 * "IAM JSON policy elements: Condition operators" and "Single-valued vs. multivalued context keys".
 */

/** Operators that match only when the request carries one of the listed values. */
export const MATCHING_STRING_OPERATORS: ReadonlySet<string> = new Set([
  'StringEquals',
  'StringEqualsIgnoreCase',
  'StringLike',
  'ArnEquals',
  'ArnLike',
]);
export const MATCHING_IP_OPERATORS: ReadonlySet<string> = new Set(['IpAddress']);

/**
 * S3 User Guide, "The meaning of public": a fixed value contains no wildcard (`*`, `?`) and no IAM
 * policy variable (`${...}`).
 */
export function isFixedValue(value: string): boolean {
  return !/[*?]|\$\{/.test(value);
}

/**
 * Why this clause does not require the request to carry one of its values, or undefined when it does.
 * - `...IfExists`: "If the key is not present, evaluate the condition element as true" — an anonymous
 *   request without the key passes, so the clause pins nothing.
 * - `ForAllValues:`: "returns true if there are no context keys in the request" — pins nothing.
 * - `ForAnyValue:`: false when the key is absent; on a single-valued key it behaves like the bare operator.
 * - Negated operators (`StringNotEquals`, `NotIpAddress`, ...), `Null`, `Bool`, numeric and date
 *   operators name no value the request must carry.
 */
export function operatorProblem(clause: ConditionClause, operators: ReadonlySet<string>): string | undefined {
  if (clause.ifExists) return `${clause.operator} also matches requests without the key`;
  if (clause.setQualifier === 'ForAllValues')
    return `${clause.operator} also matches requests without the key`;
  if (!operators.has(clause.baseOperator)) return `operator ${clause.operator} does not pin a value`;
  if (clause.values.length === 0) return `${clause.operator} lists no value`;
  return undefined;
}

/** Condition keys are case-insensitive in IAM. */
export const sameKey = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
