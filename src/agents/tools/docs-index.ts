/**
 * A small BM25 index over documentation sections. Small on purpose: the docs are a few dozen
 * sections, so a map of term counts per section and a linear scan per query are fast enough and
 * leave nothing to tune but the two textbook constants.
 */

export interface DocSection {
  file: string;
  heading: string;
  body: string;
}

interface IndexedSection {
  section: DocSection;
  counts: Map<string, number>;
  length: number;
}

export interface SearchIndex {
  sections: IndexedSection[];
  /** In how many sections each term occurs. */
  documentFrequency: Map<string, number>;
  averageLength: number;
}

export interface RankedSection {
  file: string;
  heading: string;
  snippet: string;
  score: number;
}

/** BM25's usual constants: term-frequency saturation and length normalisation. */
const K1 = 1.2;
const B = 0.75;
/** Headings say what a section is about, so their words count as if written this many times. */
const HEADING_WEIGHT = 2;
const SNIPPET_CHARS = 300;
/** How much text to show before the first match, so the snippet starts with some context. */
const SNIPPET_LEAD = 60;

const STOPWORDS = new Set(
  'a an and are as at be by can do does for from how i if in is it its me my no not of on or our so that the their there this to was we were what when which who why will with you your about'.split(' '),
);

/** Folds plurals onto their singular so "tokens" finds "token"; anything cleverer would need a real stemmer. */
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}

export function tokenizeText(text: string): string[] {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return words.filter((w) => !STOPWORDS.has(w) && (w.length > 1 || /\d/.test(w))).map(stem);
}

function indexSection(section: DocSection): IndexedSection {
  const counts = new Map<string, number>();
  const headingTerms = tokenizeText(section.heading);
  const terms = [...tokenizeText(section.body), ...Array.from({ length: HEADING_WEIGHT }, () => headingTerms).flat()];
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return { section, counts, length: terms.length };
}

export function buildIndex(sections: readonly DocSection[]): SearchIndex {
  const indexed = sections.map(indexSection);
  const documentFrequency = new Map<string, number>();
  for (const { counts } of indexed) {
    for (const term of counts.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const total = indexed.reduce((sum, s) => sum + s.length, 0);
  return { sections: indexed, documentFrequency, averageLength: indexed.length === 0 ? 0 : total / indexed.length };
}

/** BM25's idf with the +1 inside the log, so a term in most sections still scores above zero. */
function idf(index: SearchIndex, term: string): number {
  const n = index.sections.length;
  const df = index.documentFrequency.get(term) ?? 0;
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

function score(index: SearchIndex, section: IndexedSection, terms: readonly string[]): number {
  let total = 0;
  for (const term of terms) {
    const tf = section.counts.get(term) ?? 0;
    if (tf === 0) continue;
    const norm = 1 - B + B * (section.length / (index.averageLength || 1));
    total += idf(index, term) * ((tf * (K1 + 1)) / (tf + K1 * norm));
  }
  return total;
}

/** The ~300 characters of the body that hold the most (idf-weighted) distinct query terms. */
export function makeSnippet(body: string, weights: ReadonlyMap<string, number>): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (text.length <= SNIPPET_CHARS) return text;
  const matches = [...text.matchAll(/[A-Za-z0-9]+/g)].filter((m) => weights.has(stem(m[0].toLowerCase())));
  let bestStart = 0;
  let bestScore = 0;
  for (const anchor of matches) {
    const start = Math.max(0, anchor.index - SNIPPET_LEAD);
    const seen = new Set(matches.filter((m) => m.index >= start && m.index < start + SNIPPET_CHARS).map((m) => stem(m[0].toLowerCase())));
    const windowScore = [...seen].reduce((sum, term) => sum + (weights.get(term) ?? 0), 0);
    if (windowScore > bestScore) [bestStart, bestScore] = [start, windowScore];
  }
  return trimToWords(text, bestStart, Math.min(text.length, bestStart + SNIPPET_CHARS));
}

/** Cuts at spaces so no word is split, and marks elided text with an ellipsis. */
function trimToWords(text: string, start: number, end: number): string {
  let from = start;
  let to = end;
  if (from > 0) from = text.indexOf(' ', from) + 1 || from;
  if (to < text.length) to = text.lastIndexOf(' ', to) > from ? text.lastIndexOf(' ', to) : to;
  return `${from > 0 ? '…' : ''}${text.slice(from, to).trim()}${to < text.length ? '…' : ''}`;
}

export function rankSections(index: SearchIndex, query: string, limit: number): RankedSection[] {
  const terms = [...new Set(tokenizeText(query))];
  if (terms.length === 0) return [];
  const weights = new Map(terms.map((t) => [t, idf(index, t)]));
  return index.sections
    .map((section, order) => ({ section, order, score: score(index, section, terms) }))
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ section: { section }, score: value }) => ({
      file: section.file,
      heading: section.heading,
      snippet: makeSnippet(section.body, weights),
      score: Math.round(value * 1000) / 1000,
    }));
}
