import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { PASSWORD, actorClient, makeUser } from '../helpers/fixtures.ts';
import type { Client, Reply } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

const TOKEN = '/api/core/token/';
const REFRESH = '/api/core/token/refresh/';
const ME = '/api/core/management/users/me/';
const API_TOKENS = '/api/assay/v1/tokens/';

/** The JSON payload (or header) of a JWT, decoded by hand. */
function jwtPart(token: string, index: 0 | 1): Record<string, unknown> {
  const part = token.split('.')[index];
  assert.ok(part, 'a JWT has three parts');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

function assertClientError(res: Reply, status: number, code: string, detail: string): void {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(res.body, { type: 'client_error', errors: [{ code, detail, attr: null }] });
  if (status === 401) assert.equal(res.headers['www-authenticate'], 'Bearer realm="api"');
}

const NO_ACCOUNT = 'No active account found with the given credentials';
const REFRESH_INVALID = 'Token is invalid or expired';
const BEARER_INVALID = 'Given token not valid for any token type';
const NOT_PROVIDED = 'Authentication credentials were not provided.';

describe('hive token endpoints and bearer authentication', () => {
  const clock = new ManualClock('2024-05-01T09:30:00.000000Z');
  let server: TestServer;
  let anon: Client;
  let username: string;
  let userId: number;

  const obtain = async (): Promise<{ access: string; refresh: string }> => {
    const res = await anon.post(TOKEN, { json: { username, password: PASSWORD } });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };

  before(async () => {
    server = await startTestServer({ clock });
    anon = client(server.app);
    const user = await makeUser(server, 2);
    username = user.username;
    userId = user.id;
  });
  after(() => server.close());

  describe('POST /token/', () => {
    it('issues a pair for JSON, form and multipart credentials', async () => {
      const json = await anon.post(TOKEN, { json: { username, password: PASSWORD } });
      const form = await anon.post(TOKEN, { form: { username, password: PASSWORD } });
      const data = new FormData();
      data.set('username', username);
      data.set('password', PASSWORD);
      const multipart = await anon.post(TOKEN, { multipart: data });
      for (const res of [json, form, multipart]) {
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(Object.keys(res.body).sort(), ['access', 'refresh']);
        assert.match(res.body.access, /^[\w-]+\.[\w-]+\.[\w-]+$/);
        const me = await client(server.app, res.body.access).get(ME);
        assert.equal(me.status, 200);
        assert.equal(me.body.id, userId);
      }
      // Every login gets distinct tokens.
      assert.notEqual(json.body.refresh, form.body.refresh);
    });

    it('puts the SimpleJWT claims in the access and refresh tokens', async () => {
      const { access, refresh } = await obtain();
      assert.deepEqual(jwtPart(access, 0), { alg: 'HS256', typ: 'JWT' });
      const claims = jwtPart(access, 1);
      assert.deepEqual(Object.keys(claims).sort(), ['exp', 'iat', 'jti', 'token_type', 'user_id']);
      assert.equal(claims.token_type, 'access');
      assert.equal(claims.user_id, userId);
      assert.equal(claims.iat, Math.floor(clock.nowMs() / 1000));
      assert.equal(claims.exp, (claims.iat as number) + server.config.accessTokenSeconds);
      assert.match(claims.jti as string, /^[0-9a-f]{32}$/);
      const r = jwtPart(refresh, 1);
      assert.equal(r.token_type, 'refresh');
      assert.equal(r.user_id, userId);
      assert.equal(r.exp, (r.iat as number) + server.config.refreshTokenSeconds);
      assert.notEqual(r.jti, claims.jti);
    });

    it('reports missing and blank fields', async () => {
      const missing = await anon.post(TOKEN, { json: {} });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body, {
        type: 'validation_error',
        errors: [
          { code: 'required', detail: 'This field is required.', attr: 'username' },
          { code: 'required', detail: 'This field is required.', attr: 'password' },
        ],
      });
      const onlyUser = await anon.post(TOKEN, { form: { username } });
      assert.deepEqual(onlyUser.body.errors, [{ code: 'required', detail: 'This field is required.', attr: 'password' }]);
      const blank = await anon.post(TOKEN, { json: { username: '', password: '' } });
      assert.equal(blank.status, 400);
      assert.deepEqual(blank.body.errors, [
        { code: 'blank', detail: 'This field may not be blank.', attr: 'username' },
        { code: 'blank', detail: 'This field may not be blank.', attr: 'password' },
      ]);
      const empty = await anon.post(TOKEN, { raw: '', headers: { 'content-type': 'application/json' } });
      assert.equal(empty.status, 400);
      assert.equal(empty.body.errors.length, 2);
      const broken = await anon.post(TOKEN, { raw: '{"username":', headers: { 'content-type': 'application/json' } });
      assert.equal(broken.status, 400);
      assert.equal(broken.body.errors[0].code, 'parse_error');
    });

    it('answers 401 no_active_account for a wrong password, an unknown user and an inactive account', async () => {
      assertClientError(await anon.post(TOKEN, { json: { username, password: 'wrong' } }), 401, 'no_active_account', NO_ACCOUNT);
      assertClientError(await anon.post(TOKEN, { json: { username: 'nobody-at-all', password: PASSWORD } }), 401, 'no_active_account', NO_ACCOUNT);
      // Usernames are exact.
      assertClientError(await anon.post(TOKEN, { json: { username: username.toUpperCase(), password: PASSWORD } }), 401, 'no_active_account', NO_ACCOUNT);
      const inactive = await makeUser(server, 3);
      await server.services.db.updateTable('users').set({ is_active: false }).where('id', '=', inactive.id).execute();
      assertClientError(await anon.post(TOKEN, { json: { username: inactive.username, password: PASSWORD } }), 401, 'no_active_account', NO_ACCOUNT);
    });

    it('ignores a bad Authorization header on the public endpoints', async () => {
      const res = await anon.post(TOKEN, { json: { username, password: PASSWORD }, headers: { authorization: 'Bearer not.a.token' } });
      assert.equal(res.status, 200);
    });
  });

  describe('POST /token/refresh/', () => {
    it('rotates: a new pair, and the old refresh token is spent', async () => {
      const first = await obtain();
      const res = await anon.post(REFRESH, { json: { refresh: first.refresh } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['access', 'refresh']);
      assert.notEqual(res.body.refresh, first.refresh);
      assert.notEqual(res.body.access, first.access);
      assert.equal(jwtPart(res.body.access, 1).user_id, userId);
      assert.equal((await client(server.app, res.body.access).get(ME)).status, 200);

      assertClientError(await anon.post(REFRESH, { json: { refresh: first.refresh } }), 401, 'token_not_valid', REFRESH_INVALID);
      // The new refresh token works once, by form as well.
      const again = await anon.post(REFRESH, { form: { refresh: res.body.refresh } });
      assert.equal(again.status, 200, again.text);
      assert.equal((await anon.post(REFRESH, { form: { refresh: res.body.refresh } })).status, 401);
    });

    it('lets exactly one of several concurrent refreshes of the same token succeed', async () => {
      const { refresh } = await obtain();
      const results = await Promise.all(Array.from({ length: 6 }, () => anon.post(REFRESH, { json: { refresh } })));
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 401, 401, 401, 401, 401]);
      for (const r of results.filter((x) => x.status === 401)) assert.equal(r.body.errors[0].code, 'token_not_valid');
    });

    it('refuses an access token, a tampered token, garbage and a missing field', async () => {
      const { access, refresh } = await obtain();
      assertClientError(await anon.post(REFRESH, { json: { refresh: access } }), 401, 'token_not_valid', REFRESH_INVALID);
      const [h, , s] = refresh.split('.');
      const forged = Buffer.from(JSON.stringify({ ...jwtPart(refresh, 1), user_id: userId + 1000 })).toString('base64url');
      assertClientError(await anon.post(REFRESH, { json: { refresh: `${h}.${forged}.${s}` } }), 401, 'token_not_valid', REFRESH_INVALID);
      assertClientError(await anon.post(REFRESH, { json: { refresh: 'garbage' } }), 401, 'token_not_valid', REFRESH_INVALID);
      const missing = await anon.post(REFRESH, { json: {} });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body.errors, [{ code: 'required', detail: 'This field is required.', attr: 'refresh' }]);
      // The genuine token is still unspent after those attempts.
      assert.equal((await anon.post(REFRESH, { json: { refresh } })).status, 200);
    });
  });

  describe('bearer authentication', () => {
    it('refuses requests without credentials or with another scheme as not_authenticated', async () => {
      assertClientError(await anon.get(ME), 401, 'not_authenticated', NOT_PROVIDED);
      const basic = `Basic ${Buffer.from(`${username}:${PASSWORD}`).toString('base64')}`;
      assertClientError(await anon.get(ME, { headers: { authorization: basic } }), 401, 'not_authenticated', NOT_PROVIDED);
      // Even on a method the route does not have: authentication comes first.
      assertClientError(await anon.post(ME), 401, 'not_authenticated', NOT_PROVIDED);
    });

    it('refuses a refresh token, a tampered token and garbage as token_not_valid', async () => {
      const { access, refresh } = await obtain();
      assertClientError(await client(server.app, refresh).get(ME), 401, 'token_not_valid', BEARER_INVALID);
      const [h, , s] = access.split('.');
      const forged = Buffer.from(JSON.stringify({ ...jwtPart(access, 1), user_id: userId + 1000 })).toString('base64url');
      assertClientError(await client(server.app, `${h}.${forged}.${s}`).get(ME), 401, 'token_not_valid', BEARER_INVALID);
      const otherKey = crypto.createHmac('sha256', 'not-our-secret').update(`${h}.${access.split('.')[1]}`).digest('base64url');
      assertClientError(await client(server.app, `${h}.${access.split('.')[1]}.${otherKey}`).get(ME), 401, 'token_not_valid', BEARER_INVALID);
      assertClientError(await client(server.app, 'garbage').get(ME), 401, 'token_not_valid', BEARER_INVALID);
    });

    it('refuses a JWT signed with the server\'s own secret but carrying no exp', async () => {
      const secret = (await server.services.db.selectFrom('settings').select('value').where('key', '=', 'jwt_secret').executeTakeFirstOrThrow()).value;
      const sign = (claims: Record<string, unknown>) => {
        const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
        const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
        return `${head}.${body}.${crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
      };
      const claims = { token_type: 'access', user_id: userId, jti: 'f'.repeat(32), iat: Math.floor(clock.nowMs() / 1000) };
      assert.equal((await client(server.app, sign({ ...claims, exp: claims.iat + 60 })).get(ME)).status, 200, 'the same claims with exp pass');
      assertClientError(await client(server.app, sign(claims)).get(ME), 401, 'token_not_valid', BEARER_INVALID);
    });

    it('expires access tokens after their lifetime, while the refresh token still works', async () => {
      const { access, refresh } = await obtain();
      const api = client(server.app, access);
      clock.advance((server.config.accessTokenSeconds - 1) * 1000);
      assert.equal((await api.get(ME)).status, 200);
      clock.advance(2000);
      assertClientError(await api.get(ME), 401, 'token_not_valid', BEARER_INVALID);
      const renewed = await anon.post(REFRESH, { json: { refresh } });
      assert.equal(renewed.status, 200);
      assert.equal((await client(server.app, renewed.body.access).get(ME)).status, 200);
      // A refresh token past its own lifetime is refused too.
      clock.advance((server.config.refreshTokenSeconds + 1) * 1000);
      assertClientError(await anon.post(REFRESH, { json: { refresh: renewed.body.refresh } }), 401, 'token_not_valid', REFRESH_INVALID);
    });

    it('refuses the valid token and API token of an account that was deactivated since', async () => {
      const other = await actorClient(server, 1);
      const apiToken = client(server.app, (await server.services.tokens.createApiToken(other.id, 'deactivated')).token);
      assert.equal((await other.api.get(ME)).status, 200);
      assert.equal((await apiToken.get(ME)).status, 200);
      await server.services.db.updateTable('users').set({ is_active: false }).where('id', '=', other.id).execute();
      const res = await other.api.get(ME);
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="api"');
      assertClientError(await apiToken.get(ME), 401, 'user_not_found', 'User not found');
      // The API token tests below count every token row.
      await server.services.db.deleteFrom('api_tokens').where('user_id', '=', other.id).execute();
    });
  });

  describe('Assay API tokens', () => {
    it('creates a token shown once, lists it without the secret, and accepts it as a bearer token', async () => {
      const owner = await actorClient(server, 3);
      const created = await owner.api.post(API_TOKENS, { json: { name: 'ci' } });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(Object.keys(created.body).sort(), ['id', 'name', 'token']);
      assert.equal(created.body.name, 'ci');
      const secret = created.body.token as string;
      assert.match(secret, /^assay_[\w-]{20,}$/);

      const list = await owner.api.get(API_TOKENS);
      assert.equal(list.status, 200);
      assert.deepEqual(list.body, [{ id: created.body.id, name: 'ci', created_at: list.body[0].created_at, last_used_at: null }]);
      assert.ok(!list.text.includes(secret));

      const viaToken = client(server.app, secret);
      const me = await viaToken.get(ME);
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.id, owner.id);
      assert.equal((await viaToken.get(`/api/core/management/users/${owner.id}/`)).body.username, owner.username);
      assert.equal((await owner.api.get(API_TOKENS)).body[0].last_used_at, clock.now());

      // Only a hash is stored: no column of the row holds the secret.
      const rows = await server.services.db.selectFrom('api_tokens').selectAll().execute();
      assert.equal(rows.length, 1);
      for (const value of Object.values(rows[0]!)) assert.ok(!String(value).includes(secret.slice(6)), 'the secret is not stored');
      assert.equal(rows[0]!.token_hash, crypto.createHash('sha256').update(secret).digest('hex'));

      // Another user can neither see nor revoke it.
      const stranger = await actorClient(server, 5);
      assert.deepEqual((await stranger.api.get(API_TOKENS)).body, []);
      const foreign = await stranger.api.delete(`${API_TOKENS}${created.body.id}/`);
      assert.equal(foreign.status, 404);
      assert.equal((await viaToken.get(ME)).status, 200);

      const revoked = await owner.api.delete(`${API_TOKENS}${created.body.id}/`);
      assert.equal(revoked.status, 204);
      assert.equal(revoked.text, '');
      assertClientError(await viaToken.get(ME), 401, 'token_not_valid', BEARER_INVALID);
      assert.deepEqual((await owner.api.get(API_TOKENS)).body, []);
      assert.equal((await owner.api.delete(`${API_TOKENS}${created.body.id}/`)).status, 404);
    });

    it('validates the name and needs authentication', async () => {
      const owner = await actorClient(server, 1);
      const missing = await owner.api.post(API_TOKENS, { json: {} });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body.errors, [{ code: 'required', detail: 'This field is required.', attr: 'name' }]);
      assert.equal((await owner.api.post(API_TOKENS, { form: { name: '' } })).body.errors[0].code, 'blank');
      assert.equal((await owner.api.post(API_TOKENS, { json: { name: 'n'.repeat(101) } })).body.errors[0].code, 'max_length');
      assert.equal((await owner.api.post(API_TOKENS, { form: { name: 'student token' } })).status, 201);
      assertClientError(await anon.post(API_TOKENS, { json: { name: 'x' } }), 401, 'not_authenticated', NOT_PROVIDED);
      assertClientError(await client(server.app, 'assay_not-a-real-token').get(ME), 401, 'token_not_valid', BEARER_INVALID);
      assert.equal((await owner.api.delete(`${API_TOKENS}abc/`)).status, 404);
    });
  });

  describe('failed sign-in limits (defaults: 10 per account, 50 per address, 15 minutes)', () => {
    /** `POST /token/` from a given client address. */
    const signIn = async (name: string, password: string, address: string) => {
      const res = await server.app.inject({ method: 'POST', url: TOKEN, remoteAddress: address, payload: { username: name, password } });
      return { status: res.statusCode, headers: res.headers, body: res.json() };
    };
    const THROTTLED = (seconds: number) => ({ type: 'client_error', errors: [{ code: 'throttled', detail: `Request was throttled. Expected available in ${seconds} seconds.`, attr: null }] });

    it('throttles an account after 10 failures, even with the right password, until the window ends; other accounts go on', async () => {
      const victim = (await makeUser(server, 1)).username;
      for (let i = 0; i < 10; i++) assert.equal((await signIn(victim, `guess${i}`, '10.1.0.1')).status, 401);
      const refused = await signIn(victim, 'guess10', '10.1.0.2');
      assert.equal(refused.status, 429);
      assert.deepEqual(refused.body, THROTTLED(900));
      assert.equal(refused.headers['retry-after'], '900');
      assert.equal((await signIn(victim, PASSWORD, '10.1.0.3')).status, 429, 'the right password waits too');
      assert.equal((await signIn(victim.toUpperCase(), PASSWORD, '10.1.0.3')).status, 429, 'whatever the case');
      assert.equal((await signIn(username, PASSWORD, '10.1.0.1')).status, 200, 'another account signs in from the same address');
      clock.advance(899_000);
      assert.deepEqual((await signIn(victim, PASSWORD, '10.1.0.3')).body, THROTTLED(1));
      clock.advance(1_000);
      assert.equal((await signIn(victim, PASSWORD, '10.1.0.3')).status, 200);
    });

    it('a success clears the account\'s failures', async () => {
      const user = (await makeUser(server, 1)).username;
      for (let i = 0; i < 9; i++) assert.equal((await signIn(user, 'wrong', '10.2.0.1')).status, 401);
      assert.equal((await signIn(user, PASSWORD, '10.2.0.1')).status, 200);
      for (let i = 0; i < 9; i++) assert.equal((await signIn(user, 'wrong', '10.2.0.1')).status, 401);
      assert.equal((await signIn(user, PASSWORD, '10.2.0.1')).status, 200);
    });

    it('throttles an address after 50 failures over any accounts; successes do not count; other addresses go on', async () => {
      for (let i = 0; i < 60; i++) assert.equal((await signIn(username, PASSWORD, '10.3.0.1')).status, 200, 'many sign-ins of a class behind one address');
      for (let i = 0; i < 50; i++) assert.equal((await signIn(`nobody${i}`, 'wrong', '10.3.0.1')).status, 401);
      const refused = await signIn('nobody-else', 'wrong', '10.3.0.1');
      assert.equal(refused.status, 429);
      assert.equal(refused.body.errors[0].code, 'throttled');
      assert.equal((await signIn(username, PASSWORD, '10.3.0.1')).status, 429);
      assert.equal((await signIn(username, PASSWORD, '10.3.0.2')).status, 200);
    });
  });
});
