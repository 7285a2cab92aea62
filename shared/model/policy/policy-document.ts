import { InvalidPolicyError } from './errors.ts';

/**
 * A bucket policy in one canonical shape, whatever encoding it arrived in: the JSON string returned by
 * GetBucketPolicy, or CloudTrail's parsed `requestParameters.bucketPolicy` (older records wrap scalars in
 * one-element arrays). Grammar: IAM User Guide, "Grammar of the IAM JSON policy language".
 */

export type PrincipalType = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';

/** One principal as written. `"Principal": "*"` reads as `{ type: 'AWS', id: '*' }`: IAM treats both alike. */
export interface Principal {
  readonly type: PrincipalType;
  readonly id: string;
}

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

/** One key of one condition operator, e.g. `"ForAnyValue:StringEqualsIfExists": { "aws:SourceVpce": [...] }`. */
export interface ConditionClause {
  /** The operator as written. */
  readonly operator: string;
  /** The operator without its set qualifier and `IfExists` suffix, e.g. `StringEquals`. */
  readonly baseOperator: string;
  readonly ifExists: boolean;
  readonly setQualifier?: SetQualifier;
  /** The condition key as written; IAM compares keys case-insensitively. */
  readonly key: string;
  /** Values as strings (`true`, `42` become `"true"`, `"42"`); several values are ORed by IAM. */
  readonly values: readonly string[];
}

export interface PolicyStatement {
  /** Position in the policy's statement list, used to name statements to remove. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principals: readonly Principal[];
  readonly notPrincipals: readonly Principal[];
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly conditions: readonly ConditionClause[];
  /** The statement as received (a private copy), written back untouched when Warden keeps it. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface PolicyDocument {
  readonly version?: string;
  readonly id?: string;
  readonly statements: readonly PolicyStatement[];
}

const PRINCIPAL_TYPES: readonly PrincipalType[] = ['AWS', 'Service', 'Federated', 'CanonicalUser'];
const OPERATOR = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/;

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function fail(path: string, problem: string): never {
  throw new InvalidPolicyError(`Bucket policy ${path}: ${problem}`);
}

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;

/** Older CloudTrail records wrap scalars in one-element arrays: `["Allow"]` reads as `"Allow"`. */
function unwrapSingleton(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 && typeof value[0] !== 'object' ? value[0] : value;
}

function optionalString(value: unknown, path: string): string | undefined {
  const scalar = unwrapSingleton(value);
  if (scalar === undefined) return undefined;
  if (typeof scalar !== 'string') fail(path, `expected a string, got ${describe(scalar)}`);
  return scalar;
}

/** `Action`, `Resource` and principal values: a string or a list of strings. */
function stringList(value: unknown, path: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return [...value];
  return fail(path, `expected a string or a list of strings, got ${describe(value)}`);
}

/** Condition values may be strings, numbers or booleans, alone or in a list; IAM compares them as text. */
function conditionValues(value: unknown, path: string): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, position) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    return fail(`${path}[${position}]`, `expected a string, number or boolean, got ${describe(item)}`);
  });
}

/**
 * `Principal` forms: `"*"`; `{"AWS": "*"}`; `{"AWS" | "Service" | "Federated" | "CanonicalUser": value or list}`.
 * A bare ARN or account id, alone or in a list, is read as an AWS principal.
 */
function principalList(value: unknown, path: string): Principal[] {
  if (typeof value === 'string' || Array.isArray(value)) {
    return stringList(value, path).map((id) => ({ type: 'AWS', id }));
  }
  if (!isRecord(value)) return fail(path, `expected "*" or an object of principals, got ${describe(value)}`);
  const entries = Object.entries(value);
  if (entries.length === 0) fail(path, 'names no principal');
  return entries.flatMap(([type, ids]) => {
    if (!PRINCIPAL_TYPES.includes(type as PrincipalType)) {
      fail(path, `unknown principal type "${type}" (expected ${PRINCIPAL_TYPES.join(', ')})`);
    }
    return stringList(ids, `${path}.${type}`).map((id) => ({ type: type as PrincipalType, id }));
  });
}

function parseOperator(operator: string): Omit<ConditionClause, 'key' | 'values'> {
  const match = OPERATOR.exec(operator);
  const base = match?.[2];
  // `IfExists` alone is not an operator: keep it as the base so it never reads as a known one.
  if (!match || !base) return { operator, baseOperator: operator, ifExists: false };
  return {
    operator,
    baseOperator: base,
    ifExists: match[3] !== undefined,
    ...(match[1] ? { setQualifier: match[1] as SetQualifier } : {}),
  };
}

