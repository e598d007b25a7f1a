// The web app's API types are made from the server's own OpenAPI document: a route or schema
// changed without `npm run web:types` fails here (and the app's typecheck then shows what broke).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { SCHEMA_TYPES_FILE, schemaTypes } from '../../scripts/web-types.ts';

test('web/src/api/schema.d.ts matches the OpenAPI document of /api/assay/v1', async () => {
  const expected = await schemaTypes();
  const committed = fs.readFileSync(SCHEMA_TYPES_FILE, 'utf8');
  assert.ok(committed === expected, 'web/src/api/schema.d.ts is stale: run `npm run web:types` and commit it');
});
