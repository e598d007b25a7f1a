import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, login, makeUser } from '../helpers/fixtures.ts';
import { client } from '../helpers/http.ts';

const REGISTER = '/api/core/management/register/';
const SECRET = 'staff-issued-secret';

type Problem = { attr: string | null; code: string };
const problems = (body: { errors: Problem[] }) => body.errors.map((e) => [e.attr, e.code]).sort();

let n = 0;
const body = (extra: Record<string, unknown> = {}) => ({
  first_name: 'New',
  last_name: 'Checker',
  username: `checker_${++n}_${process.pid}`,
  gender: 'Female',
  password: 'a long password',
  secret: SECRET,
  ...extra,
});

describe('hive /management/register/', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ env: { ASSAY_REGISTRATION_SECRET: SECRET, ASSAY_REGISTRATION_RATE_PER_MINUTE: '1000' } });
  });
  after(() => server.close());

  it('creates a checker account with the right secret and never echoes the password', async () => {
    const input = body();
    const res = await client(server.app).post(REGISTER, { json: input });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body, { first_name: 'New', last_name: 'Checker', username: input.username, gender: 'Female', password: '' });
    const row = await server.services.users.byUsername(input.username);
    assert.ok(row);
    assert.equal(row.clearance, 2);
    assert.equal(row.status, 'Present');
    assert.equal(row.confirmed, false);
    assert.equal(row.number, null);
    assert.equal(row.program_id, null);
    assert.equal(row.gender, 'Female');
    // The new account logs in with its password and is a checker.
    const api = client(server.app, await login(server, input.username, input.password));
    const me = await api.get('/api/core/management/users/me/');
    assert.equal(me.body.clearance, 2);
    assert.equal(me.body.display_name, 'New Checker');
  });

  it('accepts a form body and an authenticated caller', async () => {
    const input = body({ gender: 'NonBinary' });
    const form = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)]));
    const res = await client(server.app).post(REGISTER, { form });
    assert.equal(res.status, 201, res.text);
    const staff = (await actorClient(server, 3)).api;
    assert.equal((await staff.post(REGISTER, { json: body() })).status, 201);
  });

  it('answers a wrong secret with 400 on `secret`, before looking at the username', async () => {
    const taken = await makeUser(server, 2);
    const res = await client(server.app).post(REGISTER, { json: body({ secret: 'guess', username: taken.username }) });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { type: 'validation_error', errors: [{ code: 'invalid', detail: 'Invalid registration secret.', attr: 'secret' }] });
    const input = body({ secret: `${SECRET}x` });
    assert.equal((await client(server.app).post(REGISTER, { json: input })).status, 400);
    assert.equal(await server.services.users.byUsername(input.username), undefined);
  });

  it('reports bad input: missing keys, wrong choices, long values, a taken or malformed username', async () => {
    const empty = await client(server.app).post(REGISTER, { json: {} });
    assert.equal(empty.status, 400);
    assert.deepEqual(problems(empty.body), [
      ['first_name', 'required'],
      ['gender', 'required'],
      ['last_name', 'required'],
      ['password', 'required'],
      ['secret', 'required'],
      ['username', 'required'],
    ]);
    const shapes = await client(server.app).post(REGISTER, { json: body({ gender: 'Robot', first_name: 'x'.repeat(151), password: '', secret: 's'.repeat(257) }) });
    assert.deepEqual(problems(shapes.body), [['first_name', 'max_length'], ['gender', 'invalid_choice'], ['password', 'blank'], ['secret', 'max_length']]);
    const taken = await makeUser(server, 1);
    const dup = await client(server.app).post(REGISTER, { json: body({ username: taken.username }) });
    assert.deepEqual(dup.body.errors, [{ code: 'unique', detail: 'A user with that username already exists.', attr: 'username' }]);
    const odd = await client(server.app).post(REGISTER, { json: body({ username: 'no spaces allowed' }) });
    assert.deepEqual(problems(odd.body), [['username', 'invalid']]);
    const bad = await client(server.app).post(REGISTER, { raw: '{"username":', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].code, 'parse_error');
  });

  it('only POST exists: other methods answer 405 without authentication', async () => {
    const res = await client(server.app).get(REGISTER);
    assert.equal(res.status, 405);
    assert.equal(res.body.errors[0].code, 'method_not_allowed');
  });
});

describe('hive /management/register/ when registration is off', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('answers 403 permission_denied, even with a body that would otherwise be valid', async () => {
    assert.equal(loadConfig({}).registrationSecret, null);
    const res = await client(server.app).post(REGISTER, { json: body() });
    assert.equal(res.status, 403);
    assert.deepEqual(res.body.errors, [{ code: 'permission_denied', detail: 'You do not have permission to perform this action.', attr: null }]);
    assert.equal((await client(server.app).post(REGISTER, { raw: 'not json', headers: { 'content-type': 'application/json' } })).status, 403);
  });
});

describe('hive /management/register/ rate limit', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { ASSAY_REGISTRATION_SECRET: SECRET, ASSAY_REGISTRATION_RATE_PER_MINUTE: '3' } });
  });
  after(() => server.close());

  it('answers 429 throttled in the Hive envelope past the configured rate, and only on this route', async () => {
    const anonymous = client(server.app);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await anonymous.post(REGISTER, { json: body({ secret: 'wrong' }) })).status);
    assert.deepEqual(statuses, [400, 400, 400]);
    const limited = await anonymous.post(REGISTER, { json: body() });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.type, 'client_error');
    assert.equal(limited.body.errors.length, 1);
    assert.equal(limited.body.errors[0].code, 'throttled');
    assert.equal(limited.body.errors[0].attr, null);
    assert.match(limited.body.errors[0].detail, /^Request was throttled\. Expected available in \d+ seconds\.$/);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    // Other routes are not limited.
    for (let i = 0; i < 5; i++) assert.equal((await anonymous.get('/api/core/time/')).status, 200);
    assert.equal((await anonymous.post('/api/core/token/', { json: { username: 'x', password: 'y' } })).status, 401);
  });

  it('reads the default rate of 10 per minute from the configuration', () => {
    assert.equal(loadConfig({}).registrationRatePerMinute, 10);
    assert.equal(loadConfig({ ASSAY_REGISTRATION_RATE_PER_MINUTE: '25' }).registrationRatePerMinute, 25);
    assert.throws(() => loadConfig({ ASSAY_REGISTRATION_RATE_PER_MINUTE: '0' }));
    assert.throws(() => loadConfig({ ASSAY_REGISTRATION_RATE_PER_MINUTE: 'many' }));
  });
});
