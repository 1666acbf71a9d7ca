/**
 * The order reports list files and paths in: `a.localeCompare(b)`, which is what the one
 * collator below computes. Creating it (ICU's collation data) costs ~7 ms the first time, so the
 * scan creates it while the main thread waits for its first parses instead of at report time.
 */
let collator: Intl.Collator | null = null;

export function compareText(a: string, b: string): number {
  collator ??= new Intl.Collator();
  return collator.compare(a, b);
}

export function prepareTextOrder(): void {
  collator ??= new Intl.Collator();
}
