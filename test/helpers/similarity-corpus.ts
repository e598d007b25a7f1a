// Python programs for the similarity tests and benchmark: each seed writes a different program
// (random statements, nesting and expressions, as different students' code differs in shape),
// and `disguise` rewrites one the way a copier does (other names and numbers, comments, blank
// lines), leaving its syntax tree, which is what the similarity library compares, as it was.

/** xorshift32: the same numbers for the same seed on every run. */
function random(seed: number): () => number {
  let s = (seed * 2654435761 + 0x9e3779b9) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const NAMES = ['total', 'count', 'items', 'value', 'result', 'index', 'word', 'text', 'left', 'right', 'best', 'seen', 'acc', 'step', 'part', 'row', 'col', 'key', 'node', 'size'];
const CALLS = ['len', 'abs', 'min', 'max', 'sorted', 'sum', 'str', 'int', 'list', 'reversed'];
const OPS = ['+', '-', '*', '//', '%'];
const COMPARE = ['<', '>', '==', '!=', '<=', '>='];

/** A program of about `lines` lines, different for every seed. */
export function program(seed: number, lines = 200): string {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const name = () => `${pick(NAMES)}${Math.floor(r() * 4) || ''}`;
  const expr = (depth: number): string => {
    const k = depth <= 0 ? Math.floor(r() * 2) : Math.floor(r() * 7);
    if (k === 0) return name();
    if (k === 1) return String(Math.floor(r() * 100));
    if (k === 2) return `${expr(depth - 1)} ${pick(OPS)} ${expr(depth - 1)}`;
    if (k === 3) return `${pick(CALLS)}(${expr(depth - 1)})`;
    if (k === 4) return `[${expr(depth - 1)} for ${name()} in ${name()}]`;
    if (k === 5) return `${name()}[${expr(depth - 1)}]`;
    return `(${expr(depth - 1)}, ${expr(depth - 1)})`;
  };
  const out: string[] = [];
  const block = (indent: string, depth: number, count: number) => {
    for (let n = 0; n < count; n++) {
      const k = depth >= 2 ? Math.floor(r() * 4) : Math.floor(r() * 9);
      if (k <= 1) out.push(`${indent}${name()} = ${expr(2)}`);
      else if (k === 2) out.push(`${indent}${name()} ${pick(OPS)}= ${expr(1)}`);
      else if (k === 3) out.push(`${indent}${name()}.append(${expr(1)})`);
      else if (k === 4) {
        out.push(`${indent}if ${expr(1)} ${pick(COMPARE)} ${expr(1)}:`);
        block(`${indent}    `, depth + 1, 1 + Math.floor(r() * 3));
        if (r() < 0.4) {
          out.push(`${indent}else:`);
          block(`${indent}    `, depth + 1, 1 + Math.floor(r() * 2));
        }
      } else if (k === 5) {
        out.push(`${indent}for ${name()} in range(${expr(1)}):`);
        block(`${indent}    `, depth + 1, 1 + Math.floor(r() * 3));
      } else if (k === 6) {
        out.push(`${indent}while ${name()} ${pick(COMPARE)} ${expr(1)}:`);
        block(`${indent}    `, depth + 1, 1 + Math.floor(r() * 2));
        out.push(`${indent}    break`);
      } else if (k === 7) {
        out.push(`${indent}try:`);
        block(`${indent}    `, depth + 1, 1 + Math.floor(r() * 2));
        out.push(`${indent}except ${pick(['ValueError', 'KeyError', 'IndexError'])}:`);
        out.push(`${indent}    ${name()} = None`);
      } else {
        out.push(`${indent}print(${expr(1)}, ${expr(1)})`);
      }
    }
  };
  for (let f = 0; out.length < lines - 4; f++) {
    out.push(`def ${pick(NAMES)}_${f}(${name()}, ${name()}):`);
    block('    ', 0, 3 + Math.floor(r() * 4));
    out.push(`    return ${expr(1)}`, '');
  }
  return `${out.join('\n')}\n`;
}

/** The program as a copier hands it in: names and numbers changed, comments and blank lines added. */
export function disguise(source: string): string {
  const renamed = source
    .replace(/\b([a-z]+)(\d?)\b/g, (word, stem: string, digit: string) => (NAMES.includes(stem) ? `my_${stem}${digit}` : word))
    .replace(/\b\d+\b/g, (n) => String((Number(n) * 7 + 3) % 100));
  return renamed
    .split('\n')
    .flatMap((line, i) => (i % 9 === 4 && line.trim() !== '' ? [`${line.match(/^\s*/)![0]}# my own work`, line] : i % 13 === 7 ? [line, ''] : [line]))
    .join('\n');
}
