/**
 * Long content, folded: a pasted essay or a long tool result shows its start and a "Show more"
 * button instead of a wall of text. The full text stays in the DOM's button-revealed state only
 * after a click, so the page stays short and the reader decides.
 */
import { useState } from 'react';

/** A user message longer than this many characters or lines is folded. */
export const LONG_MESSAGE_CHARS = 600;
export const LONG_MESSAGE_LINES = 8;
/** A tool argument or result longer than this is cut, with a button to see it whole. */
export const LONG_VALUE_CHARS = 240;

export function isLong(text: string, chars: number, lines = Number.POSITIVE_INFINITY): boolean {
  return text.length > chars || text.split('\n').length > lines;
}

/** The text cut at `chars` (or at `lines` lines), at a word boundary when one is near. */
export function cut(text: string, chars: number, lines = Number.POSITIVE_INFINITY): string {
  let head = text.split('\n').slice(0, lines).join('\n');
  if (head.length > chars) {
    head = head.slice(0, chars);
    const space = head.lastIndexOf(' ');
    if (space > chars * 0.8) head = head.slice(0, space);
  }
  return `${head.trimEnd()}…`;
}

interface Props {
  text: string;
  chars: number;
  lines?: number;
  /** The element the text goes in: a paragraph for messages, code for tool values. */
  as: 'p' | 'code';
  className?: string;
}

export function Expandable({ text, chars, lines, as: Tag, className }: Props) {
  const [open, setOpen] = useState(false);
  const long = isLong(text, chars, lines);
  const shown = long && !open ? cut(text, chars, lines) : text;
  return (
    <>
      <Tag className={className} dir="auto" data-folded={long && !open ? 'true' : undefined}>
        {shown}
      </Tag>
      {long && (
        <button type="button" className="link-button show-more" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Show less' : `Show more (${text.length.toLocaleString()} characters)`}
        </button>
      )}
    </>
  );
}
