import type { Static, TSchema } from '@sinclair/typebox';
import { Kind, ReadonlyKind } from '@sinclair/typebox';
import { parseTimestamp } from '../../core/clock.ts';
import type { FieldProblem } from '../../core/errors.ts';
import { AssayError } from '../../core/errors.ts';
import { typeName } from '../../core/type-name.ts';

/**
 * Validates a request body against a Hive request schema the way Django REST Framework does:
 * every problem is reported at once, each with DRF's code and wording; unknown and read-only
 * keys are ignored; form bodies (all strings) are coerced to the schema's types.
 */
export interface ValidateOptions {
  /** PATCH: no key is required. */
  partial?: boolean;
  /** The body came from a form or multipart request: values are strings or string arrays. */
  form?: boolean;
}

const BOOL_TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const BOOL_FALSE = new Set(['false', '0', 'no', 'off', 'f', 'n']);

const msg = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  integer: 'A valid integer is required.',
  number: 'A valid number is required.',
  boolean: 'Must be a valid boolean.',
  string: 'Not a valid string.',
  datetime: 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
};

type Problems = FieldProblem[];

function hasSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function isNullable(schema: TSchema): boolean {
  return schema[Kind] === 'Union' && (schema.anyOf as TSchema[]).some((s) => s[Kind] === 'Null');
}

function nonNull(schema: TSchema): TSchema {
  if (schema[Kind] !== 'Union') return schema;
  const rest = (schema.anyOf as TSchema[]).filter((s) => s[Kind] !== 'Null');
  return rest.length === 1 ? rest[0]! : { ...schema, anyOf: rest };
}

function literals(schema: TSchema): (string | number)[] | null {
  if (schema[Kind] !== 'Union') return null;
  const all = schema.anyOf as TSchema[];
  return all.every((s) => s[Kind] === 'Literal') ? all.map((s) => s.const as string | number) : null;
}

function coerceValue(schema: TSchema, value: unknown, path: string, form: boolean, problems: Problems): unknown {
  if (value === null || (form && value === '' && isNullable(schema) && schema[Kind] !== 'String')) {
    if (isNullable(schema)) return null;
    if (value === null) {
      problems.push({ field: path, code: 'null', message: msg.null });
      return undefined;
    }
  }
  const inner = nonNull(schema);
  const choices = literals(inner);
  if (choices) {
    const match = choices.find((c) => String(c) === String(value) && (typeof value !== 'object' || value === null));
    if (match === undefined) {
      problems.push({ field: path, code: 'invalid_choice', message: `"${String(value)}" is not a valid choice.` });
      return undefined;
    }
    return match;
  }
  switch (inner[Kind]) {
    case 'Integer': {
      let n: number | null = null;
      if (typeof value === 'number' && Number.isInteger(value)) n = value;
      else if (typeof value === 'string' && /^\s*-?\d+(\.0*)?\s*$/.test(value)) n = Number.parseInt(value, 10);
      else if (typeof value === 'number' && Number.isFinite(value) && Math.trunc(value) === value) n = value;
      if (n === null || !Number.isSafeInteger(n)) {
        problems.push({ field: path, code: 'invalid', message: msg.integer });
        return undefined;
      }
      const min = typeof inner.minimum === 'number' ? inner.minimum : Number.MIN_SAFE_INTEGER;
      const max = typeof inner.maximum === 'number' ? inner.maximum : Number.MAX_SAFE_INTEGER;
      if (n < min) {
        problems.push({ field: path, code: 'min_value', message: `Ensure this value is greater than or equal to ${min}.` });
        return undefined;
      }
      if (n > max) {
        problems.push({ field: path, code: 'max_value', message: `Ensure this value is less than or equal to ${max}.` });
        return undefined;
      }
      return n;
    }
    case 'Number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(n)) {
        problems.push({ field: path, code: 'invalid', message: msg.number });
        return undefined;
      }
      return n;
    }
    case 'Boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (typeof value === 'string') {
        const v = value.trim().toLowerCase();
        if (BOOL_TRUE.has(v)) return true;
        if (BOOL_FALSE.has(v)) return false;
      }
      problems.push({ field: path, code: 'invalid', message: msg.boolean });
      return undefined;
    }
    case 'String': {
      if (typeof value === 'object' || typeof value === 'boolean' || value === undefined) {
        problems.push({ field: path, code: 'invalid', message: msg.string });
        return undefined;
      }
      const s = String(value);
      if (inner.format === 'date-time') {
        const t = parseTimestamp(s);
        if (!t) problems.push({ field: path, code: 'invalid', message: msg.datetime });
        return t ?? undefined;
      }
      if (s.includes('\0')) {
        problems.push({ field: path, code: 'null_characters_not_allowed', message: 'Null characters are not allowed.' });
        return undefined;
      }
      if (hasSurrogate(s)) {
        problems.push({ field: path, code: 'surrogate_characters_not_allowed', message: 'Surrogate characters are not allowed.' });
        return undefined;
      }
      if (s.trim() === '' && inner.minLength !== undefined && inner.minLength > 0) {
        problems.push({ field: path, code: 'blank', message: msg.blank });
        return undefined;
      }
      if (typeof inner.maxLength === 'number' && [...s].length > inner.maxLength) {
        problems.push({ field: path, code: 'max_length', message: `Ensure this field has no more than ${inner.maxLength} characters.` });
        return undefined;
      }
      return s;
    }
    case 'Array': {
      let list = value;
      if (form && !Array.isArray(list)) {
        if (typeof list === 'string' && list.trim().startsWith('[')) {
          try {
            list = JSON.parse(list);
          } catch {
            /* reported below */
          }
        } else if (list === '') list = [];
        else list = [list];
      }
      if (!Array.isArray(list)) {
        problems.push({ field: path, code: 'not_a_list', message: `Expected a list of items but got type "${typeName(value)}".` });
        return undefined;
      }
      const itemSchema = inner.items as TSchema;
      const out: unknown[] = [];
      list.forEach((item, i) => {
        if (itemSchema[Kind] === 'Object') out.push(validateObject(itemSchema, item, `${path}.${i}`, { form }, problems));
        else out.push(coerceValue(itemSchema, item, `${path}.${i}`, form, problems));
      });
      return out;
    }
    case 'Object':
      return validateObject(inner, value, path, { form }, problems);
    default:
      // Arbitrary JSON: a form carries it as JSON text when it can be parsed.
      if (form && typeof value === 'string') {
        try {
          return JSON.parse(value);
        } catch {
          return value;
        }
      }
      return value;
  }
}

