import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { makeUser } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { call } from '../helpers/http.ts';
import type { RegisteredClient } from './oauth-helpers.ts';
import { authorizationCode, browserSession, formToken, INVALID_CLIENT, INVALID_GRANT, missing, registerClient, signedInUser, tokenRequest, UNSUPPORTED_GRANT } from './oauth-helpers.ts';

describe('oauth authorization-code flow and token endpoint', () => {
  let server: TestServer;
  let app: RegisteredClient;
  let cookie: string;
  let userId: number;
  const clock = new ManualClock('2024-01-01T00:00:00Z');
  const REDIRECT = 'https://app.example/callback';

  before(async () => {
    server = await startTestServer({ clock });
    app = await registerClient(server, [REDIRECT, 'https://app.example/other']);
    const signed = await signedInUser(server);
    cookie = signed.cookie;
    userId = signed.user.id;
  });
  after(() => server.close());

  const exchange = (code: string, extra: Record<string, string> = {}) =>
    tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: app.client_id, client_secret: app.client_secret, ...extra });

  it('sends an anonymous browser to sign in, then back to the consent page', async () => {
    const authorizeUrl = `/oauth/authorize?client_id=${encodeURIComponent(app.client_id)}&redirect_uri=${encodeURIComponent(REDIRECT)}&response_type=code&scope=user_info&state=s1`;
    const anonymous = await call(server.app, 'GET', authorizeUrl);
    assert.equal(anonymous.status, 302);
    const signIn = String(anonymous.headers.location);
    assert.equal(signIn, `/oauth/sign_in?return_to=${encodeURIComponent(authorizeUrl)}`);
    const form = await call(server.app, 'GET', signIn);
    assert.equal(form.status, 200);
    assert.match(String(form.headers['content-type']), /text\/html/);
    assert.match(form.text, /<form method="post" action="\/oauth\/sign_in">/);
    const user = await makeUser(server, 1);
    const wrong = await call(server.app, 'POST', '/oauth/sign_in', { form: { username: user.username, password: 'wrong', return_to: authorizeUrl } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /Invalid username or password\./);
    assert.equal(wrong.headers['set-cookie'], undefined);
    const ok = await call(server.app, 'POST', '/oauth/sign_in', { form: { username: user.username, password: 'correct horse battery staple', return_to: authorizeUrl } });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.location, authorizeUrl);
    // Only local paths are returned to.
    const open = await call(server.app, 'POST', '/oauth/sign_in', { form: { username: user.username, password: 'correct horse battery staple', return_to: '//evil.example/' } });
    assert.equal(open.headers.location, '/activate');

    const session = String([ok.headers['set-cookie']].flat()[0]).split(';')[0]!;
    const consent = await call(server.app, 'GET', authorizeUrl, { headers: { cookie: session } });
    assert.equal(consent.status, 200, consent.text);
    assert.match(consent.text, /Test app/);
    assert.match(consent.text, /user_info/);
    assert.match(consent.text, /name="decision" value="approve"/);
    assert.equal(consent.headers['x-frame-options'], 'DENY');
  });

  it('exchanges a consented code for tokens once', async () => {
    const code = await authorizationCode(server, app, cookie, 'user_info user_courses', 'state-1');
    const res = await exchange(code);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'created_at', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 7200);
    assert.equal(res.body.scope, 'user_info user_courses');
    assert.equal(res.body.created_at, Math.floor(clock.nowMs() / 1000));
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(await server.services.oauth.verifyAccessToken(res.body.access_token), { userId, clientId: app.id, scopes: ['user_info', 'user_courses'] });
    const again = await exchange(code);
    assert.equal(again.status, 400);
    assert.deepEqual(again.body, INVALID_GRANT);
  });

  it('accepts client credentials through HTTP Basic', async () => {
    const code = await authorizationCode(server, app, cookie);
    const basic = Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64');
    const res = await call(server.app, 'POST', '/oauth/token', { headers: { authorization: `Basic ${basic}` }, form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT } });
    assert.equal(res.status, 200, res.text);
  });

  it('refuses bad, expired and mismatched codes with invalid_grant', async () => {
    assert.deepEqual((await exchange('made-up')).body, INVALID_GRANT);
    const mismatch = await authorizationCode(server, app, cookie);
    const wrongUri = await exchange(mismatch, { redirect_uri: 'https://app.example/other' });
    assert.equal(wrongUri.status, 400);
    assert.deepEqual(wrongUri.body, INVALID_GRANT);
    const other = await registerClient(server, [REDIRECT]);
    const code = await authorizationCode(server, app, cookie);
    const otherClient = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: other.client_id, client_secret: other.client_secret });
    assert.deepEqual(otherClient.body, INVALID_GRANT);
    const late = await authorizationCode(server, app, cookie);
    clock.advance(601_000);
    assert.deepEqual((await exchange(late)).body, INVALID_GRANT);
  });

  it('refuses unknown clients and wrong secrets with 401 invalid_client', async () => {
    const code = await authorizationCode(server, app, cookie);
    for (const creds of [{ client_secret: 'wrong' }, { client_id: 'unknown' }, { client_id: '' }] as Record<string, string>[]) {
      const res = await exchange(code, creds);
      assert.equal(res.status, 401, JSON.stringify(creds));
      assert.deepEqual(res.body, INVALID_CLIENT);
    }
    const noSecret = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: app.client_id });
    assert.deepEqual(noSecret.body, INVALID_CLIENT);
    // The code was not spent by the failed attempts.
    assert.equal((await exchange(code)).status, 200);
  });

  it('answers unsupported grant types and missing parameters with the upstream bodies', async () => {
    for (const grant of ['password', 'client_credentials', 'implicit']) {
      const res = await tokenRequest(server, { grant_type: grant, client_id: app.client_id, client_secret: app.client_secret });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, UNSUPPORTED_GRANT);
    }
    const cases: [Record<string, string>, string][] = [
      [{}, 'grant_type'],
      [{ grant_type: 'authorization_code', redirect_uri: REDIRECT }, 'code'],
      [{ grant_type: 'authorization_code', code: 'abc' }, 'redirect_uri'],
      [{ grant_type: 'refresh_token' }, 'refresh_token'],
    ];
    for (const [form, name] of cases) {
      const res = await tokenRequest(server, { client_id: app.client_id, client_secret: app.client_secret, ...form });
      assert.equal(res.status, 400, name);
      assert.deepEqual(res.body, missing(name));
    }
    const json = await call(server.app, 'POST', '/oauth/token', { raw: '{', headers: { 'content-type': 'application/json' } });
    assert.equal(json.status, 400);
    assert.equal(json.body.error, 'invalid_request');
  });

  it('rotates refresh tokens: each is refused after its one use', async () => {
    const first = (await exchange(await authorizationCode(server, app, cookie, 'user_info user_submit'))).body;
    const refresh = (token: string, creds = app) => tokenRequest(server, { grant_type: 'refresh_token', refresh_token: token, client_id: creds.client_id, client_secret: creds.client_secret });
    const second = await refresh(first.refresh_token);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.body.scope, 'user_info user_submit');
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    assert.deepEqual((await refresh(first.refresh_token)).body, INVALID_GRANT);
    assert.equal(await server.services.oauth.verifyAccessToken(first.access_token), null, 'the rotated pair is revoked');
    assert.ok(await server.services.oauth.verifyAccessToken(second.body.access_token));
    assert.deepEqual((await refresh(second.body.access_token)).body, INVALID_GRANT, 'an access token is not a refresh token');
    const other = await registerClient(server);
    assert.deepEqual((await refresh(second.body.refresh_token, other)).body, INVALID_GRANT, 'bound to its client');
    assert.equal((await refresh(second.body.refresh_token)).status, 200);
  });

  it('lets access tokens expire after 2 hours while the refresh token still works', async () => {
    const tokens = (await exchange(await authorizationCode(server, app, cookie))).body;
    const info = await call(server.app, 'GET', '/oauth/token/info', { token: tokens.access_token });
    assert.equal(info.status, 200);
    assert.deepEqual(info.body, { resource_owner_id: userId, scope: ['user_info', 'user_courses'], expires_in: 7200, application: { uid: app.client_id }, created_at: tokens.created_at });
    clock.advance(7200_000);
    assert.equal(await server.services.oauth.verifyAccessToken(tokens.access_token), null);
    const expired = await call(server.app, 'GET', `/oauth/token/info?access_token=${tokens.access_token}`);
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error, 'invalid_token');
    const renewed = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: app.client_id, client_secret: app.client_secret });
    assert.equal(renewed.status, 200);
    assert.equal(renewed.body.created_at, Math.floor(clock.nowMs() / 1000));
  });

  it('revokes a token on request', async () => {
    const tokens = (await exchange(await authorizationCode(server, app, cookie))).body;
    const res = await call(server.app, 'POST', '/oauth/revoke', { form: { token: tokens.access_token, client_id: app.client_id, client_secret: app.client_secret } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {});
    assert.equal(await server.services.oauth.verifyAccessToken(tokens.access_token), null);
    const refresh = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: app.client_id, client_secret: app.client_secret });
    assert.deepEqual(refresh.body, INVALID_GRANT);
  });

  it('redirects a denial and redirectable errors to the client, and shows the others', async () => {
    const base = { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', state: 'st' };
    const _csrf = await formToken(server, cookie);
    const denied = await call(server.app, 'POST', '/oauth/authorize', { headers: { cookie }, form: { ...base, scope: 'user_info', decision: 'deny', _csrf } });
    assert.equal(denied.status, 302);
    const deniedUrl = new URL(String(denied.headers.location));
    assert.equal(deniedUrl.origin + deniedUrl.pathname, REDIRECT);
    assert.equal(deniedUrl.searchParams.get('error'), 'access_denied');
    assert.equal(deniedUrl.searchParams.get('state'), 'st');
    assert.equal(deniedUrl.searchParams.get('code'), null);

    const badScope = await call(server.app, 'GET', `/oauth/authorize?${new URLSearchParams({ ...base, scope: 'admin_all' })}`, { headers: { cookie } });
    assert.equal(badScope.status, 302);
    assert.equal(new URL(String(badScope.headers.location)).searchParams.get('error'), 'invalid_scope');
    const badType = await call(server.app, 'GET', `/oauth/authorize?${new URLSearchParams({ ...base, response_type: 'token' })}`, { headers: { cookie } });
    assert.equal(new URL(String(badType.headers.location)).searchParams.get('error'), 'unsupported_response_type');

    const { response_type: _omitted, ...noType } = base;
    const missingType = await call(server.app, 'GET', `/oauth/authorize?${new URLSearchParams(noType)}`, { headers: { cookie } });
    const missingUrl = new URL(String(missingType.headers.location));
    assert.equal(missingUrl.searchParams.get('error'), 'invalid_request');
    assert.equal(missingUrl.searchParams.get('error_description'), 'Missing required parameter: response_type.');

    const foreign = await call(server.app, 'GET', `/oauth/authorize?${new URLSearchParams({ ...base, redirect_uri: 'https://evil.example/cb' })}`, { headers: { cookie } });
    assert.equal(foreign.status, 400);
    assert.equal(foreign.headers.location, undefined);
    assert.match(foreign.text, /doesn&#39;t match client redirect URI/);
    const unknown = await call(server.app, 'GET', `/oauth/authorize?${new URLSearchParams({ ...base, client_id: 'nope' })}`, { headers: { cookie } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /Client authentication failed/);
    const before = await server.services.db.selectFrom('oauth_grants').select('id').execute();
    const forged = await call(server.app, 'POST', '/oauth/authorize', { headers: { cookie }, form: { ...base, redirect_uri: 'https://evil.example/cb', decision: 'approve', _csrf } });
    assert.equal(forged.status, 400);
    assert.equal((await server.services.db.selectFrom('oauth_grants').select('id').execute()).length, before.length);
  });

  it('shows the code on the page for out-of-band clients', async () => {
    const oob = await registerClient(server, ['urn:ietf:wg:oauth:2.0:oob']);
    const res = await call(server.app, 'POST', '/oauth/authorize', { headers: { cookie }, form: { client_id: oob.client_id, response_type: 'code', decision: 'approve', _csrf: await formToken(server, cookie) } });
    assert.equal(res.status, 200, res.text);
    const code = /<code id="authorization_code">([^<]+)<\/code>/.exec(res.text)?.[1];
    assert.ok(code, res.text);
    const tokens = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: 'urn:ietf:wg:oauth:2.0:oob', client_id: oob.client_id, client_secret: oob.client_secret });
    assert.equal(tokens.status, 200, tokens.text);
    assert.equal(tokens.body.scope, 'user_info');
  });

  it('does not accept a session after sign-out, nor a made-up one', async () => {
    const user = await makeUser(server, 1);
    const session = await browserSession(server, user.username);
    const out = await call(server.app, 'POST', '/oauth/sign_out', { headers: { cookie: session } });
    assert.equal(out.status, 200);
    for (const c of [session, 'assay_oauth_session=made-up']) {
      const res = await call(server.app, 'POST', '/oauth/authorize', { headers: { cookie: c }, form: { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', decision: 'approve' } });
      assert.equal(res.status, 302);
      assert.match(String(res.headers.location), /^\/oauth\/sign_in\?return_to=/);
    }
  });

  it('refuses a cross-site consent riding a signed-in browser (foreign or null Origin, missing or wrong form token)', async () => {
    const grants = async () => (await server.services.db.selectFrom('oauth_grants').select('id').execute()).length;
    const before = await grants();
    const approve = { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'user_info', state: 's', decision: 'approve' };
    const _csrf = await formToken(server, cookie);
    const attempts: [Record<string, string>, Record<string, string>][] = [
      [{ origin: 'https://evil.example' }, { ...approve, _csrf }],
      [{ origin: 'null' }, { ...approve, _csrf }],
      [{}, approve],
      [{}, { ...approve, _csrf: `${_csrf}x` }],
    ];
    for (const [headers, form] of attempts) {
      const res = await call(server.app, 'POST', '/oauth/authorize', { headers: { cookie, ...headers }, form });
      assert.equal(res.status, 403, `${JSON.stringify(headers)} ${JSON.stringify(form)}: ${res.text}`);
      assert.equal(res.headers.location, undefined);
      assert.match(res.text, /Request refused/);
    }
    // A session cookie without the form-token secret cookie (a cross-site POST carries only what SameSite lets through).
    const sessionOnly = cookie.split('; ').find((c) => c.startsWith('assay_oauth_session='))!;
    assert.equal((await call(server.app, 'POST', '/oauth/authorize', { headers: { cookie: sessionOnly }, form: { ...approve, _csrf } })).status, 403);
    const signInElsewhere = await call(server.app, 'POST', '/oauth/sign_in', { headers: { origin: 'https://evil.example' }, form: { username: 'x', password: 'y' } });
    assert.equal(signInElsewhere.status, 403);
    assert.equal(await grants(), before, 'no code was granted');
    const own = await call(server.app, 'POST', '/oauth/authorize', { headers: { cookie }, form: { ...approve, _csrf } });
    assert.equal(own.status, 302, own.text);
    assert.ok(new URL(String(own.headers.location)).searchParams.get('code'));
  });

  it('does not echo over-long input in a Location: 400 invalid_request, or the default return path', async () => {
    const huge = 'a'.repeat(64 * 1024);
    const post = await call(server.app, 'POST', '/oauth/authorize', { form: { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', state: huge } });
    assert.equal(post.status, 400, post.text.slice(0, 200));
    assert.equal(post.headers.location, undefined);
    assert.deepEqual(post.body, { error: 'invalid_request', error_description: 'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.' });
    const get = await call(server.app, 'GET', `/oauth/authorize?client_id=${app.client_id}&state=${'b'.repeat(8000)}`);
    assert.equal(get.status, 400);
    assert.equal(get.headers.location, undefined);
    const user = await makeUser(server, 1);
    const signIn = await call(server.app, 'POST', '/oauth/sign_in', { form: { username: user.username, password: 'correct horse battery staple', return_to: `/oauth/authorize?state=${huge}` } });
    assert.equal(signIn.status, 303);
    assert.equal(signIn.headers.location, '/activate');
    // An ordinary request is still sent to sign in and back.
    const short = await call(server.app, 'POST', '/oauth/authorize', { form: { client_id: app.client_id, redirect_uri: REDIRECT, response_type: 'code', state: 's' } });
    assert.equal(short.status, 302);
    assert.match(String(short.headers.location), /^\/oauth\/sign_in\?return_to=%2Foauth%2Fauthorize%3F/);
  });

  it('limits failed client secrets per client (10 per 15 minutes by default): 429 with the Autolab body, even for the right secret', async () => {
    const target = await registerClient(server);
    const token = async (secret: string) => {
      const res = await server.app.inject({
        method: 'POST',
        url: '/oauth/token',
        remoteAddress: '10.8.0.1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: target.client_id, client_secret: secret }).toString(),
      });
      return { status: res.statusCode, headers: res.headers, body: res.json() };
    };
    for (let i = 0; i < 10; i++) assert.deepEqual((await token(`guess${i}`)).body, INVALID_CLIENT);
    const refused = await token(target.client_secret);
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, { error: 'Too Many Requests. Retry Later.' });
    assert.equal(refused.headers['x-ratelimit-remaining'], '0');
    assert.equal(refused.headers['x-ratelimit-limit'], '10');
    const other = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: 'x', client_id: app.client_id, client_secret: app.client_secret });
    assert.deepEqual(other.body, INVALID_GRANT, 'other clients are not affected');
  });

  it('answers unknown /oauth paths and unreadable requests as JSON errors', async () => {
    const unknown = await call(server.app, 'GET', '/oauth/nothing');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { error: 'Not found' });
    const malformed = await call(server.app, 'GET', '/oauth/%E0%A4%A');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error, 'invalid_request');
    const text = await call(server.app, 'POST', '/oauth/token', { raw: '<x/>', headers: { 'content-type': 'application/xml' } });
    assert.equal(text.status, 415);
    assert.equal(text.body.error, 'invalid_request');
  });
});
