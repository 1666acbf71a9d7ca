import type { ImportSite } from './file-facts.js';

/** Local names under which a file imports a concept: `import { A as B }` makes `new B()` count. */
export function aliasesOf(imports: readonly ImportSite[], names: readonly string[]): string[] {
  const wanted = new Set(names);
  const aliases: string[] = [];
  for (const site of imports) {
    for (const name of site.names) if (wanted.has(name.imported) && name.local !== name.imported) aliases.push(name.local);
  }
  return aliases;
}
