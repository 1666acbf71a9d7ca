/**
 * Module and symbol paths written in strings that a tool resolves at run time: a rename that
 * rewrites only the imports leaves these pointing at the old module, and nothing fails until the
 * test that patches it runs (or, worse, passes while patching a module nobody uses any more).
 */
export type StringReferenceKind = 'mock.patch' | 'patch.object' | 'import_module' | 'jest.mock' | 'vi.mock' | 'require.resolve';

export interface StringReference {
  readonly kind: StringReferenceKind;
  /** The path as written: `a.b.C.method`, `./transport/x.js`; for patch.object, `target.attribute`. */
  readonly value: string;
  readonly line: number;
  /** UTF-16 offsets of the string's content (without quotes), for the fixer; patch.object: the target expression. */
  readonly start: number;
  readonly end: number;
}

/** Cheap needles per language: a file without any of them has no string references to look for. */
export const STRING_REFERENCE_NEEDLES: { readonly python: readonly string[]; readonly ts: readonly string[] } = {
  python: ['patch', 'import_module'],
  ts: ['.mock(', 'Mock(', 'requireActual', 'importActual', 'require.resolve'],
};

const PYTHON: readonly [StringReferenceKind, RegExp][] = [
  ['patch.object', /\bpatch\.object\s*\(\s*([A-Za-z_][\w.]*)\s*,\s*(['"])(\w+)\2/g],
  ['mock.patch', /\bpatch\s*\(\s*(?:target\s*=\s*)?(['"])([A-Za-z_][\w.]*)\1/g],
  ['import_module', /\bimport_module\s*\(\s*(['"])([A-Za-z_.][\w.]*)\1/g],
];

const TYPESCRIPT: readonly [StringReferenceKind, RegExp][] = [
  ['jest.mock', /\bjest\.(?:mock|doMock|unmock|requireActual|createMockFromModule)\s*\(\s*(['"`])([^'"`\n$]+)\1/g],
  ['vi.mock', /\bvi\.(?:mock|doMock|unmock|importActual)\s*(?:<[^>\n]*>)?\(\s*(['"`])([^'"`\n$]+)\1/g],
  ['require.resolve', /\brequire\.resolve\s*\(\s*(['"`])([^'"`\n$]+)\1/g],
];

/**
 * Found by pattern over the text rather than the syntax tree, so they can be collected from
 * every file the scan reads, parsed or not: a test that patches the old module by name rarely
 * names the concept itself.
 */
export function stringReferences(text: string, python: boolean): StringReference[] {
  if (!STRING_REFERENCE_NEEDLES[python ? 'python' : 'ts'].some((needle) => text.includes(needle))) return [];
  const found: StringReference[] = [];
  for (const [kind, pattern] of python ? PYTHON : TYPESCRIPT) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const isObject = kind === 'patch.object';
      const value = isObject ? `${match[1] ?? ''}.${match[3] ?? ''}` : (match[2] ?? '');
      const content = isObject ? (match[1] ?? '') : value;
      const start = match.index + (isObject ? match[0].indexOf(content, match[0].indexOf('(')) : match[0].lastIndexOf(content));
      found.push({ kind, value, line: lineAt(text, match.index), start, end: start + content.length });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line += 1;
  return line;
}
