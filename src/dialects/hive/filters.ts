import type { TSchema } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { parseTimestamp } from '../../core/clock.ts';
import type { FieldProblem } from '../../core/errors.ts';
import { AssayError } from '../../core/errors.ts';

/**
 * django-filter style query filters. `__in` filters take comma-separated values (and repeated
 * parameters, combined); booleans accept true/false/1/0; unknown parameters are ignored.
 */
export type FilterKind = 'int' | 'number' | 'intList' | 'bool' | 'string' | 'stringList' | 'datetime';

export type FilterSpec = Record<string, FilterKind | { kind: 'choice' | 'choiceList'; choices: readonly string[] }>;

type FilterValue<K> = K extends 'int' | 'number'
  ? number
  : K extends 'intList'
    ? number[]
    : K extends 'bool'
      ? boolean
      : K extends 'string' | 'datetime'
        ? string
        : K extends 'stringList'
          ? string[]
          : K extends { kind: 'choiceList' }
            ? string[]
            : K extends { kind: 'choice' }
              ? string
              : never;

export type Filters<S extends FilterSpec> = { [K in keyof S]?: FilterValue<S[K]> };

const NUMBER = /^\s*-?\d+\s*$/;
/**
 * Every integer filter names ids, which are 32-bit in both engines. A larger value can match no
 * row, so it becomes -1 (no id) instead of a database range error.
 */
const INT32 = 2_147_483_647;
const asId = (text: string) => {
  const n = Number.parseInt(text, 10);
  return Math.abs(n) > INT32 ? -1 : n;
};
const DECIMAL = /^\s*-?\d+(\.\d+)?\s*$/;

function values(raw: unknown): string[] {
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).map(String);
}

export function parseFilters<S extends FilterSpec>(spec: S, query: Record<string, unknown>): Filters<S> {
  const out: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const [name, kind] of Object.entries(spec)) {
    const raw = values(query[name]);
    if (raw.length === 0) continue;
    const last = raw[raw.length - 1]!;
    const bad = (message: string) => problems.push({ field: name, code: 'invalid', message });
    if (typeof kind === 'object') {
      const items = kind.kind === 'choiceList' ? raw.flatMap((r) => r.split(',')).filter((s) => s !== '') : [last];
      const wrong = items.find((i) => !kind.choices.includes(i));
      if (wrong !== undefined) bad(`Select a valid choice. ${wrong} is not one of the available choices.`);
      else if (items.length > 0) out[name] = kind.kind === 'choiceList' ? items : items[0];
      continue;
    }
    switch (kind) {
      case 'int':
        if (last === '') break;
        if (!NUMBER.test(last)) bad('Enter a number.');
        else out[name] = asId(last);
        break;
      case 'number':
        if (last === '') break;
        if (!DECIMAL.test(last)) bad('Enter a number.');
        else out[name] = Number(last);
        break;
      case 'intList': {
        const items = raw.flatMap((r) => r.split(',')).filter((s) => s.trim() !== '');
        if (items.some((i) => !NUMBER.test(i))) bad('Enter a number.');
        else if (items.length > 0) out[name] = items.map(asId);
        break;
      }
      case 'bool': {
        const v = last.trim().toLowerCase();
        if (v === '') break;
        if (v === 'true' || v === '1') out[name] = true;
        else if (v === 'false' || v === '0') out[name] = false;
        else bad('Select a valid choice. ' + last + ' is not one of the available choices.');
        break;
      }
      case 'string':
        if (last !== '') out[name] = last;
        break;
      case 'stringList': {
        const items = raw.flatMap((r) => r.split(',')).filter((s) => s !== '');
        if (items.length > 0) out[name] = items;
        break;
      }
      case 'datetime': {
        if (last === '') break;
        const t = parseTimestamp(last);
        if (!t) bad('Enter a valid date/time.');
        else out[name] = t;
        break;
      }
    }
  }
  if (problems.length > 0) throw AssayError.invalid(problems);
  return out as Filters<S>;
}

/** The OpenAPI description of a filter set (comma-separated lists are strings on the wire). */
export function filterQuerySchema(spec: FilterSpec): TSchema {
  const props: Record<string, TSchema> = {};
  for (const [name, kind] of Object.entries(spec)) {
    if (kind === 'int') props[name] = Type.Integer();
    else if (kind === 'number') props[name] = Type.Number();
    else if (kind === 'bool') props[name] = Type.Boolean();
    else if (kind === 'datetime') props[name] = Type.String({ format: 'date-time' });
    else props[name] = Type.String({ description: typeof kind === 'string' && kind.endsWith('List') ? 'Multiple values may be separated by commas.' : undefined });
  }
  return Type.Object(props);
}