function validateObject(schema: TSchema, data: unknown, prefix: string, options: ValidateOptions, problems: Problems): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push({
      field: prefix || null,
      code: 'invalid',
      message: `Invalid data. Expected a dictionary, but got ${typeName(data)}.`,
    });
    return out;
  }
  const body = data as Record<string, unknown>;
  const required = new Set<string>(options.partial ? [] : ((schema.required as string[] | undefined) ?? []));
  for (const [key, prop] of Object.entries(schema.properties as Record<string, TSchema>)) {
    if (prop[ReadonlyKind] === 'Readonly') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (!(key in body) || body[key] === undefined) {
      if (required.has(key)) problems.push({ field: path, code: 'required', message: msg.required });
      else if (prop.default !== undefined && !options.partial) out[key] = prop.default;
      continue;
    }
    let value = body[key];
    // A repeated form key for a scalar field: DRF takes the last value.
    if (options.form && Array.isArray(value) && nonNull(prop)[Kind] !== 'Array') value = value[value.length - 1];
    const coerced = coerceValue(prop, value, path, options.form ?? false, problems);
    if (coerced !== undefined) out[key] = coerced;
  }
  return out;
}

/**
 * Validates and coerces; throws an `invalid` AssayError listing every problem. The result is
 * typed from the schema (date-times arrive as Timestamp text; a partial body as Partial), or
 * as the type given when the schema's shape is wider than what the handler passes on.
 */
export function validateBody<S extends TSchema>(schema: S, data: unknown, options?: ValidateOptions & { partial?: false }): Static<S>;
export function validateBody<S extends TSchema>(schema: S, data: unknown, options: ValidateOptions & { partial: boolean }): Partial<Static<S>>;
export function validateBody<T>(schema: TSchema, data: unknown, options?: ValidateOptions): T;
export function validateBody(schema: TSchema, data: unknown, options: ValidateOptions = {}): unknown {
  const problems: Problems = [];
  const out = validateObject(schema, data ?? {}, '', options, problems);
  if (problems.length > 0) throw AssayError.invalid(problems);
  return out;
}