function conditionList(value: unknown, path: string): ConditionClause[] {
  if (value === undefined) return [];
  if (!isRecord(value)) return fail(path, `expected an object of operators, got ${describe(value)}`);
  return Object.entries(value).flatMap(([operator, keys]) => {
    if (!isRecord(keys))
      fail(`${path}.${operator}`, `expected an object of condition keys, got ${describe(keys)}`);
    const parsed = parseOperator(operator);
    return Object.entries(keys).map(([key, values]) => ({
      ...parsed,
      key,
      values: conditionValues(values, `${path}.${operator}.${key}`),
    }));
  });
}

/** Exactly one element of a pair such as `Action` / `NotAction` (IAM grammar: `action_block`). */
function oneOf(statement: Json, positive: string, negative: string, path: string) {
  const hasPositive = statement[positive] !== undefined;
  const hasNegative = statement[negative] !== undefined;
  if (hasPositive === hasNegative) fail(path, `needs exactly one of ${positive} and ${negative}`);
  return { hasPositive, value: hasPositive ? statement[positive] : statement[negative] };
}

function parseEffect(value: unknown, path: string): 'Allow' | 'Deny' {
  const effect = optionalString(value, path);
  if (effect !== 'Allow' && effect !== 'Deny') {
    fail(path, `must be "Allow" or "Deny", got ${effect === undefined ? 'nothing' : `"${effect}"`}`);
  }
  return effect;
}

function parseStatement(value: unknown, index: number): PolicyStatement {
  const path = `Statement[${index}]`;
  if (!isRecord(value)) return fail(path, `expected an object, got ${describe(value)}`);
  const principal = oneOf(value, 'Principal', 'NotPrincipal', path);
  const action = oneOf(value, 'Action', 'NotAction', path);
  const resource = oneOf(value, 'Resource', 'NotResource', path);
  const principals = principalList(principal.value, `${path}.${principal.hasPositive ? '' : 'Not'}Principal`);
  const actions = stringList(action.value, `${path}.${action.hasPositive ? '' : 'Not'}Action`);
  const resources = stringList(resource.value, `${path}.${resource.hasPositive ? '' : 'Not'}Resource`);
  const sid = optionalString(value.Sid, `${path}.Sid`);
  return {
    index,
    ...(sid !== undefined ? { sid } : {}),
    effect: parseEffect(value.Effect, `${path}.Effect`),
    principals: principal.hasPositive ? principals : [],
    notPrincipals: principal.hasPositive ? [] : principals,
    actions: action.hasPositive ? actions : [],
    notActions: action.hasPositive ? [] : actions,
    resources: resource.hasPositive ? resources : [],
    notResources: resource.hasPositive ? [] : resources,
    conditions: conditionList(value.Condition, `${path}.Condition`),
    raw: structuredClone(value),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidPolicyError(`Bucket policy is not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/**
 * Reads a bucket policy from a JSON string or an already parsed object into the canonical form.
 * Throws InvalidPolicyError, naming the offending element, when the input is not a policy document.
 */
export function normalisePolicy(input: unknown): PolicyDocument {
  const document = typeof input === 'string' ? parseJson(input) : input;
  if (!isRecord(document)) return fail('document', `expected an object, got ${describe(document)}`);
  const statementValue = document.Statement;
  if (statementValue === undefined) fail('document', 'has no Statement');
  const statements = Array.isArray(statementValue) ? statementValue : [statementValue];
  const version = optionalString(document.Version, 'Version');
  const id = optionalString(document.Id, 'Id');
  return {
    ...(version !== undefined ? { version } : {}),
    ...(id !== undefined ? { id } : {}),
    statements: statements.map(parseStatement),
  };
}

/** The received statement, with one-element arrays of the old CloudTrail encoding unwrapped where IAM wants a string. */
function wireStatement(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const statement: Record<string, unknown> = { ...raw };
  for (const key of ['Sid', 'Effect']) {
    if (statement[key] !== undefined) statement[key] = unwrapSingleton(statement[key]);
  }
  return statement;
}

/**
 * The policy JSON that PutBucketPolicy accepts. Statements are written as received, so restoring or
 * stripping a policy never rewrites a legitimate statement.
 */
export function serializePolicy(document: PolicyDocument): string {
  return JSON.stringify({
    ...(document.version !== undefined ? { Version: document.version } : {}),
    ...(document.id !== undefined ? { Id: document.id } : {}),
    Statement: document.statements.map((statement) => wireStatement(statement.raw)),
  });
}

/** The same document without the statements at the given indexes; the rest keep their original index. */
export function withoutStatements(document: PolicyDocument, indexes: ReadonlySet<number>): PolicyDocument {
  return {
    ...document,
    statements: document.statements.filter((statement) => !indexes.has(statement.index)),
  };
}
