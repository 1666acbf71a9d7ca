/**
 * A constructor's parameters, in one shape for both languages, and the binding check Python and
 * TypeScript apply to a call: positional arguments fill positional parameters in order, keywords
 * (Python only) fill the rest by name, and every required parameter must end up filled.
 */
export interface Parameter {
  readonly name: string;
  /** `positional`: positional-only (before `/`, or any TS parameter); `keyword`: after `*`. */
  readonly kind: 'positional' | 'either' | 'keyword';
  readonly required: boolean;
}

export interface Signature {
  readonly parameters: readonly Parameter[];
  /** `*args` / `...rest`: any number of extra positional arguments. */
  readonly restPositional: boolean;
  /** `**kwargs`: any keyword. */
  readonly restKeyword: boolean;
  /** Where it is declared (`file:line`), or null for the implicit no-argument constructor. */
  readonly at: string | null;
}

export const NO_ARGUMENTS: Signature = { parameters: [], restPositional: false, restKeyword: false, at: null };

/** What one call passes; `spread` when `*args`/`**kw`/`...xs` make the count unknowable. */
export interface CallShape {
  readonly positional: number;
  readonly keywords: readonly string[];
  readonly spread: boolean;
}

/** Why the call would fail against the signature, one message per problem; empty when it binds. */
export function bindingProblems(signature: Signature, call: CallShape): string[] {
  if (call.spread) return [];
  const problems: string[] = [];
  const positional = signature.parameters.filter((parameter) => parameter.kind !== 'keyword');
  if (call.positional > positional.length && !signature.restPositional) {
    problems.push(`${call.positional} positional arguments, the constructor takes at most ${positional.length}`);
  }
  const filled = new Set(positional.slice(0, call.positional).map((parameter) => parameter.name));
  for (const keyword of call.keywords) {
    const parameter = signature.parameters.find((candidate) => candidate.name === keyword && candidate.kind !== 'positional');
    if (parameter === undefined) {
      if (!signature.restKeyword) problems.push(`keyword argument '${keyword}' is not a parameter`);
    } else if (filled.has(keyword)) problems.push(`'${keyword}' is given both by position and by keyword`);
    filled.add(keyword);
  }
  const missing = signature.parameters.filter((parameter) => parameter.required && !filled.has(parameter.name)).map((parameter) => parameter.name);
  if (missing.length > 0) problems.push(`missing required argument${missing.length === 1 ? '' : 's'} ${missing.map((name) => `'${name}'`).join(', ')}`);
  return problems;
}

/** `(emitter, exec_context, *, retries=…, **kwargs)`: how the report prints a signature. */
export function signatureText(signature: Signature): string {
  const parts: string[] = [];
  let keywordMarked = false;
  for (const parameter of signature.parameters) {
    if (parameter.kind === 'keyword' && !keywordMarked && !signature.restPositional) {
      parts.push('*');
      keywordMarked = true;
    }
    parts.push(parameter.required ? parameter.name : `${parameter.name}=…`);
  }
  if (signature.restPositional) parts.push('*args');
  if (signature.restKeyword) parts.push('**kwargs');
  return `(${parts.join(', ')})`;
}

export function sameSignature(a: Signature, b: Signature): boolean {
  return signatureText(a) === signatureText(b);
}
