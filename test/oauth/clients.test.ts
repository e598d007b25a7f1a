import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { actorClient } from '../helpers/fixtures.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { call } from '../helpers/http.ts';
import type { Client } from '../helpers/http.ts';
import { INVALID_CLIENT, tokenRequest } from './oauth-helpers.ts';

const URL_CLIENTS = '/api/assay/v1/oauth/clients/';

describe('oauth client registration', () => {
  let server: TestServer;
  let admin: Client;

  before(async () => {
    server = await startTestServer();
    admin = (await actorClient(server, 5)).api;
  });
  after(() => server.close());

  const count = async () => (await server.services.db.selectFrom('oauth_clients').select('id').execute()).length;

  it('lets an admin register a client and shows the secret once', async () => {
    const res = await admin.post(URL_CLIENTS, {
      json: { name: 'autolab-cli', redirect_uris: ['http://localhost:3000/device_flow_auth_cb'], scopes: ['user_info', 'user_courses', 'user_scores', 'user_submit'] },
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['client_id', 'client_secret', 'id', 'name', 'redirect_uris', 'scopes']);
    assert.equal(res.body.name, 'autolab-cli');
    assert.deepEqual(res.body.redirect_uris, ['http://localhost:3000/device_flow_auth_cb']);
    assert.deepEqual(res.body.scopes, ['user_info', 'user_courses', 'user_scores', 'user_submit']);
    assert.equal(typeof res.body.id, 'number');
    const row = await server.services.db.selectFrom('oauth_clients').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(res.body.client_secret), 'only a hash of the secret is stored');
  });

  it('accepts scopes as one space-separated string and defaults to user_info', async () => {
    const spaced = await admin.post(URL_CLIENTS, { json: { name: 'a', redirect_uris: ['https://a.example/cb'], scopes: 'user_info admin_all' } });
    assert.equal(spaced.status, 201, spaced.text);
    assert.deepEqual(spaced.body.scopes, ['user_info', 'admin_all']);
    const none = await admin.post(URL_CLIENTS, { json: { name: 'b', redirect_uris: ['https://b.example/cb'] } });
    assert.equal(none.status, 201, none.text);
    assert.deepEqual(none.body.scopes, ['user_info']);
  });

  it('refuses non-admins (403) and anonymous callers (401), writing nothing', async () => {
    const before = await count();
    const staff = (await actorClient(server, 3)).api;
    const body = { json: { name: 'x', redirect_uris: ['https://x.example/cb'], scopes: ['user_info'] } };
    const forbidden = await staff.post(URL_CLIENTS, body);
    assert.equal(forbidden.status, 403, forbidden.text);
    assert.equal(forbidden.body.type, 'client_error');
    const anonymous = await call(server.app, 'POST', URL_CLIENTS, body);
    assert.equal(anonymous.status, 401);
    assert.equal(await count(), before);
  });

  it('rejects bad input with field errors in the Hive envelope', async () => {
    const before = await count();
    const cases: [unknown, string][] = [
      [{ redirect_uris: ['https://x.example/cb'] }, 'name'],
      [{ name: 'x', redirect_uris: [] }, 'redirect_uris'],
      [{ name: 'x', redirect_uris: ['https://x.example/cb'], scopes: ['root'] }, 'scopes.0'],
      [{ name: 'x', redirect_uris: ['relative/path'] }, 'redirect_uris.0'],
      [{ name: 'x', redirect_uris: ['https://x.example/cb#frag'] }, 'redirect_uris.0'],
    ];
    for (const [json, attr] of cases) {
      const res = await admin.post(URL_CLIENTS, { json });
      assert.equal(res.status, 400, `${JSON.stringify(json)}: ${res.text}`);
      assert.equal(res.body.type, 'validation_error');
      assert.ok(res.body.errors.some((e: { attr: string }) => e.attr === attr), `${attr} in ${res.text}`);
    }
    assert.equal(await count(), before);
  });

  it('documents the Assay OAuth endpoints in the OpenAPI document, and not the Autolab wire protocol', async () => {
    const res = await admin.get('/api/core/schema/?format=json');
    const paths = Object.keys((res.body ?? JSON.parse(res.text)).paths as object);
    assert.ok(paths.includes('/api/assay/v1/oauth/clients/'), paths.join());
    assert.ok(paths.includes('/api/assay/v1/oauth/device/approve'));
    assert.ok(!paths.some((p) => p.startsWith('/oauth') || p.startsWith('/activate')));
  });

  it('registers a client from the command line', async () => {
    const env: Record<string, string> = { ASSAY_DATA_DIR: server.dataDir, ASSAY_ARGON2_MEMORY_KIB: '1024', ASSAY_LOG_LEVEL: 'silent' };
    if (engineUnderTest === 'postgres') Object.assign(env, { DATABASE_URL: server.config.databaseUrl, DATABASE_SCHEMA: server.config.databaseSchema });
    const res = await runCli(
      ['oauth', 'client', 'create', 'cli app', '--redirect-uri', 'http://localhost:3000/device_flow_auth_cb', '--redirect-uri', 'https://b.example/cb', '--scopes', 'user_info user_submit'],
      env,
    );
    assert.equal(res.code, 0, res.stderr);
    const id = /^id: (\d+)$/m.exec(res.stdout)?.[1];
    const clientId = /^client_id: (\S+)$/m.exec(res.stdout)?.[1];
    const secret = /^client_secret: (\S+)$/m.exec(res.stdout)?.[1];
    assert.ok(id && clientId && secret, res.stdout);
    const row = await server.services.db.selectFrom('oauth_clients').selectAll().where('id', '=', Number(id)).executeTakeFirstOrThrow();
    assert.equal(row.uid, clientId);
    assert.equal(row.scopes, 'user_info user_submit');
    assert.deepEqual(JSON.parse(row.redirect_uris), ['http://localhost:3000/device_flow_auth_cb', 'https://b.example/cb']);
    // The printed secret authenticates the client: a bad code is then the grant's fault, not the client's.
    const withSecret = await tokenRequest(server, { grant_type: 'authorization_code', code: 'nope', redirect_uri: 'https://b.example/cb', client_id: clientId, client_secret: secret });
    assert.equal(withSecret.body.error, 'invalid_grant');
    const wrong = await tokenRequest(server, { grant_type: 'authorization_code', code: 'nope', redirect_uri: 'https://b.example/cb', client_id: clientId, client_secret: 'x' });
    assert.deepEqual(wrong.body, INVALID_CLIENT);

    const bad = await runCli(['oauth', 'client', 'create', 'bad', '--redirect-uri', 'nope', '--scopes', 'root'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--redirect-uri: Enter an absolute URI\./);
    assert.match(bad.stderr, /--scopes: Unknown scope: root\./);
    const usage = await runCli(['oauth', 'client'], env);
    assert.equal(usage.code, 2);
  });
});
