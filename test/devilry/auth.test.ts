import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { makeUser, PASSWORD } from '../helpers/fixtures.ts';
import { call } from '../helpers/http.ts';
import { devilryClient, GROUPS, JSON_TYPE } from './world.ts';

let server: TestServer;
let username: string;
const clock = new ManualClock('2024-05-01T09:30:00.000000Z');

before(async () => {
  server = await startTestServer({ clock });
  username = (await makeUser(server, 2)).username;
});
after(() => server.close());

const login = (form: Record<string, string>, headers: Record<string, string> = {}) => call(server.app, 'POST', '/authenticate/login', { form, headers });

describe('POST /authenticate/login', () => {
  it('success: 302 with a SameSite, HttpOnly session cookie, lasting the session\'s lifetime, the client replays', async () => {
    const res = await login({ username, password: PASSWORD, next: '/examiner/' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/examiner/');
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /^sessionid=[\w-]{43}; Max-Age=1209600; Path=\/; HttpOnly; SameSite=Lax$/);
    const api = devilryClient(server, cookie.split(';')[0]!);
    const search = await api.get(GROUPS, {});
    assert.equal(search.status, 200, search.text);
    assert.deepEqual(search.body, { items: [], total: 0 });
  });

  it('accepts `user` as an alias of `username`, and a JSON body; an outside `next` is not followed', async () => {
    const res = await login({ user: username, password: PASSWORD, next: '//evil.example/' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/');
    const json = await call(server.app, 'POST', '/authenticate/login', { json: { username, password: PASSWORD } });
    assert.equal(json.status, 302);
    assert.ok(json.headers['set-cookie']);
  });

  it('wrong credentials: 401 JSON without a cookie', async () => {
    const forms: Record<string, string>[] = [{ username, password: 'wrong' }, { username: 'nobody-at-all', password: PASSWORD }, {}];
    for (const form of forms) {
      const res = await login(form);
      assert.equal(res.status, 401);
      assert.equal(res.headers['content-type'], JSON_TYPE);
      assert.deepEqual(res.body, { errormessages: ['Invalid username or password'] });
      assert.equal(res.headers['set-cookie'], undefined);
    }
  });

  it('an inactive account: 403 "Account is not active"', async () => {
    const inactive = await makeUser(server, 1);
    await server.services.db.updateTable('users').set({ is_active: false }).where('id', '=', inactive.id).execute();
    const res = await login({ username: inactive.username, password: PASSWORD });
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { errormessages: ['Account is not active'] });
    assert.equal(res.headers['set-cookie'], undefined);
  });

  it('a cross-origin login or API write is refused; same-origin passes', async () => {
    const foreign = await login({ username, password: PASSWORD }, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.deepEqual(foreign.body, { errormessages: ['Cross-origin request refused'] });
    const same = await login({ username, password: PASSWORD }, { origin: 'http://localhost:80', host: 'localhost:80' });
    assert.equal(same.status, 302);
    const api = devilryClient(server, String(same.headers['set-cookie']).split(';')[0]!);
    const put = await api.put(`${GROUPS}1`, { is_open: true }, { headers: { origin: 'https://evil.example' } });
    assert.equal(put.status, 403);
    assert.deepEqual(put.body, { errormessages: ['Cross-origin request refused'] });
  });

  it('logout revokes the session and redirects to the login page', async () => {
    const res = await login({ username, password: PASSWORD });
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    const out = await call(server.app, 'GET', '/authenticate/logout', { headers: { cookie } });
    assert.equal(out.status, 302);
    assert.equal(out.headers.location, '/authenticate/login');
    assert.match(String(out.headers['set-cookie']), /^sessionid=; Max-Age=0/);
    const after = await devilryClient(server, cookie).get(GROUPS, {});
    assert.equal(after.status, 403);
    assert.deepEqual(after.body, { errormessages: ['Authentication required'] });
  });

  it('a session expires after ASSAY_DEVILRY_SESSION_SECONDS (two weeks by default)', async () => {
    const cookie = String((await login({ username, password: PASSWORD })).headers['set-cookie']).split(';')[0]!;
    const api = devilryClient(server, cookie);
    clock.advance((server.config.devilry.sessionSeconds - 1) * 1000);
    assert.equal((await api.get(GROUPS, {})).status, 200);
    clock.advance(2000);
    const expired = await api.get(GROUPS, {});
    assert.equal(expired.status, 403);
    assert.deepEqual(expired.body, { errormessages: ['Authentication required'] });
  });

  it('a session key is only a cookie: no dialect takes it as a Bearer token, and it is no API token', async () => {
    const user = await makeUser(server, 2);
    const key = String((await login({ username: user.username, password: PASSWORD })).headers['set-cookie']).split(';')[0]!.slice('sessionid='.length);
    const devilry = await call(server.app, 'GET', GROUPS, { token: key });
    assert.equal(devilry.status, 403);
    assert.deepEqual(devilry.body, { errormessages: ['Authentication required'] });
    const hive = await call(server.app, 'GET', '/api/core/management/users/me/', { token: key });
    assert.equal(hive.status, 401, hive.text);
    const inginious = await call(server.app, 'GET', '/api/v0/courses', { token: key });
    assert.equal(inginious.status, 403, inginious.text);
    const ngshare = await call(server.app, 'GET', '/api/courses', { token: key });
    assert.equal(ngshare.status, 401, ngshare.text);
    const own = await call(server.app, 'GET', '/api/assay/v1/tokens/', { token: (await server.services.tokens.issuePair(user.id)).access });
    assert.deepEqual(own.body, [], 'a login session is not listed among the API tokens');
  });

  it('a sessionid that is not valid percent-encoding is a 403 "Authentication required", not a 500', async () => {
    for (const value of ['%E0%A4%A', '%', '%zz', 'a%FFb']) {
      const res = await call(server.app, 'GET', GROUPS, { headers: { cookie: `sessionid=${value}` }, query: { getdata_in_qrystring: '1' } });
      assert.equal(res.status, 403, `${value}: ${res.text}`);
      assert.deepEqual(res.body, { errormessages: ['Authentication required'] });
    }
    const login = await call(server.app, 'GET', '/authenticate/logout', { headers: { cookie: 'sessionid=%E0%A4%A' } });
    assert.equal(login.status, 302);
  });

  it('a write whose Origin is "null" is foreign: 403', async () => {
    const res = await login({ username, password: PASSWORD }, { origin: 'null' });
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { errormessages: ['Cross-origin request refused'] });
    assert.equal(res.headers['set-cookie'], undefined);
    const cookie = String((await login({ username, password: PASSWORD })).headers['set-cookie']).split(';')[0]!;
    const put = await devilryClient(server, cookie).put(`${GROUPS}1`, { is_open: true }, { headers: { origin: 'null' } });
    assert.equal(put.status, 403);
    assert.deepEqual(put.body, { errormessages: ['Cross-origin request refused'] });
  });

  it('failed logins are limited per account (10 per 15 minutes by default): 429 in Devilry\'s envelope, with Retry-After', async () => {
    const victim = (await makeUser(server, 1)).username;
    const attempt = async (password: string) => {
      const res = await server.app.inject({ method: 'POST', url: '/authenticate/login', remoteAddress: '10.9.0.1', payload: new URLSearchParams({ username: victim, password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      return { status: res.statusCode, headers: res.headers, body: res.json() };
    };
    for (let i = 0; i < 10; i++) assert.equal((await attempt('wrong')).status, 401);
    const refused = await attempt(PASSWORD);
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, { errormessages: ['Too many requests'] });
    assert.equal(refused.headers['retry-after'], '900');
    assert.equal(refused.headers['set-cookie'], undefined);
    clock.advance(900_000);
    assert.equal((await attempt(PASSWORD)).status, 302);
  });

  it('scripts may also send an Assay bearer token', async () => {
    const token = (await server.services.tokens.issuePair((await makeUser(server, 2)).id)).access;
    const res = await call(server.app, 'GET', GROUPS, { token });
    assert.equal(res.status, 200, res.text);
  });

  it('a URL the router refuses still gets Devilry\'s envelope', async () => {
    const res = await call(server.app, 'GET', `${GROUPS}%zz`);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { errormessages: ['Bad request'] });
  });

  it('an unknown path under /authenticate is a Devilry 404', async () => {
    const res = await call(server.app, 'GET', '/authenticate/whoami');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { errormessages: ['Not found'] });
  });
});

describe('prefix', () => {
  it('ASSAY_DEVILRY_PREFIX mounts every route under it', async () => {
    const prefixed = await startTestServer({ env: { ASSAY_DEVILRY_PREFIX: '/devilry/' } });
    try {
      const user = await makeUser(prefixed, 2);
      const res = await call(prefixed.app, 'POST', '/devilry/authenticate/login', { form: { username: user.username, password: PASSWORD } });
      assert.equal(res.status, 302);
      assert.equal(res.headers.location, '/devilry/');
      const api = devilryClient(prefixed, String(res.headers['set-cookie']).split(';')[0]!);
      assert.equal((await api.get(`/devilry${GROUPS}`, {})).status, 200);
      assert.equal((await call(prefixed.app, 'POST', '/authenticate/login', { form: { username: user.username, password: PASSWORD } })).status, 404);
    } finally {
      await prefixed.close();
    }
  });
});
