import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { schemaV1 } from '../../src/db/schema-v1.ts';
import type { FreshDatabase } from '../helpers/fresh-db.ts';
import { freshDatabase } from '../helpers/fresh-db.ts';
import { engineUnderTest } from '../helpers/harness.ts';

/** Every column of every table in the database, as `table.column`, read from the engine's catalog. */
async function columnsInDatabase(handle: DatabaseHandle, schema: string): Promise<Set<string>> {
  const found = new Set<string>();
  if (handle.engine === 'postgres') {
    const rows = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns where table_schema = ${schema}`.execute(handle.db);
    for (const r of rows.rows) found.add(`${r.table_name}.${r.column_name}`);
    return found;
  }
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(handle.db);
  for (const t of tables.rows) {
    const cols = await sql<{ name: string }>`select name from pragma_table_info(${t.name})`.execute(handle.db);
    for (const c of cols.rows) found.add(`${t.name}.${c.name}`);
  }
  return found;
}

describe(`migrations on ${engineUnderTest}`, () => {
  let fresh: FreshDatabase;
  let handle: DatabaseHandle;
  let applied: string[] = [];

  before(async () => {
    fresh = freshDatabase();
    handle = await openDatabase({ url: fresh.url, schema: fresh.schema });
  });
  after(async () => {
    await handle.close();
    await fresh.cleanup();
  });

  it('starts from an empty database', async () => {
    const columns = await columnsInDatabase(handle, fresh.schema);
    assert.equal(columns.size, 0);
  });

  it('creates every table and column of schema v1', async () => {
    const results = await migrateToLatest(handle.db, handle.engine, fresh.schema);
    applied = results.map((r) => r.migrationName);
    assert.equal(applied[0], '0001_initial');
    assert.deepEqual(
      results.filter((r) => r.status !== 'Success'),
      [],
    );
    const columns = await columnsInDatabase(handle, fresh.schema);
    const expected = Object.values(schemaV1).flatMap((t) => [
      ...(('id' in t && t.id === false) ? [] : [`${t.name}.id`]),
      ...Object.keys(t.columns).map((c) => `${t.name}.${c}`),
    ]);
    assert.ok(expected.length > 100, 'the schema has its tables');
    const missing = expected.filter((c) => !columns.has(c));
    assert.deepEqual(missing, []);
  });

  it('is a no-op the second time', async () => {
    const results = await migrateToLatest(handle.db, handle.engine, fresh.schema);
    assert.deepEqual(results, []);
    const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(handle.db);
    assert.deepEqual(
      recorded.rows.map((r) => r.name),
      applied,
    );
  });

  it('keeps microseconds of timestamps through an insert and a select', async () => {
    const stamps = ['2024-05-01T09:30:00.123456Z', '2024-05-01T09:30:00.123457Z', '1999-12-31T23:59:59.000001Z'];
    for (const [i, t] of stamps.entries()) {
      await handle.db
        .insertInto('users')
        .values({ username: `m${i}`, status_date: t, created_at: t })
        .execute();
    }
    const rows = await handle.db.selectFrom('users').select(['username', 'status_date', 'created_at']).orderBy('created_at').execute();
    assert.deepEqual(
      rows.map((r) => [r.username, r.created_at, r.status_date]),
      [
        ['m2', stamps[2], stamps[2]],
        ['m0', stamps[0], stamps[0]],
        ['m1', stamps[1], stamps[1]],
      ],
    );
    // Comparisons in SQL see the microsecond too.
    const later = await handle.db.selectFrom('users').select('username').where('created_at', '>', stamps[0]!).execute();
    assert.deepEqual(
      later.map((r) => r.username),
      ['m1'],
    );
  });

  it('gives booleans back as booleans and applies column defaults', async () => {
    const row = await handle.db
      .insertInto('users')
      .values({ username: 'flags', confirmed: true, status_date: '2024-01-01T00:00:00.000000Z', created_at: '2024-01-01T00:00:00.000000Z' })
      .returning(['confirmed', 'teacher', 'is_active', 'clearance', 'status'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { confirmed: true, teacher: false, is_active: true, clearance: 1, status: 'Present' });
  });
});
