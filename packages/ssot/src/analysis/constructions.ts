import type { Construction } from '../facts/file-facts.js';
import { aliasesOf } from '../facts/import-aliases.js';
import type { ConstructionFinding } from './audit-result.js';
import type { Project } from './project.js';

/**
 * Direct constructions of the concept and whether each sits inside an allowed factory. A
 * factory is named as a function or method (`createNotifier`), a class whose methods may
 * construct (`AgentInstanceFactory`), or one method of a class (`AgentInstanceFactory.create`).
 */
export function findConstructions(project: Project, name: string, factories: readonly string[]): ConstructionFinding[] {
  const findings: ConstructionFinding[] = [];
  for (const file of project.scannedFiles()) {
    const facts = project.facts(file);
    const aliases = new Set([name, ...aliasesOf(facts.imports, [name])]);
    for (const construction of facts.constructions) {
      if (!aliases.has(construction.callee) && !construction.callee.endsWith(`.${name}`)) continue;
      findings.push({
        file: file.rel,
        line: construction.line,
        column: construction.column,
        role: file.role,
        callee: construction.callee,
        snippet: construction.snippet,
        enclosing: construction.enclosing.length === 0 ? '<module>' : [...construction.enclosing].reverse().join('.'),
        factory: matchingFactory(construction, factories),
      });
    }
  }
  return findings;
}

function matchingFactory(construction: Construction, factories: readonly string[]): string | null {
  const scopes = construction.enclosing;
  for (const factory of factories) {
    const dot = factory.lastIndexOf('.');
    if (dot === -1) {
      if (scopes.includes(factory)) return factory;
      continue;
    }
    const owner = factory.slice(0, dot);
    const member = factory.slice(dot + 1);
    for (let index = 0; index + 1 < scopes.length; index += 1) {
      if (scopes[index] === member && scopes[index + 1] === owner) return factory;
    }
  }
  return null;
}
