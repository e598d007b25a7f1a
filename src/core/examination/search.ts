/**
 * Devilry's search language, compiled into a plan the repositories turn into SQL. Pure: it knows
 * a resource only through its descriptor (which fields exist, of what type, which may be filtered,
 * searched and ordered) and never touches the database.
 */
import { AssayError } from '../errors.ts';
import type { FieldProblem } from '../errors.ts';

export type FieldType = 'int' | 'text' | 'bool' | 'datetime';

export interface FieldSpec {
  type: FieldType;
  nullable?: boolean;
  /** A path through a to-many relation: a list of values on output, EXISTS in filters. */
  many?: boolean;
  /** A list of objects (a one-to-many field group): returned, never filtered or ordered. */
  objects?: boolean;
  /** What a filter value `none` (any case) stands for, on a field that is never null but says so in words. */
  none?: string;
}

export interface ResourceSpec {
  fields: Readonly<Record<string, FieldSpec>>;
  always: readonly string[];
  fieldgroups: Readonly<Record<string, readonly string[]>>;
  searchFields: readonly string[];
  filterFields: readonly string[];
  extraOrderBy: readonly string[];
  defaultOrder: readonly string[];
}

export const COMPS = ['exact', 'iexact', '<', '>', '<=', '>=', 'contains', 'icontains', 'startswith', 'endswith'] as const;
export type Comp = (typeof COMPS)[number];

/** One condition on one field, its value already of the field's type. */
export type Condition =
  | { kind: 'null'; field: string }
  | { kind: 'compare'; field: string; op: '=' | '<' | '>' | '<=' | '>='; value: number | string | boolean }
  /** Text matching on the field's text form (`YYYY-MM-DDTHH:MM:SS` for date-times, `true`/`false` for booleans). */
  | { kind: 'text'; field: string; mode: 'iexact' | 'contains' | 'icontains' | 'startswith' | 'endswith'; value: string };

export interface SearchPlan {
  /** Each word must match (case-insensitive substring) some search field. */
  words: string[];
  conditions: Condition[];
  order: { field: string; desc: boolean }[];
  /** Returned fields, in output order. */
  fields: string[];
  start: number;
  limit: number;
  exactNumberOfResults: number | null;
}

/** The raw parameters as they arrived: from a JSON body, or from the query string (lists JSON-encoded). */
export type SearchParams = Record<string, unknown>;

export const DEFAULT_LIMIT = 50;

const searchError = (message: string) => new AssayError('invalid', message, { reason: 'search' });

/** A list parameter: a list, or a JSON-encoded list; anything else falls back to the default (upstream). */
export function listParam(raw: unknown): unknown[] | null {
  if (Array.isArray(raw)) return raw;
  if (typeof raw === 'string') {
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }
  return null;
}

function intParam(raw: unknown, name: string, fallback: number | null, problems: FieldProblem[]): number | null {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n)) {
    problems.push({ field: name, code: 'invalid', message: 'Enter a whole number.' });
    return fallback;
  }
  if (n < 0) {
    problems.push({ field: name, code: 'min_value', message: 'Ensure this value is greater than or equal to 0.' });
    return fallback;
  }
  // Past 2^53 a number is no longer exact, and neither engine takes it as a LIMIT or an OFFSET.
  if (n > Number.MAX_SAFE_INTEGER) {
    problems.push({ field: name, code: 'max_value', message: 'A number is out of range.' });
    return fallback;
  }
  return n;
}

/** How a filter is shown in messages: compact JSON (upstream printed a Python dict). */
const show = (v: unknown) => JSON.stringify(v);
const showValue = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/;

/** `YYYY-MM-DDTHH:MM:SS` (UTC) as the core's timestamp, or null. */
export function parseWireDatetime(text: string): string | null {
  const m = DATETIME.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo! - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h || date.getUTCMinutes() !== mi) return null;
  return date.toISOString().slice(0, 19) + '.000000Z';
}

const plusOneSecond = (t: string) => new Date(Date.parse(t) + 1000).toISOString().slice(0, 19) + '.000000Z';

const TRUE_WORDS = new Set(['yes', 'true', '1']);

/** A typed value for an equality or ordering comparison, `null` for SQL NULL, `undefined` when ill-typed. */
function typedValue(spec: FieldSpec, value: unknown): number | string | boolean | null | undefined {
  if (value === null) return spec.nullable ? null : undefined;
  if (typeof value === 'string' && spec.nullable && value.trim().toLowerCase() === 'none') return null;
  switch (spec.type) {
    case 'int':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
      if (typeof value === 'string' && /^\s*[+-]?\d{1,15}\s*$/.test(value)) return Number(value);
      return undefined;
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
      if (typeof value === 'string') return TRUE_WORDS.has(value.trim().toLowerCase());
      return undefined;
    case 'datetime':
      return typeof value === 'string' ? (parseWireDatetime(value) ?? undefined) : undefined;
    case 'text':
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  }
}

