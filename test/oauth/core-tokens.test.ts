import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { isAssayError } from '../../src/core/errors.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { adminActor, makeUser } from '../helpers/fixtures.ts';

describe('oauth core: clients, issued tokens, verification', () => {
  let server: TestServer;
  const clock = new ManualClock('2024-01-01T00:00:00Z');

  before(async () => {
    server = await startTestServer({ clock });
  });
  after(() => server.close());

  it('registers a client (admins only) and keeps only hashes of its secret', async () => {
    const admin = await adminActor(server);
    const created = await server.services.oauth.createClient(admin, { name: 'CLI', redirectUris: ['http://localhost:3000/device_flow_auth_cb'], scopes: ['user_info', 'user_courses'] });
    assert.equal(created.name, 'CLI');
    assert.deepEqual(created.scopes, ['user_info', 'user_courses']);
    assert.match(created.clientSecret, /^[\w-]{40,}$/);
    const row = await server.services.db.selectFrom('oauth_clients').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.equal(row.uid, created.clientId);
    assert.notEqual(row.secret_hash, created.clientSecret);
    assert.ok(!JSON.stringify(row).includes(created.clientSecret));

    const student = await makeUser(server, 1);
    await assert.rejects(
      server.services.oauth.createClient({ id: student.id, username: student.username, clearance: 1 }, { name: 'x', redirectUris: ['http://a/cb'], scopes: [] }),
      (e: unknown) => isAssayError(e) && e.kind === 'forbidden',
    );
  });

  it('rejects unknown scopes and bad redirect URIs, writing nothing', async () => {
    const admin = await adminActor(server);
    const before = await server.services.db.selectFrom('oauth_clients').select('id').execute();
    await assert.rejects(
      server.services.oauth.createClient(admin, { name: 'x', redirectUris: ['not a uri', 'http://a/cb#frag'], scopes: ['user_info', 'root'] }),
      (e: unknown) => isAssayError(e) && e.kind === 'invalid' && (e.details.fields ?? []).map((f) => f.field).join() === 'redirect_uris.0,redirect_uris.1,scopes',
    );
    assert.equal((await server.services.db.selectFrom('oauth_clients').select('id').execute()).length, before.length);
  });

  it('issues tokens that verify until they expire (2 hours), stored only as hashes', async () => {
    const admin = await adminActor(server);
    const c = await server.services.oauth.createClient(admin, { name: 'T', redirectUris: ['http://a/cb'], scopes: ['user_info', 'user_submit'] });
    const user = await makeUser(server, 1);
    const issued = await server.services.oauth.issueTokens({ clientId: c.id, userId: user.id, scopes: ['user_info', 'user_submit'] });
    assert.equal(issued.expiresIn, 7200);
    assert.equal(issued.createdAt.getTime(), clock.nowMs());
    assert.notEqual(issued.accessToken, issued.refreshToken);
    assert.deepEqual(await server.services.oauth.verifyAccessToken(issued.accessToken), { userId: user.id, clientId: c.id, scopes: ['user_info', 'user_submit'] });
    assert.equal(await server.services.oauth.verifyAccessToken(issued.refreshToken), null);
    assert.equal(await server.services.oauth.verifyAccessToken('nope'), null);
    assert.equal(await server.services.oauth.verifyAccessToken(''), null);
    const rows = await server.services.db.selectFrom('oauth_tokens').selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(issued.accessToken));
    clock.advance(7199 * 1000);
    assert.ok(await server.services.oauth.verifyAccessToken(issued.accessToken));
    clock.advance(1000);
    assert.equal(await server.services.oauth.verifyAccessToken(issued.accessToken), null);
  });
});
