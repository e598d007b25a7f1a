import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engineUnderTest } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { api, autolabServer, tokenMinter } from '../autolab/fixture.ts';

describe(`/api/assay/v1/users/{id}/ and /users/me/: profile email and names, on ${engineUnderTest}`, () => {
  let server: TestServer;
  let student: { id: number; username: string; api: Client };
  let other: { id: number; username: string; api: Client };
  let staff: { id: number; username: string; api: Client };
  let admin: { id: number; username: string; api: Client };

  before(async () => {
    server = await autolabServer();
    [student, other, staff, admin] = [await actorClient(server, 1), await actorClient(server, 1), await actorClient(server, 3), await actorClient(server, 5)];
  });
  after(async () => server?.close());

  it('lets a user read and set their own email and names, which Autolab’s API then shows', async () => {
    const mine = await student.api.get('/api/assay/v1/users/me/');
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.body, { id: student.id, username: student.username, email: '', first_name: 'First', last_name: student.username });

    const set = await student.api.patch('/api/assay/v1/users/me/', { json: { email: 'ada@example.org', first_name: 'Ada', last_name: 'Lovelace' } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body, { id: student.id, username: student.username, email: 'ada@example.org', first_name: 'Ada', last_name: 'Lovelace' });
    assert.deepEqual((await student.api.get(`/api/assay/v1/users/${student.id}/`)).body, set.body);

    const token = await (await tokenMinter(server))(student.id);
    const user = await api(server, token).get('/user');
    assert.equal(user.body.email, 'ada@example.org');
    assert.equal(user.body.first_name, 'Ada');

    const cleared = await student.api.patch(`/api/assay/v1/users/${student.id}/`, { json: { email: '' } });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.email, '');
    assert.equal(cleared.body.first_name, 'Ada', 'keys left out are not changed');
  });

  it('lets admins edit anyone; others who can see the account get 403, students 404', async () => {
    const byAdmin = await admin.api.patch(`/api/assay/v1/users/${other.id}/`, { json: { email: 'grace@example.org' } });
    assert.equal(byAdmin.status, 200, byAdmin.text);
    assert.equal((await admin.api.get(`/api/assay/v1/users/${other.id}/`)).body.email, 'grace@example.org');

    assert.equal((await staff.api.get(`/api/assay/v1/users/${other.id}/`)).status, 403);
    assert.equal((await staff.api.patch(`/api/assay/v1/users/${other.id}/`, { json: { email: 'x@example.org' } })).status, 403);
    assert.equal((await student.api.get(`/api/assay/v1/users/${other.id}/`)).status, 404);
    assert.equal((await student.api.patch(`/api/assay/v1/users/${other.id}/`, { json: { first_name: 'Eve' } })).status, 404);
    assert.equal((await admin.api.get('/api/assay/v1/users/999999/')).status, 404);
    assert.equal((await admin.api.get(`/api/assay/v1/users/${other.id}/`)).body.first_name, 'First', 'nothing changed');
  });

  it('refuses a malformed email, one another account holds (whatever its case), and overlong names, changing nothing', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ email: 'not an email' }, 'email', 'invalid'],
      [{ email: 'no-at-sign' }, 'email', 'invalid'],
      [{ email: 'GRACE@example.org' }, 'email', 'unique'],
      [{ first_name: 'x'.repeat(151) }, 'first_name', 'max_length'],
      [{ email: 42 }, 'email', 'invalid'],
    ];
    for (const [json, attr, code] of cases) {
      const res = await student.api.patch('/api/assay/v1/users/me/', { json });
      assert.equal(res.status, 400, `${JSON.stringify(json)}: ${res.text}`);
      assert.equal(res.body.type, 'validation_error');
      assert.ok(res.body.errors.some((e: { attr: string; code: string }) => e.attr === attr && e.code === code), `${attr}/${code} in ${res.text}`);
    }
    const unchanged = await student.api.get('/api/assay/v1/users/me/');
    assert.equal(unchanged.body.email, '');
    assert.equal(unchanged.body.first_name, 'Ada');
  });

  it('is in the OpenAPI document', async () => {
    const res = await admin.api.get('/api/core/schema/?format=json');
    const paths = (res.body ?? JSON.parse(res.text)).paths as Record<string, Record<string, unknown>>;
    assert.ok(paths['/api/assay/v1/users/me/']?.patch, Object.keys(paths).join());
    assert.ok(paths['/api/assay/v1/users/{id}/']?.get);
  });
});
