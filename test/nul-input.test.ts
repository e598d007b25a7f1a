import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tokenMinter } from './autolab/fixture.ts';
import { actorClient, makeUser, PASSWORD } from './helpers/fixtures.ts';
import { engineUnderTest } from './helpers/harness.ts';
import type { TestServer } from './helpers/harness.ts';
import { call } from './helpers/http.ts';
import { startTestServer } from './helpers/harness.ts';

/**
 * PostgreSQL cannot hold U+0000 in text, SQLite can: input holding one is refused with a 400 in
 * the dialect's shape on PostgreSQL (one guard in the database layer), and simply matches nothing
 * on SQLite. Never a 500.
 */
describe('a NUL character in input', () => {
  let server: TestServer;
  const pg = engineUnderTest === 'postgres';

  before(async () => {
    server = await startTestServer({ env: { ASSAY_AUTOLAB_API_REQUESTS: '0', ASSAY_NGSHARE_ADMINS: 'ngadmin' } });
  });
  after(() => server.close());

  it('Hive: a help search is refused (PostgreSQL) or finds nothing (SQLite)', async () => {
    const { api } = await actorClient(server, 5);
    const res = await api.get('/api/core/help/?free_text=a%00b');
    if (pg) {
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.type, 'validation_error');
      assert.equal(res.body.errors[0].detail, 'Text may not contain the NUL character (U+0000).');
    } else assert.deepEqual([res.status, res.body], [200, []]);
  });

  it('Autolab: a course slug is refused or not found', async () => {
    const user = await makeUser(server, 5);
    const token = await (await tokenMinter(server))(user.id);
    const res = await call(server.app, 'GET', '/api/v1/courses/%00/assessments', { token });
    assert.equal(res.status, pg ? 400 : 404, res.text);
    assert.equal(typeof res.body.error, 'string', res.text);
  });

  it('INGInious: a course id is refused or not found, and so is a login name', async () => {
    await makeUser(server, 1, 'nul_tester');
    const login = await call(server.app, 'POST', '/api/v0/authentication', { form: { login: 'nul\0tester', password: PASSWORD } });
    assert.equal(login.status, pg ? 400 : 403, login.text);
    const ok = await call(server.app, 'POST', '/api/v0/authentication', { form: { login: 'nul_tester', password: PASSWORD } });
    const cookie = String(ok.headers['set-cookie']).split(';')[0]!;
    const res = await call(server.app, 'GET', '/api/v0/courses/%00', { headers: { cookie } });
    assert.ok(res.status === 400 || res.status === 404, `${res.status} ${res.text}`);
    assert.equal(typeof res.body.error, 'string', res.text);
  });

  it('Devilry: a login name is refused or unknown', async () => {
    const res = await call(server.app, 'POST', '/authenticate/login', { form: { username: 'a\0b', password: PASSWORD } });
    assert.equal(res.status, pg ? 400 : 401, res.text);
    assert.equal(res.body.errormessages.length, 1);
  });

  it('OAuth: a sign-in name is refused or unknown', async () => {
    const res = await call(server.app, 'POST', '/oauth/sign_in', { form: { username: 'a\0b', password: PASSWORD } });
    assert.equal(res.status, pg ? 400 : 401, res.text);
    if (pg) assert.equal(res.body.error, 'invalid_request');
  });

  it('ngshare: a course id is refused or not found', async () => {
    const admin = await makeUser(server, 1, 'ngadmin');
    const token = (await server.services.tokens.createApiToken(admin.id, 'nbgrader')).token;
    const res = await call(server.app, 'GET', '/api/assignments/%00', { headers: { authorization: `token ${token}` } });
    assert.ok(res.status === 400 || res.status === 404, `${res.status} ${res.text}`);
    assert.equal(res.body.success, false);
  });
});
