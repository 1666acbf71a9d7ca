/**
 * Answers as Markdown, rendered safely: `marked` turns the text into HTML (GitHub flavour:
 * tables, fenced code), DOMPurify removes anything that could run (script, event handlers,
 * javascript: links) because a model's answer is untrusted input, and every link opens in a
 * new tab with rel="noopener noreferrer" so the opened page cannot reach back into this one.
 * Code blocks get a Copy button.
 */
import { memo, useEffect, useMemo, useRef, type MouseEvent } from 'react';
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, breaks: true, async: false });

let hooked = false;
/** Links open in a new tab without a handle on this one; added once, for every sanitize call. */
function hookLinks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

export function renderMarkdown(text: string): string {
  hookLinks();
  const html = marked.parse(text) as string;
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, ADD_ATTR: ['target'], FORBID_TAGS: ['style', 'form', 'input', 'button', 'img'] });
}

/** Adds a Copy button to each code block that has none (rendered HTML is replaced as text grows). */
function addCopyButtons(root: HTMLElement): void {
  for (const pre of root.querySelectorAll('pre')) {
    if (pre.querySelector(':scope > .code-copy')) continue;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'code-copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy code');
    pre.prepend(button);
  }
}

function onCopyClick(event: MouseEvent<HTMLDivElement>): void {
  const button = (event.target as HTMLElement).closest('.code-copy');
  const code = button?.parentElement?.querySelector('code');
  if (!button || !code) return;
  const done = (label: string) => {
    button.textContent = label;
    setTimeout(() => (button.textContent = 'Copy'), 1500);
  };
  navigator.clipboard.writeText(code.textContent).then(
    () => done('Copied'),
    () => done('Copy failed'),
  );
}

export const Markdown = memo(function Markdown({ text, className }: { text: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (root.current) addCopyButtons(root.current);
  }, [html]);
  return <div ref={root} className={className ?? 'markdown'} dir="auto" onClick={onCopyClick} dangerouslySetInnerHTML={{ __html: html }} />;
});
