// The admin pages' API: accounts (create, reset a password, change clearance, deactivate, after
// which the account signs in nowhere and none of its credentials works on any dialect), everyone's
// personal tokens, OAuth client applications, the server's health; bad input; every non-admin
// refused by the core.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engineUnderTest } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, login, makeUser, PASSWORD } from '../helpers/fixtures.ts';
import type { Client, Reply } from '../helpers/http.ts';
import { call, client } from '../helpers/http.ts';
import { api, autolabServer, tokenMinter } from '../autolab/fixture.ts';
import { devilryLogin } from '../devilry/world.ts';

const A = '/api/assay/v1/admin';
const attrs = (res: Reply) => (res.body.errors as { attr: string | null }[]).map((e) => e.attr);

describe(`/api/assay/v1/admin/…, on ${engineUnderTest}`, () => {
  let server: TestServer;
  let admin: { id: number; username: string; api: Client };
  let seq = 0;
  const fresh = (prefix: string) => `${prefix}${++seq}_${process.pid}`;

  before(async () => {
    server = await autolabServer();
    admin = await actorClient(server, 5);
  });
  after(async () => server?.close());

  it('creates an account that signs in with its password, resets the password, changes its clearance', async () => {
    const username = fresh('newbie');
    const created = await admin.api.post(`${A}/users/`, { json: { username, password: 'first-pass-1', clearance: 1, email: `${username}@example.com`, first_name: 'New' } });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual([created.body.username, created.body.clearance, created.body.is_active, created.body.first_name], [username, 1, true, 'New']);
    const listed = await admin.api.get(`${A}/users/`);
    assert.ok(listed.body.some((u: { id: number }) => u.id === created.body.id));
    assert.equal((await call(server.app, 'POST', '/api/core/token/', { json: { username, password: 'first-pass-1' } })).status, 200);

    const reset = await admin.api.patch(`${A}/users/${created.body.id}/`, { json: { password: 'second-pass-2' } });
    assert.equal(reset.status, 200, reset.text);
    assert.equal((await call(server.app, 'POST', '/api/core/token/', { json: { username, password: 'first-pass-1' } })).status, 401, 'the old password stops working');
    assert.equal((await call(server.app, 'POST', '/api/assay/v1/session/', { json: { username, password: 'second-pass-2' } })).status, 200);

    const promoted = await admin.api.patch(`${A}/users/${created.body.id}/`, { json: { clearance: 3 } });
    assert.deepEqual([promoted.status, promoted.body.clearance], [200, 3]);
    const me = await client(server.app, await login(server, username, 'second-pass-2')).get('/api/assay/v1/session/');
    assert.equal(me.body.user?.clearance ?? me.body.clearance, 3);
  });

  it('deactivates an account: no sign-in and no credential of it works, on any dialect; reactivating restores them', async () => {
    const user = await makeUser(server, 2);
    const jwt = await login(server, user.username);
    const personal = (await server.services.tokens.createApiToken(user.id, 'scripts')).token;
    const oauth = await (await tokenMinter(server))(user.id);
    const devilry = await devilryLogin(server, user.username);
    const works = async () => ({
      hiveJwt: (await call(server.app, 'GET', '/api/core/assignments/', { token: jwt })).status,
      hivePersonal: (await call(server.app, 'GET', '/api/core/assignments/', { token: personal })).status,
      assay: (await call(server.app, 'GET', '/api/assay/v1/tokens/', { token: personal })).status,
      ngshare: (await call(server.app, 'GET', '/api/courses', { headers: { authorization: `token ${personal}` } })).status,
      autolab: (await api(server, oauth).get('/user')).status,
      devilry: (await devilry.get('/student/restfulsimplifiedassignmentgroup/', {})).status,
      hiveSignIn: (await call(server.app, 'POST', '/api/core/token/', { json: { username: user.username, password: PASSWORD } })).status,
      assaySignIn: (await call(server.app, 'POST', '/api/assay/v1/session/', { json: { username: user.username, password: PASSWORD } })).status,
      devilrySignIn: (await call(server.app, 'POST', '/authenticate/login', { form: { username: user.username, password: PASSWORD } })).status,
    });
    const before = await works();
    assert.deepEqual(before, { hiveJwt: 200, hivePersonal: 200, assay: 200, ngshare: 200, autolab: 200, devilry: 200, hiveSignIn: 200, assaySignIn: 200, devilrySignIn: 302 });

    const off = await admin.api.patch(`${A}/users/${user.id}/`, { json: { is_active: false } });
    assert.deepEqual([off.status, off.body.is_active], [200, false]);
    const after = await works();
    for (const [where, status] of Object.entries(after)) {
      if (where === 'devilrySignIn') assert.notEqual(status, 302, where);
      else assert.ok(status === 401 || status === 403, `${where}: ${status}`);
    }
    assert.equal((await admin.api.patch(`${A}/users/${user.id}/`, { json: { is_active: true } })).status, 200);
    assert.equal((await call(server.app, 'GET', '/api/core/assignments/', { token: personal })).status, 200);
  });

  it("lists everyone's personal tokens (not cookie sessions) and revokes one", async () => {
    const user = await makeUser(server, 1);
    const token = await server.services.tokens.createApiToken(user.id, 'laptop');
    await devilryLogin(server, user.username);
    const listed = await admin.api.get(`${A}/tokens/`);
    assert.equal(listed.status, 200, listed.text);
    const mine = listed.body.filter((t: { user: { id: number } }) => t.user.id === user.id);
    assert.deepEqual(mine.map((t: { name: string; user: { username: string } }) => [t.name, t.user.username]), [['laptop', user.username]]);
    assert.equal((await admin.api.delete(`${A}/tokens/${token.id}/`)).status, 204);
    assert.equal((await call(server.app, 'GET', '/api/assay/v1/tokens/', { token: token.token })).status, 401);
    assert.equal((await admin.api.delete(`${A}/tokens/${token.id}/`)).status, 404);
  });

  it('registers an OAuth client (secret shown once), lists it, and deletes it with the tokens issued through it', async () => {
    const created = await admin.api.post(`${A}/oauth-clients/`, { json: { name: 'grading scripts', redirect_uris: ['https://example.com/cb'], scopes: ['user_info'] } });
    assert.equal(created.status, 201, created.text);
    assert.equal(typeof created.body.client_secret, 'string');
    const user = await makeUser(server, 1);
    const issued = await server.services.oauth.issueTokens({ clientId: created.body.id, userId: user.id, scopes: ['user_info'] });
    const listed = await admin.api.get(`${A}/oauth-clients/`);
    const row = listed.body.find((c: { id: number }) => c.id === created.body.id);
    assert.deepEqual([row.name, row.client_id, row.scopes, row.live_tokens, row.created_by, 'client_secret' in row], ['grading scripts', created.body.client_id, ['user_info'], 1, admin.username, false]);
    assert.equal((await api(server, issued.accessToken).get('/user')).status, 200);
    assert.equal((await admin.api.delete(`${A}/oauth-clients/${created.body.id}/`)).status, 204);
    assert.equal((await api(server, issued.accessToken).get('/user')).status, 401);
    assert.equal((await admin.api.delete(`${A}/oauth-clients/${created.body.id}/`)).status, 404);
  });

  it("shows the server's health: database, blobs, sandbox, queue", async () => {
    const res = await admin.api.get(`${A}/health/`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.body.ok, res.body.database.ok, res.body.database.engine, res.body.blobs.ok], [true, true, engineUnderTest, true]);
    assert.equal(typeof res.body.sandbox.ok, 'boolean');
    assert.equal(typeof res.body.grading.queue, 'string');
    assert.equal(typeof res.body.grading.jobs.queued, 'number');
  });

  it('refuses bad input with 400 naming the field, and unknown ids with 404', async () => {
    const taken = await makeUser(server, 1);
    const cases: [unknown, string[]][] = [
      [{ username: fresh('x'), password: 'short', clearance: 1 }, ['password']],
      [{ username: fresh('x'), password: 'long-enough-1', clearance: 4 }, ['clearance']],
      [{ username: 'bad name!', password: 'long-enough-1', clearance: 1 }, ['username']],
      [{ username: taken.username, password: 'long-enough-1', clearance: 1 }, ['username']],
      [{ username: fresh('x'), password: 'long-enough-1', clearance: 1, email: 'not-an-email' }, ['email']],
      [{ password: 'long-enough-1', clearance: 1 }, ['username']],
    ];
    for (const [json, expected] of cases) {
      const res = await admin.api.post(`${A}/users/`, { json });
      assert.equal(res.status, 400, `${JSON.stringify(json)}: ${res.text}`);
      assert.equal(res.body.type, 'validation_error');
      assert.deepEqual(attrs(res), expected, JSON.stringify(json));
    }
    const broken = await admin.api.post(`${A}/users/`, { raw: '{"username": ', headers: { 'content-type': 'application/json' } });
    assert.equal(broken.status, 400, broken.text);
    assert.deepEqual(attrs(await admin.api.patch(`${A}/users/${taken.id}/`, { json: { is_active: 'maybe' } })), ['is_active']);
    assert.deepEqual(attrs(await admin.api.patch(`${A}/users/${taken.id}/`, { json: { password: 'x' } })), ['password']);
    const self = await admin.api.patch(`${A}/users/${admin.id}/`, { json: { is_active: false } });
    assert.deepEqual([self.status, self.body.errors[0].code], [400, 'own_account'], 'an admin does not lock themself out');
    assert.equal((await admin.api.patch(`${A}/users/${admin.id}/`, { json: { clearance: 1 } })).status, 400);
    assert.deepEqual(attrs(await admin.api.post(`${A}/oauth-clients/`, { json: { name: 'x', redirect_uris: [] } })), ['redirect_uris']);
    assert.deepEqual(attrs(await admin.api.post(`${A}/oauth-clients/`, { json: { name: 'x', redirect_uris: ['not a uri'] } })), ['redirect_uris.0']);
    for (const url of [`${A}/users/abc/`, `${A}/users/99999999/`, `${A}/users/99999999999/`]) assert.equal((await admin.api.patch(url, { json: { clearance: 2 } })).status, 404, url);
    for (const url of [`${A}/tokens/abc/`, `${A}/oauth-clients/99999999/`]) assert.equal((await admin.api.delete(url)).status, 404, url);
  });

  it('lets the core refuse every non-admin (403, staff included) and a caller without credentials (401)', async () => {
    const target = await makeUser(server, 1);
    const calls: [string, string, unknown?][] = [
      ['GET', `${A}/users/`],
      ['POST', `${A}/users/`, { username: fresh('y'), password: 'long-enough-1', clearance: 1 }],
      ['PATCH', `${A}/users/${target.id}/`, { password: 'taken-over-1' }],
      ['GET', `${A}/tokens/`],
      ['DELETE', `${A}/tokens/1/`],
      ['GET', `${A}/oauth-clients/`],
      ['POST', `${A}/oauth-clients/`, { name: 'x', redirect_uris: ['https://example.com/cb'] }],
      ['DELETE', `${A}/oauth-clients/1/`],
      ['GET', `${A}/health/`],
    ];
    for (const clearance of [3, 2, 1] as const) {
      const who = await actorClient(server, clearance);
      for (const [method, url, json] of calls) {
        const res = await call(server.app, method, url, { token: who.api.token, ...(json === undefined ? {} : { json }) });
        assert.equal(res.status, 403, `clearance ${clearance} ${method} ${url}: ${res.text}`);
      }
    }
    for (const [method, url, json] of calls) assert.equal((await call(server.app, method, url, json === undefined ? {} : { json })).status, 401, `${method} ${url}`);
    assert.equal((await call(server.app, 'POST', '/api/core/token/', { json: { username: target.username, password: 'taken-over-1' } })).status, 401, 'nothing changed');
  });
});
