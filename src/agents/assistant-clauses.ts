/**
 * Splits a message into the requests it makes, so the assistant can answer each part of
 * "compute (2+3)*4 and then tell me a joke" and name the part it cannot do, instead of
 * answering the half it understood and silently dropping the rest.
 */

/** Where one request ends and the next begins: sentence ends, "and then", "then", "also", "and". */
const CLAUSE_BREAK = /[.;!?]+(?:\s+|$)|\s*,?\s+(?:and then|and also|then|also|and|but|plus)\s+|\s*,\s+(?=(?:can|could|would|will|please|tell|give|write|show|recommend|explain|what|how|who|why|where|when)\b)/i;
/** A clause that asks for nothing: politeness and filler never need an answer of their own. */
const FILLER = /^(?:please|thanks?(?: you)?|thank you|ok(?:ay)?|cheers|pls|and|then|also|so|now|quickly|too|as well)$/i;
/** Longest clause quoted back to the user when it is skipped. */
const QUOTE_CHARS = 60;

export function splitClauses(message: string): string[] {
  return message
    .split(CLAUSE_BREAK)
    .map((part) => part.trim().replace(/^[,\s]+|[,\s]+$/g, ''))
    .filter((part) => part !== '' && /\w/.test(part) && !FILLER.test(part));
}

/**
 * The parts of a message no tool answers, as short quotes: `handled` says whether one clause
 * is covered by the plan (arithmetic, a clock, a greeting, a documentation topic).
 */
export function unhandledParts(message: string, handled: (clause: string) => boolean): string[] {
  const skipped = splitClauses(message).filter((clause) => !handled(clause));
  return skipped.map(quote);
}

function quote(clause: string): string {
  const flat = clause.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTE_CHARS ? `${flat.slice(0, QUOTE_CHARS - 1)}…` : flat;
}
