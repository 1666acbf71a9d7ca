/**
 * tsconfig.json is JSON with comments and trailing commas. This scanner blanks both out while
 * respecting string literals, then hands the text to JSON.parse.
 */
export function parseJsonc(text: string): unknown {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text.charAt(index);
    const next = text.charAt(index + 1);
    if (char === '"') {
      const end = endOfString(text, index);
      out += text.slice(index, end);
      index = end;
    } else if (char === '/' && next === '/') {
      while (index < text.length && text.charAt(index) !== '\n') index += 1;
    } else if (char === '/' && next === '*') {
      const end = text.indexOf('*/', index + 2);
      index = end === -1 ? text.length : end + 2;
    } else if (char === ',' && nextSignificant(text, index + 1) !== null && /[}\]]/.test(nextSignificant(text, index + 1) ?? '')) {
      index += 1;
    } else {
      out += char;
      index += 1;
    }
  }
  return JSON.parse(out) as unknown;
}

function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    const char = text.charAt(index);
    if (char === '\\') index += 2;
    else if (char === '"') return index + 1;
    else index += 1;
  }
  return index;
}

/** The next character that is not whitespace or inside a comment. */
function nextSignificant(text: string, start: number): string | null {
  let index = start;
  while (index < text.length) {
    const char = text.charAt(index);
    if (/\s/.test(char)) index += 1;
    else if (char === '/' && text.charAt(index + 1) === '/') {
      const end = text.indexOf('\n', index);
      index = end === -1 ? text.length : end;
    } else if (char === '/' && text.charAt(index + 1) === '*') {
      const end = text.indexOf('*/', index + 2);
      index = end === -1 ? text.length : end + 2;
    } else return char;
  }
  return null;
}
