/**
 * Bucket-name globs for the policy's exempt list: `*` any run of characters, `?` one character,
 * `[abc]` / `[a-z]` / `[!abc]` a class. Bucket names are lower-case letters, digits, `.` and `-`,
 * so nothing else needs escaping rules; every other character matches itself.
 * (A dedicated glob library weighs ~24 KB in each function bundle for this one use.)
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob.charAt(index);
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const close = glob.indexOf(']', index + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      const body = glob.slice(index + 1, close);
      const negated = body.startsWith('!');
      const members = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&');
      source += `[${negated ? '^' : ''}${members}]`;
      index = close;
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function matchesBucketGlob(bucket: string, glob: string): boolean {
  return globToRegExp(glob).test(bucket);
}
