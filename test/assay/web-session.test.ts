import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { PASSWORD, makeUser } from '../helpers/fixtures.ts';
import { call } from '../helpers/http.ts';
import type { Reply } from '../helpers/http.ts';

/** The `name=value` pairs a reply sets, for the next request's Cookie header. */
function cookiesOf(reply: Reply): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of [reply.headers['set-cookie'] ?? []].flat()) {
    const [pair] = String(line).split(';');
    const at = pair!.indexOf('=');
    out.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
  return out;
}

const cookieHeader = (jar: Map<string, string>) => [...jar].filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`).join('; ');

describe(`/api/assay/v1/session/: browser sessions, CSRF, security headers, on ${engineUnderTest}`, () => {
  let server: TestServer;
  let user: { id: number; username: string };

  before(async () => {
    server = await startTestServer({ env: { ASSAY_SIGNIN_ACCOUNT_FAILURES: '3', ASSAY_TRUST_PROXY: 'true' } });
    user = await makeUser(server, 1);
  });
  after(async () => server?.close());

  async function signIn(username = user.username, password = PASSWORD, headers: Record<string, string> = {}) {
    const reply = await call(server.app, 'POST', '/api/assay/v1/session/', { json: { username, password }, headers });
    return { reply, jar: cookiesOf(reply) };
  }

  it('signs in with the account’s password: an HttpOnly SameSite=Lax cookie, the user and a CSRF token', async () => {
    const { reply, jar } = await signIn();
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.user.id, user.id);
    assert.equal(reply.body.user.username, user.username);
    assert.equal(reply.body.user.role, 'student');
    assert.equal(typeof reply.body.csrf_token, 'string');
    const session = [reply.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('assay_oauth_session='))!;
    assert.match(session, /HttpOnly/i);
    assert.match(session, /SameSite=Lax/i);
    assert.match(session, /Path=\//);
    assert.doesNotMatch(session, /Secure/i, 'plain http: not Secure');
    const me = await call(server.app, 'GET', '/api/assay/v1/session/', { headers: { cookie: cookieHeader(jar) } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.user.id, user.id);
  });

  it('marks the cookie Secure over https (behind a trusted proxy)', async () => {
    const { reply } = await signIn(user.username, PASSWORD, { 'x-forwarded-proto': 'https' });
    assert.equal(reply.status, 200, reply.text);
    const session = [reply.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('assay_oauth_session='))!;
    assert.match(session, /Secure/i);
  });

  it('refuses a cookie-authenticated unsafe request without the CSRF token, and accepts it with the token', async () => {
    const { reply, jar } = await signIn();
    const cookie = cookieHeader(new Map([...jar, ...cookiesOf(await call(server.app, 'GET', '/api/assay/v1/session/', { headers: { cookie: cookieHeader(jar) } }))]));
    const token = reply.body.csrf_token as string;

    const none = await call(server.app, 'POST', '/api/assay/v1/tokens/', { json: { name: 'from a page' }, headers: { cookie } });
    assert.equal(none.status, 403, none.text);
    assert.deepEqual(none.body, { type: 'client_error', errors: [{ code: 'permission_denied', detail: 'CSRF Failed: CSRF token missing or incorrect.', attr: null }] });
    const wrong = await call(server.app, 'POST', '/api/assay/v1/tokens/', { json: { name: 'from a page' }, headers: { cookie, 'x-csrf-token': `${token}x` } });
    assert.equal(wrong.status, 403, wrong.text);
    const noSecret = await call(server.app, 'POST', '/api/assay/v1/tokens/', {
      json: { name: 'from a page' },
      headers: { cookie: cookieHeader(new Map([...jar].filter(([k]) => k !== 'assay_csrf'))), 'x-csrf-token': token },
    });
    assert.equal(noSecret.status, 403, 'a token without its secret cookie is refused');
    const listed = await call(server.app, 'GET', '/api/assay/v1/tokens/', { headers: { cookie } });
    assert.deepEqual(listed.body, [], 'nothing was created by the refused requests');

    const ok = await call(server.app, 'POST', '/api/assay/v1/tokens/', { json: { name: 'from a page' }, headers: { cookie, 'x-csrf-token': token } });
    assert.equal(ok.status, 201, ok.text);

    // A Bearer request needs no CSRF token (no browser sends that header for another site).
    const bearer = await call(server.app, 'POST', '/api/assay/v1/tokens/', { json: { name: 'by script' }, headers: { authorization: `Bearer ${ok.body.token}` } });
    assert.equal(bearer.status, 201, bearer.text);
  });

  it('answers 401 without a session, and ends the session on the server when signing out', async () => {
    assert.equal((await call(server.app, 'GET', '/api/assay/v1/session/')).status, 401);
    const { reply, jar } = await signIn();
    const cookie = cookieHeader(jar);
    const withoutToken = await call(server.app, 'DELETE', '/api/assay/v1/session/', { headers: { cookie } });
    assert.equal(withoutToken.status, 403, 'signing out is an unsafe request too');
    assert.equal((await call(server.app, 'GET', '/api/assay/v1/session/', { headers: { cookie } })).status, 200);

    const out = await call(server.app, 'DELETE', '/api/assay/v1/session/', { headers: { cookie, 'x-csrf-token': reply.body.csrf_token } });
    assert.equal(out.status, 204, out.text);
    assert.match(String([out.headers['set-cookie']].flat().find((c) => String(c).startsWith('assay_oauth_session='))), /Expires=Thu, 01 Jan 1970/);
    // The old cookie, replayed, names no session any more.
    const replayed = await call(server.app, 'GET', '/api/assay/v1/session/', { headers: { cookie } });
    assert.equal(replayed.status, 401, replayed.text);
    assert.equal(replayed.body.errors[0].code, 'not_authenticated');
  });

  it('refuses wrong credentials with 401, and with 429 past the account’s sign-in limit (the right password too)', async () => {
    const victim = await makeUser(server, 1);
    const wrong = await signIn(victim.username, 'not the password');
    assert.equal(wrong.reply.status, 401, wrong.reply.text);
    assert.equal(wrong.jar.get('assay_oauth_session'), undefined, 'no session cookie');
    assert.equal((await signIn('nobody-at-all', 'x')).reply.status, 401);
    for (let i = 0; i < 2; i++) assert.equal((await signIn(victim.username, 'still wrong')).reply.status, 401);
    const limited = await signIn(victim.username, PASSWORD);
    assert.equal(limited.reply.status, 429, limited.reply.text);
    assert.ok(Number(limited.reply.headers['retry-after']) > 0);
    assert.equal(limited.jar.get('assay_oauth_session'), undefined);
  });

  it('refuses bad sign-in bodies with 400 on the field, and a sign-in sent by another site', async () => {
    for (const [json, attr] of [[{ password: 'x' }, 'username'], [{ username: user.username }, 'password'], [{ username: '', password: 'x' }, 'username']] as const) {
      const bad = await call(server.app, 'POST', '/api/assay/v1/session/', { json });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.body.errors[0].attr, attr);
    }
    const garbled = await call(server.app, 'POST', '/api/assay/v1/session/', { raw: '{"username":', headers: { 'content-type': 'application/json' } });
    assert.equal(garbled.status, 400, garbled.text);
    const foreign = await signIn(user.username, PASSWORD, { origin: 'https://evil.example' });
    assert.equal(foreign.reply.status, 403, foreign.reply.text);
    assert.equal(foreign.jar.get('assay_oauth_session'), undefined);
  });

  it('sends security headers on API answers and on the reference page', async () => {
    const api = await call(server.app, 'GET', '/api/assay/v1/session/csrf/');
    assert.equal(api.status, 200);
    assert.equal(api.headers['x-content-type-options'], 'nosniff');
    assert.equal(api.headers['x-frame-options'], 'DENY');
    assert.match(String(api.headers['content-security-policy']), /default-src 'none'/);
    const docs = await call(server.app, 'GET', '/api/assay/v1/docs/');
    assert.equal(docs.status, 200, docs.text);
    assert.match(String(docs.headers['content-type']), /text\/html/);
    const csp = String(docs.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval/);
  });

  it('serves an OpenAPI document of Assay’s own routes only, relative to /api/assay/v1', async () => {
    const doc = await call(server.app, 'GET', '/api/assay/v1/openapi.json');
    assert.equal(doc.status, 200, doc.text);
    assert.equal(doc.body.openapi, '3.0.3');
    assert.deepEqual(doc.body.servers, [{ url: '/api/assay/v1' }]);
    const paths = Object.keys(doc.body.paths);
    assert.ok(paths.includes('/session/'), paths.join(' '));
    assert.ok(paths.includes('/submissions/{id}/'));
    assert.ok(!paths.some((p) => p.startsWith('/api/')), 'no Hive or other dialect paths');
    assert.ok(!paths.some((p) => p.includes('docs') || p.includes('openapi')), 'not the document itself');
    const signIn = doc.body.paths['/session/'].post;
    assert.equal(signIn.operationId, 'assay_session_create');
    assert.deepEqual(signIn.requestBody.content['application/json'].schema.required, ['username', 'password']);
    assert.ok(signIn.responses['200'].content['application/json'].schema.properties.csrf_token);
    const ui = await call(server.app, 'GET', '/api/assay/v1/docs/json');
    assert.deepEqual(Object.keys(ui.body.paths), paths, 'the reference page shows the same document');
  });
});
