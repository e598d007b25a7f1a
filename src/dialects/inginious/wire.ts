/** INGInious' wire details: JSON as `text/json`, grades as Python floats, feedback as HTML. */

import { escapeHtml } from '../html.ts';

export const INGINIOUS_JSON = 'text/json; charset=utf-8';

const MARK = '\u0000pyfloat:';

/** A number that serialises the way Python prints a float (`100.0`, `66.66666666666667`, `1e-05`). */
export class PyFloat {
  constructor(readonly value: number) {}
  toJSON(): string {
    return MARK + pythonRepr(this.value);
  }
}

export function pythonRepr(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (n === 0 || (abs >= 1e-4 && abs < 1e16)) return Number.isInteger(n) ? `${n}.0` : String(n);
  const [mantissa, exponent = '0'] = n.toExponential().split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** JSON text with every PyFloat written bare. */
export function toWire(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000pyfloat:([^"\\]+)"/g, '$1');
}

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/``([^`]+)``/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*\s][^*]*)\*/g, '<em>$1</em>');
}

/**
 * Feedback text, reStructuredText, as HTML. A small subset: paragraphs, literal blocks (`::`
 * then an indented block, or `.. code-block::`), bullet lists, ``literals``, **strong** and *emphasis*.
 * Everything else is kept as escaped text, so no markup a grader writes reaches the client raw.
 */
export function rstToHtml(rst: string): string {
  if (rst.trim() === '') return '';
  const blocks = rst.replace(/\r\n?/g, '\n').split(/\n\s*\n/);
  const out: string[] = [];
  let literalNext = false;
  for (const block of blocks) {
    if (block.trim() === '') continue;
    const lines = block.split('\n');
    const indented = lines.every((l) => l.trim() === '' || /^\s/.test(l));
    if (literalNext && indented) {
      const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^\s*/.exec(l)![0].length));
      out.push(`<pre>${escapeHtml(lines.map((l) => l.slice(indent)).join('\n'))}</pre>`);
      continue;
    }
    literalNext = false;
    let text = block.trim();
    if (/^\.\. code(-block)?::/.test(text)) {
      literalNext = true;
      continue;
    }
    if (text.endsWith('::')) {
      literalNext = true;
      text = text.endsWith(' ::') ? text.slice(0, -3) : text.slice(0, -1);
      if (text.trim() === '') continue;
    }
    if (text.split('\n').every((l) => /^[-*+] /.test(l.trim()))) {
      out.push(`<ul>${text.split('\n').map((l) => `<li>${inline(l.trim().slice(2))}</li>`).join('')}</ul>`);
    } else {
      out.push(`<p>${inline(text)}</p>`);
    }
  }
  return out.join('\n');
}