function condition(field: string, spec: FieldSpec, comp: Comp, given: unknown): Condition[] | undefined {
  const value = spec.none !== undefined && typeof given === 'string' && given.trim().toLowerCase() === 'none' ? spec.none : given;
  if (comp === 'contains' || comp === 'icontains' || comp === 'startswith' || comp === 'endswith') {
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    return [{ kind: 'text', field, mode: comp, value: String(value) }];
  }
  const typed = typedValue(spec, value);
  if (typed === undefined) return undefined;
  if (typed === null) return comp === 'exact' || comp === 'iexact' ? [{ kind: 'null', field }] : undefined;
  if (comp === 'iexact' && spec.type === 'text') return [{ kind: 'text', field, mode: 'iexact', value: typed as string }];
  const op = comp === 'exact' || comp === 'iexact' ? '=' : comp;
  if (spec.type !== 'datetime') return [{ kind: 'compare', field, op, value: typed }];
  // Date-times travel to the second; stored ones carry microseconds. A wire second is the interval [t, t+1s).
  const t = typed as string;
  const next = plusOneSecond(t);
  switch (op) {
    case '=':
      return [{ kind: 'compare', field, op: '>=', value: t }, { kind: 'compare', field, op: '<', value: next }];
    case '<=':
      return [{ kind: 'compare', field, op: '<', value: next }];
    case '>':
      return [{ kind: 'compare', field, op: '>=', value: next }];
    default:
      return [{ kind: 'compare', field, op, value: t }];
  }
}

function compileFilter(resource: ResourceSpec, raw: unknown): Condition[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw searchError(`Invalid filter: ${show(raw)}`);
  const f = raw as Record<string, unknown>;
  let field: unknown;
  let comp: unknown;
  if ('property' in f && 'value' in f && !('field' in f)) {
    // ExtJS: {property, value} means an exact match.
    field = f.property;
    comp = 'exact';
  } else {
    if (!('field' in f) || typeof f.field !== 'string') throw searchError(`Invalid filter: ${show(raw)}. No "field" specified.`);
    if (!('comp' in f) || !('value' in f)) throw searchError(`Invalid filter: ${show(raw)}`);
    field = f.field;
    comp = f.comp;
  }
  if (typeof field !== 'string' || !resource.filterFields.includes(field)) {
    throw searchError(`Invalid filter fieldname ${String(field)} in: ${show(raw)}. Available filter fieldnames: ${resource.filterFields.join(', ')}`);
  }
  if (typeof comp !== 'string' || !(COMPS as readonly string[]).includes(comp)) {
    throw searchError(`Invalid filter: ${show(raw)}. ${typeof comp === 'string' ? comp : show(comp)} is not a supported "comp".`);
  }
  const value = f.value;
  if (typeof value === 'string' && value.trim() === '') return [];
  const out = condition(field, resource.fields[field]!, comp as Comp, value);
  if (!out) throw searchError(`Value has invalid type for field ${field}: ${showValue(value)}`);
  return out;
}

/** The ExtJS `sort` list: `[{property, direction}]`, used only when `orderby` is empty. */
function extjsSort(raw: unknown): string[] {
  const list = listParam(raw) ?? [];
  return list.flatMap((s) => {
    if (!s || typeof s !== 'object') return [];
    const { property, direction } = s as { property?: unknown; direction?: unknown };
    if (typeof property !== 'string') return [];
    return [String(direction).toUpperCase() === 'DESC' ? `-${property}` : property];
  });
}

/** Compiles a search request against a resource; bad requests throw `invalid` with Devilry's messages. */
export function compileSearch(resource: ResourceSpec, params: SearchParams): SearchPlan {
  const problems: FieldProblem[] = [];
  const start = intParam(params.start, 'start', 0, problems)!;
  const limit = intParam(params.limit, 'limit', DEFAULT_LIMIT, problems)!;
  const exact = intParam(params.exact_number_of_results, 'exact_number_of_results', null, problems);
  if (problems.length > 0) throw AssayError.invalid(problems);

  const groups = (listParam(params.result_fieldgroups) ?? []).filter((g): g is string => typeof g === 'string');
  const unknown = groups.filter((g) => !(g in resource.fieldgroups));
  if (unknown.length > 0) {
    throw searchError(`Invalid result_fieldgroups: ${unknown.join(', ')}. Available fieldgroups: ${Object.keys(resource.fieldgroups).join(', ')}`);
  }
  const fields = [...new Set([...resource.always, ...groups.flatMap((g) => resource.fieldgroups[g]!)])];

  const filterList = listParam(params.filters) ?? listParam(params.filter) ?? [];
  const conditions = filterList.flatMap((f) => compileFilter(resource, f));

  const orderable = new Set([...fields.filter((f) => !resource.fields[f]!.objects), ...resource.extraOrderBy]);
  let orderNames = (listParam(params.orderby) ?? []).filter((o): o is string => typeof o === 'string');
  if (orderNames.length === 0) orderNames = extjsSort(params.sort);
  let order = orderNames
    .map((o) => (o.startsWith('-') ? { field: o.slice(1), desc: true } : { field: o, desc: false }))
    .filter((o) => orderable.has(o.field));
  if (order.length === 0) order = resource.defaultOrder.map((o) => (o.startsWith('-') ? { field: o.slice(1), desc: true } : { field: o, desc: false }));

  const query = typeof params.query === 'string' ? params.query : typeof params.query === 'number' ? String(params.query) : '';
  const words = [...new Set(query.split(/\s+/).filter((w) => w.length > 0))];
  return { words, conditions, order, fields, start, limit, exactNumberOfResults: exact };
}

/** `exact_number_of_results` is checked against the total (our decision; upstream compared the page). */
export function checkExactNumber(plan: SearchPlan, total: number): void {
  if (plan.exactNumberOfResults !== null && plan.exactNumberOfResults !== total) {
    throw searchError(`Expected ${plan.exactNumberOfResults}, got ${total}.`);
  }
}
