/**
 * Compiles a pattern over `"METHOD /path"` strings, as fault rules and the request-log filter use them.
 *
 * - A pattern starting with `^` is a regular expression, e.g. `^POST /data/api/[^/]+/item$`.
 * - Anything else is a glob matched against the whole string: `*` is any run of characters but `/`, `**` any run at
 *   all, `?` one character. A glob starting with `/` matches any method: `/predict/api/*` equals `* /predict/api/*`.
 *
 * @throws SyntaxError naming the pattern when the regular expression does not compile.
 */
export function compileMatcher(pattern: string): (target: string) => boolean {
  if (pattern.startsWith('^')) {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern);
    } catch (error) {
      throw new SyntaxError(`invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`);
    }
    return (target) => regex.test(target);
  }
  const full = pattern.startsWith('/') ? `* ${pattern}` : pattern;
  const regex = new RegExp(`^${globToRegexSource(full)}$`);
  return (target) => regex.test(target);
}

/** Compiles a glob over a bare path (no method), with the syntax of {@link compileMatcher}. */
export function compilePathGlob(glob: string): (path: string) => boolean {
  const regex = new RegExp(`^${globToRegexSource(glob)}$`);
  return (path) => regex.test(path);
}

function globToRegexSource(glob: string): string {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (char === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i++;
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '.';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return source;
}
