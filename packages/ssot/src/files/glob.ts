/**
 * Minimal gitignore-style globs for `exclude` and `tests` settings: `**` crosses directories,
 * `*` and `?` stay inside one segment. A pattern without a slash matches a name at any depth,
 * as in .gitignore, so `fixtures` excludes every fixtures directory.
 */
export type GlobMatcher = (relativePath: string) => boolean;

export function compileGlobs(patterns: readonly string[]): GlobMatcher {
  if (patterns.length === 0) return () => false;
  const expressions = patterns.map(globToRegExp);
  return (relativePath) => expressions.some((expression) => expression.test(relativePath));
}

function globToRegExp(pattern: string): RegExp {
  let glob = pattern.replace(/^\.\//, '').replace(/\/$/, '');
  const anchored = glob.includes('/');
  if (glob.startsWith('/')) glob = glob.slice(1);
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob.charAt(index);
    if (char === '*' && glob.charAt(index + 1) === '*') {
      const slashFollows = glob.charAt(index + 2) === '/';
      source += slashFollows ? '(?:.*/)?' : '.*';
      index += slashFollows ? 2 : 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  const prefix = anchored ? '^' : '^(?:.*/)?';
  // A directory pattern also matches everything below it.
  return new RegExp(`${prefix}${source}(?:/.*)?$`);
}
