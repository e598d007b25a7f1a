import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from './columns.ts';
import { columnTypes, withId } from './columns.ts';

/**
 * A compact description of a table, turned into Kysely schema calls for either engine.
 * `ref` columns are integer foreign keys; `onDelete` defaults to cascade for required refs and
 * set null for optional ones.
 */
export type ColumnKind = 'int' | 'text' | 'timestamp' | 'bool' | 'json' | 'real' | 'bigint';

export interface ColumnSpec {
  kind: ColumnKind;
  ref?: string;
  required?: boolean;
  unique?: boolean;
  default?: string | number | boolean;
  onDelete?: 'cascade' | 'set null' | 'restrict';
}

export interface TableSpec {
  name: string;
  /** false for join tables keyed by their columns. */
  id?: boolean;
  columns: Record<string, ColumnSpec>;
  primaryKey?: string[];
  uniques?: string[][];
  indexes?: string[][];
  checks?: string[];
}

type Extra = Partial<Omit<ColumnSpec, 'kind' | 'required'>>;

export const req = <K extends ColumnKind, E extends Extra = object>(kind: K, extra?: E) =>
  ({ kind, required: true, ...extra }) as { kind: K; required: true } & E;
export const opt = <K extends ColumnKind, E extends Extra = object>(kind: K, extra?: E) =>
  ({ kind, required: false, ...extra }) as { kind: K; required: false } & E;
export const ref = <R extends boolean = true>(table: string, required?: R, extra: Extra = {}) =>
  ({ kind: 'int', ref: table, required: required ?? true, onDelete: (required ?? true) ? 'cascade' : 'set null', ...extra }) as {
    kind: 'int';
    ref: string;
    required: R;
  };
export const flag = (value = false) => ({ kind: 'bool', required: true, default: value }) as { kind: 'bool'; required: true; default: boolean };

export async function createTable(db: Kysely<unknown>, engine: Engine, spec: TableSpec, existing: Set<string>): Promise<LateForeignKey[]> {
  const late: LateForeignKey[] = [];
  const types = columnTypes(engine);
  let builder = db.schema.createTable(spec.name) as ReturnType<Kysely<unknown>['schema']['createTable']>;
  if (spec.id !== false) builder = withId(engine, builder) as typeof builder;
  for (const [name, col] of Object.entries(spec.columns)) {
    const type = col.kind === 'int' ? sql`integer` : col.kind === 'text' ? sql`text` : types[col.kind];
    builder = builder.addColumn(name, type, (c) => {
      let out = c;
      if (col.required) out = out.notNull();
      if (col.unique) out = out.unique();
      if (col.default !== undefined) {
        const d = col.default;
        out = out.defaultTo(typeof d === 'boolean' ? (d ? types.truthy : types.falsy) : d);
      }
      if (col.ref && (engine === 'sqlite' || existing.has(col.ref) || col.ref === spec.name)) {
        out = out.references(`${col.ref}.id`).onDelete(col.onDelete ?? 'cascade');
      } else if (col.ref) {
        late.push({ table: spec.name, column: name, ref: col.ref, onDelete: col.onDelete ?? 'cascade' });
      }
      return out;
    });
  }
  if (spec.primaryKey) builder = builder.addPrimaryKeyConstraint(`${spec.name}_pkey`, spec.primaryKey as never);
  for (const [i, cols] of (spec.uniques ?? []).entries()) {
    builder = builder.addUniqueConstraint(`${spec.name}_unique_${i}`, cols as never);
  }
  for (const [i, check] of (spec.checks ?? []).entries()) {
    builder = builder.addCheckConstraint(`${spec.name}_check_${i}`, sql.raw(check));
  }
  await builder.execute();
  for (const cols of spec.indexes ?? []) {
    await db.schema.createIndex(`${spec.name}_${cols.join('_')}_idx`).on(spec.name).columns(cols).execute();
  }
  // Foreign keys are indexed so that cascades and joins stay cheap on both engines.
  for (const [name, col] of Object.entries(spec.columns)) {
    if (col.ref && !col.unique && !(spec.indexes ?? []).some((ix) => ix[0] === name) && !(spec.primaryKey?.[0] === name) && !(spec.uniques ?? []).some((u) => u[0] === name)) {
      await db.schema.createIndex(`${spec.name}_${name}_idx`).on(spec.name).column(name).execute();
    }
  }
  existing.add(spec.name);
  return late;
}

export interface LateForeignKey {
  table: string;
  column: string;
  ref: string;
  onDelete: 'cascade' | 'set null' | 'restrict';
}

export async function addLateForeignKeys(db: Kysely<unknown>, keys: LateForeignKey[]): Promise<void> {
  for (const k of keys) {
    await db.schema
      .alterTable(k.table)
      .addForeignKeyConstraint(`${k.table}_${k.column}_fkey`, [k.column], k.ref, ['id'], (c) => c.onDelete(k.onDelete))
      .execute();
  }
}
