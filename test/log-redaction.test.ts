import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { startTestServer } from './helpers/harness.ts';
import type { TestServer } from './helpers/harness.ts';
import { call } from './helpers/http.ts';

/** The lines the app's own pino logger writes, as the server writes them to stdout. */
function logCapture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { lines, stream };
}

describe('secrets never reach the request log', () => {
  let server: TestServer;
  let app: FastifyInstance;
  const log = logCapture();

  before(async () => {
    server = await startTestServer();
    // The same app the server builds, on the same services, logging at info into the capture.
    app = await buildApp(server.services, { logger: { level: 'info', stream: log.stream } });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await server.close();
  });

  const SECRETS = ['TOK-aaa111', 'TOK-bbb222', 'CODE-ccc333', 'PASS-ddd444', 'CS-eee555', 'RT-fff666', 'DEV-ggg777', 'BT-hhh888', 'T-iii999'];

  it('query-string secrets (Autolab access_token, OAuth codes, passwords) are redacted from logged URLs and messages', async () => {
    await call(app, 'GET', `/api/v1/user?access_token=${SECRETS[0]}&format=json`);
    await call(app, 'GET', `/oauth/token/info?bearer_token=${SECRETS[7]}`);
    await call(app, 'GET', `/oauth/device_flow_authorize?client_id=x&device_code=${SECRETS[6]}`);
    await call(app, 'POST', `/oauth/token?code=${SECRETS[2]}&client_secret=${SECRETS[4]}&refresh_token=${SECRETS[5]}`, { form: { grant_type: 'authorization_code' } });
    // Percent-encoded names and Rails' nested names.
    await call(app, 'GET', `/no/such/route?access%5Ftoken=${SECRETS[1]}&user%5Bpassword%5D=${SECRETS[3]}&token=${SECRETS[8]}`);

    const text = log.lines.join('\n');
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} is in the log:\n${text}`);
    const urls = log.lines.map((l) => JSON.parse(l) as { req?: { url?: string } }).flatMap((e) => (e.req?.url ? [e.req.url] : []));
    assert.ok(urls.includes('/api/v1/user?access_token=[REDACTED]&format=json'), urls.join('\n'));
    assert.ok(urls.includes('/oauth/token?code=[REDACTED]&client_secret=[REDACTED]&refresh_token=[REDACTED]'), urls.join('\n'));
    assert.ok(urls.includes('/no/such/route?access%5Ftoken=[REDACTED]&user%5Bpassword%5D=[REDACTED]&token=[REDACTED]'), urls.join('\n'));
  });

  it('secret keys of logged objects (bodies, error details, headers) are censored', async () => {
    const before = log.lines.length;
    app.log.info({ body: { username: 'ann', password: SECRETS[3], client_secret: SECRETS[4] } }, 'sign-in body');
    app.log.warn({ req: { headers: { authorization: `Bearer ${SECRETS[0]}`, cookie: `sessionid=${SECRETS[1]}` } }, err: { details: { token: SECRETS[8] } } }, 'refused');
    // Messages quoting a URL or a form body (as Fastify's "Route GET:/x?… not found" does).
    app.log.info(`form body: username=ann&password=${SECRETS[3]}`);
    app.log.info(`Route GET:/api/v1/user?access_token=${SECRETS[0]}&x=1 not found`);
    const lines = log.lines.slice(before);
    assert.equal(lines.length, 4);
    const text = lines.join('\n');
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} is in the log:\n${text}`);
    assert.deepEqual(JSON.parse(lines[0]!).body, { username: 'ann', password: '[REDACTED]', client_secret: '[REDACTED]' });
    assert.equal(JSON.parse(lines[2]!).msg, 'form body: username=ann&password=[REDACTED]');
    assert.equal(JSON.parse(lines[3]!).msg, 'Route GET:/api/v1/user?access_token=[REDACTED]&x=1 not found');
  });
});
