import type { Interest } from './file-facts.js';
import { escapeRegex } from './syntax-node.js';

/**
 * Which of the regex-carrying rules can match anything in one file. A `regex` on a node's text
 * can only match when the file's text contains the literal it is built from, so a rule whose
 * literal is absent is left out: ast-grep compiles every regex of a rule set again on each
 * `findAll` (≈ 0.2 ms per file for the full set, more than the traversal of a small file), and
 * a smaller set also costs less per node. Most files of a tree mention no concept, so in
 * `--scope tree` their rule set shrinks to plain `kind` rules. Leaving out a rule that cannot
 * match changes no result.
 */
export interface RuleGates {
  /** A definition word (`definitionWords`) occurs: definitions by name. */
  readonly definitions: boolean;
  /** A concept name occurs: constructions and member uses. */
  readonly uses: boolean;
  /** `require` occurs (TS/JS). */
  readonly require: boolean;
  /** `exports` occurs (TS/JS `exports.X =`). */
  readonly exports: boolean;
  /** `module.exports` occurs (TS/JS). */
  readonly moduleExports: boolean;
  /** `__all__` occurs (Python). */
  readonly dunderAll: boolean;
}

export function ruleGates(interest: Interest, text: string): RuleGates {
  const exports = text.includes('exports');
  return {
    // No words at all makes an empty pattern, which matches every name.
    definitions: interest.definitionWords.length === 0 || interest.definitionWords.some((word) => text.includes(word)),
    uses: interest.names.some((name) => text.includes(name)),
    require: text.includes('require'),
    exports,
    moduleExports: exports && text.includes('module.exports'),
    dunderAll: text.includes('__all__'),
  };
}

/** A small number naming a combination of gates, for caching rule sets. */
export function gateKey(gates: RuleGates): number {
  return (
    Number(gates.definitions) | (Number(gates.uses) << 1) | (Number(gates.require) << 2) |
    (Number(gates.exports) << 3) | (Number(gates.moduleExports) << 4) | (Number(gates.dunderAll) << 5)
  );
}

/** The ast-grep `regex` matching a name that contains one of the definition words. */
export function definitionPattern(interest: Interest): string {
  return interest.definitionWords.map(escapeRegex).join('|');
}
