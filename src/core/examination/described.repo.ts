/**
 * A search resource described once, as (field, type, SQL expression) rows, from which both its
 * search descriptor and its columns come.
 */
import type { RawBuilder } from 'kysely';
import type { Engine } from '../../db/columns.ts';
import type { FieldSpec, ResourceSpec } from './search.ts';
import type { JoinSql, ManySql, ResourceSql } from './search.repo.ts';

export type Def = [field: string, spec: FieldSpec, expr: string];

export const T = {
  int: { type: 'int' },
  intN: { type: 'int', nullable: true },
  text: { type: 'text' },
  textN: { type: 'text', nullable: true },
  date: { type: 'datetime' },
  dateN: { type: 'datetime', nullable: true },
  bool: { type: 'bool' },
  boolN: { type: 'bool', nullable: true },
} as const satisfies Record<string, FieldSpec>;

export interface Described {
  base: string;
  always: string;
  id: string;
  own: Def[];
  groups: Record<string, Def[]>;
  many?: Record<string, [FieldSpec, ManySql]>;
  /** Field groups made of to-many fields. */
  manyGroups?: Record<string, string[]>;
  joins: JoinSql[];
  group?: string;
  word: (engine: Engine, folded: string) => RawBuilder<unknown>;
}

export function describeResource(d: Described): ResourceSql {
  const fields: Record<string, FieldSpec> = {};
  const columns: Record<string, string> = {};
  for (const [name, spec, expr] of [...d.own, ...Object.values(d.groups).flat()]) {
    fields[name] = spec;
    columns[name] = expr;
  }
  const many: Record<string, ManySql> = {};
  for (const [name, [spec, m]] of Object.entries(d.many ?? {})) {
    fields[name] = spec;
    many[name] = m;
  }
  const spec: ResourceSpec = {
    fields,
    always: d.own.map(([n]) => n),
    fieldgroups: { ...Object.fromEntries(Object.entries(d.groups).map(([g, defs]) => [g, defs.map(([n]) => n)])), ...d.manyGroups },
    searchFields: [],
    filterFields: Object.keys(columns),
    extraOrderBy: [],
    defaultOrder: ['id'],
  };
  return { spec, base: d.base, always: d.always, joins: d.joins, id: d.id, group: d.group, columns, many, word: d.word };
}
