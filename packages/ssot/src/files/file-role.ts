import type { GlobMatcher } from './glob.js';

export type FileRole = 'production' | 'test';

const TEST_DIRECTORIES = new Set(['test', 'tests', '__tests__', 'spec', 'specs', 'testing', '__mocks__', 'e2e']);

/**
 * Findings are split into test and production because they carry different risk: a test that
 * imports through a legacy path is debt, production code doing it is a live hazard.
 */
export function fileRole(relativePath: string, extraTests: GlobMatcher): FileRole {
  if (extraTests(relativePath)) return 'test';
  const segments = relativePath.split('/');
  const name = segments.pop() ?? '';
  if (segments.some((segment) => TEST_DIRECTORIES.has(segment))) return 'test';
  if (/^test_.*\.pyi?$/.test(name) || /_test\.pyi?$/.test(name) || name === 'conftest.py') return 'test';
  if (/\.(test|spec)\.[cm]?[jt]sx?$/.test(name)) return 'test';
  return 'production';
}
