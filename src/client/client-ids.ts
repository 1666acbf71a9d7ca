/**
 * Random ids from crypto.getRandomValues, which (unlike crypto.randomUUID) also exists on pages
 * served over plain http from a LAN address.
 */
export function randomId(prefix: string): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let out = prefix;
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
