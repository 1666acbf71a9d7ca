import { createRequire } from 'node:module';
import type { SgNode, SgRoot } from '@ast-grep/napi';
import type { Grammar } from '../files/source-file.js';

const require = createRequire(import.meta.url);
// Required, not imported: an ES import of this CommonJS package first has Node scan its 30 kB
// index.js for export names (cjs-module-lexer, ~6 ms of start-up).
const { parse, parseAsync, registerDynamicLanguage } = require('@ast-grep/napi') as typeof import('@ast-grep/napi');

interface LanguageRegistration {
  readonly libraryPath: string;
  readonly extensions: string[];
  readonly languageSymbol?: string;
  readonly expandoChar?: string;
}

let pythonRegistered = false;

/**
 * ast-grep allows dynamic languages to be registered exactly once per process, and loading
 * the Python grammar costs a dlopen, so it happens lazily on the first Python file.
 */
function ensureGrammar(grammar: Grammar): void {
  if (grammar !== 'python' || pythonRegistered) return;
  const python = require('@ast-grep/lang-python') as LanguageRegistration;
  registerDynamicLanguage({
    python: {
      libraryPath: python.libraryPath,
      extensions: python.extensions,
      ...(python.languageSymbol === undefined ? {} : { languageSymbol: python.languageSymbol }),
      ...(python.expandoChar === undefined ? {} : { expandoChar: python.expandoChar }),
    },
  });
  pythonRegistered = true;
}

export function parseSource(grammar: Grammar, text: string): SgRoot {
  ensureGrammar(grammar);
  return parse(grammar, text);
}

/** Parses on the libuv thread pool, so several files parse while the main thread extracts. */
export function parseSourceAsync(grammar: Grammar, text: string): Promise<SgRoot> {
  ensureGrammar(grammar);
  return parseAsync(grammar, text);
}

export type { SgNode, SgRoot };
