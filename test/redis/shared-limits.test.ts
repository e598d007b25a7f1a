/**
 * With ASSAY_REDIS_URL, two servers count in one place: failed sign-ins (RedisAttemptStore) and
 * @fastify/rate-limit's limits (Hive's registration here) add up across both. Without it, each
 * process counts alone (the control case, which shows the test can tell the difference). Runs
 * against the machine's Redis (127.0.0.1:6379) under a fresh key prefix, removed afterwards.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { engineUnderTest, startTestServer, type TestServer } from '../helpers/harness.ts';
import { call } from '../helpers/http.ts';

const REDIS_URL = process.env.ASSAY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = '/api/core/token/';
const REGISTER = '/api/core/management/register/';

async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Two servers (each its own database) with these limits, sharing Redis under `prefix` or not at all. */
async function twoServers(prefix: string | null): Promise<[TestServer, TestServer]> {
  const env = {
    ASSAY_SIGNIN_ACCOUNT_FAILURES: '3',
    ASSAY_SIGNIN_ADDRESS_FAILURES: '0',
    ASSAY_REGISTRATION_SECRET: 'let-me-in',
    ASSAY_REGISTRATION_RATE_PER_MINUTE: '3',
    ASSAY_WORKERS: '0',
    ...(prefix ? { ASSAY_REDIS_URL: REDIS_URL, ASSAY_REDIS_PREFIX: prefix } : {}),
  };
  return [await startTestServer({ env }), await startTestServer({ env })];
}

/** Statuses of failed sign-ins of one account alternating between the servers. */
async function failedSignIns(servers: TestServer[], username: string, tries: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < tries; i++) {
    const res = await call(servers[i % servers.length]!.app, 'POST', TOKEN, { json: { username, password: 'wrong' } });
    statuses.push(res.status);
  }
  return statuses;
}

/** Statuses of registrations (all refused for a bad secret, but counted) alternating between the servers. */
async function registrations(servers: TestServer[], tries: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < tries; i++) {
    const res = await call(servers[i % servers.length]!.app, 'POST', REGISTER, { json: { secret: 'wrong' } });
    statuses.push(res.status);
  }
  return statuses;
}

describe(`limits shared by two servers through Redis (${engineUnderTest})`, () => {
  const prefix = `assay-test-${crypto.randomBytes(5).toString('hex')}:`;
  let redis: Redis;
  let servers: [TestServer, TestServer];

  before(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    servers = await twoServers(prefix);
  });
  after(async () => {
    for (const s of servers) await s.close();
    const keys = await keysUnder(redis, prefix);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('failed sign-ins of one account add up across both servers', async () => {
    const statuses = await failedSignIns(servers, 'nobody-here', 5);
    // Three failures allowed in all (two on one server, one on the other), then 429 on either.
    assert.ok(statuses.slice(0, 3).every((s) => s !== 429), statuses.join(','));
    assert.deepEqual(statuses.slice(3), [429, 429]);
    const keys = await keysUnder(redis, `${prefix}sign-in:`);
    assert.deepEqual(keys, [`${prefix}sign-in:account:nobody-here`]);
    assert.equal(await redis.get(keys[0]!), '5');
  });

  it('Hive registration’s rate limit (@fastify/rate-limit) adds up across both servers', async () => {
    const statuses = await registrations(servers, 5);
    assert.ok(statuses.slice(0, 3).every((s) => s !== 429), statuses.join(','));
    assert.deepEqual(statuses.slice(3), [429, 429]);
    assert.ok((await keysUnder(redis, `${prefix}rate-limit:hive:`)).length > 0);
  });
});

describe(`without Redis each server counts alone (${engineUnderTest})`, () => {
  let servers: [TestServer, TestServer];
  before(async () => {
    servers = await twoServers(null);
  });
  after(async () => {
    for (const s of servers) await s.close();
  });

  it('five failures spread over two servers stay under a limit of three each', async () => {
    const statuses = await failedSignIns(servers, 'nobody-here', 5);
    assert.ok(statuses.every((s) => s !== 429), statuses.join(','));
    assert.ok((await registrations(servers, 5)).every((s) => s !== 429));
  });
});

describe(`a Redis that does not answer (${engineUnderTest})`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { ASSAY_REDIS_URL: 'redis://127.0.0.1:1', ASSAY_WORKERS: '0' } });
  });
  after(() => server.close());

  it('refuses sign-in with a 503 within seconds instead of counting nothing', async () => {
    const started = Date.now();
    const res = await call(server.app, 'POST', TOKEN, { json: { username: 'someone', password: 'wrong' } });
    assert.ok(Date.now() - started < 8000, `answered in ${Date.now() - started} ms`);
    assert.equal(res.status, 503, res.text);
  });
});
