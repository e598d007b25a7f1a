/** Search rows as Devilry items: values normalised to the field's type, to-many fields attached. */
import type { ResourceSpec } from './search.ts';
import type { Row } from './search.repo.ts';

export type Item = Record<string, unknown>;

export function normalise(spec: ResourceSpec, fields: string[], row: Row): Item {
  const item: Item = {};
  for (const name of fields) {
    if (!(name in row)) continue;
    const value = row[name];
    const type = spec.fields[name]!.type;
    if (value === null || value === undefined) item[name] = null;
    else if (type === 'bool') item[name] = value === true || value === 1 || value === '1';
    else if (type === 'int') item[name] = Math.round(Number(value));
    else item[name] = value;
  }
  return item;
}

/** Groups rows of a one-to-many query by their owner's id. */
export function byOwner<T extends { group_id: number }>(rows: T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const row of rows) {
    const list = out.get(row.group_id) ?? [];
    list.push(row);
    out.set(row.group_id, list);
  }
  return out;
}
