import type { ColumnDefinitionBuilder, CreateTableBuilder, Expression } from 'kysely';
import { sql } from 'kysely';

export type Engine = 'sqlite' | 'postgres';

/** Column types that differ between the two engines, so a migration reads the same for both. */
export function columnTypes(engine: Engine) {
  const pg = engine === 'postgres';
  return {
    timestamp: pg ? sql`timestamptz` : sql`text`,
    bool: pg ? sql`boolean` : sql`integer`,
    json: sql`text`,
    real: pg ? sql`double precision` : sql`real`,
    bigint: pg ? sql`bigint` : sql`integer`,
    falsy: pg ? sql`false` : sql`0`,
    truthy: pg ? sql`true` : sql`1`,
  };
}

/** Adds the integer primary key `id` the way each engine generates it. */
export function withId<T extends string>(engine: Engine, table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  return engine === 'postgres'
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

export type ColumnModifier = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

export function defaultTo(value: Expression<unknown>): ColumnModifier {
  return (c) => c.notNull().defaultTo(value);
}
