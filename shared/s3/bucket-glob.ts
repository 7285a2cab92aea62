/**
 * Bucket-name globs for the policy's exempt list: `*` any run of characters, `?` one character,
 * `[abc]` / `[a-z]` / `[!abc]` a class, and the placeholders `{account}` / `{region}`, which stand for
 * the account and region of the bucket being judged (the CDK bootstrap bucket is
 * `cdk-<qualifier>-assets-<account>-<region>`). Bucket names hold letters, digits, `.`, `-` and (legacy
 * us-east-1 names) `_`, so every other character matches itself.
 * (A dedicated glob library weighs ~24 KB in each function bundle for this one use.)
 */

/** Where the bucket lives: what `{account}` and `{region}` stand for. */
export interface BucketLocation {
  readonly accountId: string;
  readonly region: string;
}

export type CompiledGlob =
  | { readonly ok: true; readonly regExp: RegExp }
  | { readonly ok: false; readonly problem: string };

const PLACEHOLDER = /^\{(account|region)\}/;

/** Any location: placeholders become escaped literals, so whether a glob compiles never depends on it. */
const CHECK_LOCATION: BucketLocation = { accountId: '123456789012', region: 'us-east-1' };

const escapeLiteral = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The glob as an anchored regular expression, or why it cannot be one. Never throws: the policy schema
 * rejects a glob that does not compile, and the guard, given one anyway, matches nothing with it.
 */
export function globToRegExp(glob: string, location: BucketLocation): CompiledGlob {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob.charAt(index);
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '{') {
      const placeholder = PLACEHOLDER.exec(glob.slice(index));
      if (!placeholder) return { ok: false, problem: 'has a "{" that is neither {account} nor {region}' };
      source += escapeLiteral(placeholder[1] === 'account' ? location.accountId : location.region);
      index += placeholder[0].length - 1;
    } else if (char === '}') return { ok: false, problem: 'has a "}" that closes no placeholder' };
    else if (char === '[') {
      const close = glob.indexOf(']', index + 2);
      if (close < 0) return { ok: false, problem: 'has a "[" with no closing "]"' };
      const body = glob.slice(index + 1, close);
      const negated = body.startsWith('!');
      const members = negated ? body.slice(1) : body;
      if (members.length === 0)
        return { ok: false, problem: `has an empty class "${glob.slice(index, close + 1)}"` };
      source += `[${negated ? '^' : ''}${members.replace(/[\\\]^]/g, '\\$&')}]`;
      index = close;
    } else source += escapeLiteral(char);
  }
  try {
    return { ok: true, regExp: new RegExp(`^${source}$`) };
  } catch (error) {
    // A class the engine refuses, such as the reversed range in `[z-a]`.
    return { ok: false, problem: `is not a valid glob (${(error as Error).message})` };
  }
}

/** Why the glob cannot be used, or undefined when it can: the policy schema's check. */
export function bucketGlobProblem(glob: string): string | undefined {
  const compiled = globToRegExp(glob, CHECK_LOCATION);
  return compiled.ok ? undefined : compiled.problem;
}

/** Whether the bucket matches; a glob that does not compile matches nothing (never throws). */
export function matchesBucketGlob(bucket: string, glob: string, location: BucketLocation): boolean {
  const compiled = globToRegExp(glob, location);
  return compiled.ok && compiled.regExp.test(bucket);
}
