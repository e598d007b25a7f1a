import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { makeUser, PASSWORD } from '../helpers/fixtures.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('failed sign-in limits: INGInious, and one count for every dialect', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ env: { ASSAY_SIGNIN_ACCOUNT_FAILURES: '4', ASSAY_SIGNIN_ADDRESS_FAILURES: '6', ASSAY_SIGNIN_WINDOW_SECONDS: '60' } });
  });
  after(() => server.close());

  const post = async (url: string, form: Record<string, string>, address: string) => {
    const res = await server.app.inject({ method: 'POST', url, remoteAddress: address, headers: FORM, payload: new URLSearchParams(form).toString() });
    return { status: res.statusCode, headers: res.headers, text: res.body };
  };
  const inginious = (login: string, password: string, address: string) => post('/api/v0/authentication', { login, password }, address);

  it('POST /api/v0/authentication past the account limit: 429 {"error": "Too many requests"}, even with the right password', async () => {
    const user = (await makeUser(server, 1)).username;
    for (let i = 0; i < 4; i++) {
      const res = await inginious(user, 'wrong', '10.5.0.1');
      assert.equal(res.status, 403);
      assert.deepEqual(JSON.parse(res.text), { status: 'error' });
    }
    const refused = await inginious(user, PASSWORD, '10.5.0.2');
    assert.equal(refused.status, 429);
    assert.deepEqual(JSON.parse(refused.text), { error: 'Too many requests' });
    assert.equal(refused.headers['set-cookie'], undefined);
  });

  it('the settings are honoured per address too (ASSAY_SIGNIN_ADDRESS_FAILURES)', async () => {
    for (let i = 0; i < 6; i++) assert.equal((await inginious(`ghost${i}`, 'wrong', '10.6.0.1')).status, 403);
    const user = (await makeUser(server, 1)).username;
    assert.equal((await inginious(user, PASSWORD, '10.6.0.1')).status, 429);
    assert.equal((await inginious(user, PASSWORD, '10.6.0.2')).status, 200);
  });

  it('failures on one dialect count on all: Hive, INGInious, Devilry and the OAuth sign-in page share one counter', async () => {
    const user = (await makeUser(server, 1)).username;
    const address = '10.7.0.1';
    const hive = await server.app.inject({ method: 'POST', url: '/api/core/token/', remoteAddress: address, payload: { username: user, password: 'wrong' } });
    assert.equal(hive.statusCode, 401);
    assert.equal((await inginious(user, 'wrong', address)).status, 403);
    assert.equal((await post('/authenticate/login', { username: user, password: 'wrong' }, address)).status, 401);
    assert.equal((await post('/oauth/sign_in', { username: user, password: 'wrong', return_to: '/activate' }, address)).status, 401);
    const devilry = await post('/authenticate/login', { username: user, password: PASSWORD }, '10.7.0.2');
    assert.equal(devilry.status, 429);
    assert.deepEqual(JSON.parse(devilry.text), { errormessages: ['Too many requests'] });
    const page = await post('/oauth/sign_in', { username: user, password: PASSWORD, return_to: '/activate' }, '10.7.0.3');
    assert.equal(page.status, 429);
    assert.match(page.text, /Too many failed sign-in attempts/);
    assert.equal(page.headers['retry-after'], '60');
  });
});
