/** Where an import leads. `external` means "outside the audited tree, and that is fine". */
export type Resolution =
  | { readonly status: 'resolved'; readonly file: string }
  | { readonly status: 'builtin' }
  | { readonly status: 'external' }
  | { readonly status: 'unresolved'; readonly reason: string };

export const EXTERNAL: Resolution = { status: 'external' };
export const BUILTIN: Resolution = { status: 'builtin' };
