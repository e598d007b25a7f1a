import type { TSchema } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';

/** TypeBox shorthands for the Hive wire schemas (hive-schemas.txt). */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Enum = <const V extends readonly (string | number)[]>(values: V, options: { description?: string } = {}) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { ...options, 'x-enum': values },
  );
export const DateTime = () => Type.String({ format: 'date-time' });
export const Id = () => Type.Integer();
export const IdList = () => Type.Array(Type.Integer());
/** Arbitrary JSON, returned unchanged. */
export const AnyJson = () => Type.Unknown();
export const ReadOnly = <T extends TSchema>(t: T) => Type.Readonly(t);
