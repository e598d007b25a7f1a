import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { ManualClock } from '../src/core/clock.ts';
import { actorClient } from './helpers/fixtures.ts';
import { engineUnderTest, startTestServer } from './helpers/harness.ts';
import type { TestServer } from './helpers/harness.ts';
import type { Client } from './helpers/http.ts';
import { call, client } from './helpers/http.ts';

const NOT_FOUND = { type: 'client_error', errors: [{ code: 'not_found', detail: 'Not found.', attr: null }] };
const hasBwrap = spawnSync('sh', ['-c', 'command -v bwrap'], { encoding: 'utf8' }).status === 0;

describe('health, metrics, time, schema and generic errors', () => {
  let server: TestServer;
  let staff: Client;
  const start = '2024-05-01T09:30:00.123456Z';

  before(async () => {
    server = await startTestServer({ clock: new ManualClock(start) });
    staff = (await actorClient(server, 3)).api;
  });
  after(() => server.close());

  it('/healthz reports the database, the blob store and the sandbox', async () => {
    const res = await call(server.app, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(res.body.status, 'ok');
    assert.deepEqual(res.body.database, { ok: true, engine: engineUnderTest });
    assert.deepEqual(res.body.blobs, { ok: true });
    assert.equal(res.body.sandbox.ok, hasBwrap);
    if (hasBwrap) assert.match(res.body.sandbox.bwrap, /\/bwrap$/);
    else assert.match(res.body.sandbox.error, /bubblewrap/);
  });

  it('/healthz answers 503 when the blob store cannot be written', async () => {
    const tmp = path.join(server.config.blobDir, 'tmp');
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.writeFileSync(tmp, 'not a directory');
    try {
      const res = await call(server.app, 'GET', '/healthz');
      assert.equal(res.status, 503);
      assert.equal(res.body.status, 'error');
      assert.equal(res.body.blobs.ok, false);
      assert.equal(typeof res.body.blobs.error, 'string');
      assert.equal(res.body.database.ok, true);
    } finally {
      fs.rmSync(tmp, { force: true });
      fs.mkdirSync(tmp);
    }
    assert.equal((await call(server.app, 'GET', '/healthz')).status, 200);
  });

  it('/metrics is Prometheus text with the request histogram', async () => {
    await call(server.app, 'GET', '/api/core/time/');
    await call(server.app, 'GET', '/api/core/nope/');
    const res = await call(server.app, 'GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(res.text, /^# HELP assay_http_request_duration_seconds /m);
    assert.match(res.text, /^# TYPE assay_http_request_duration_seconds histogram$/m);
    assert.match(res.text, /^assay_http_request_duration_seconds_count\{method="GET",route="\/api\/core\/time\/",status="200"\} [1-9]\d*$/m);
    assert.match(res.text, /^assay_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/core\/time\/",status="200"\} [1-9]/m);
    assert.match(res.text, /^assay_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} [1-9]/m);
    assert.match(res.text, /^assay_process_cpu_user_seconds_total \d/m);
  });

  it('GET /api/core/time/ is a bare JSON string with microseconds and Z', async () => {
    const res = await call(server.app, 'GET', '/api/core/time/');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(res.text, `"${start}"`);
    assert.equal(res.body, start);
    // An authenticated call works too, and the format holds for any instant.
    const real = await startTestServer();
    try {
      const now = await call(real.app, 'GET', '/api/core/time/');
      assert.match(now.text, /^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"$/);
      assert.ok(Math.abs(Date.parse(now.body) - Date.now()) < 60_000);
    } finally {
      await real.close();
    }
    assert.equal((await staff.get('/api/core/time/')).status, 200);
  });

  it('GET /api/core/schema/ gives JSON on request and YAML otherwise', async () => {
    const info = { title: 'Core API', version: '5.12.0', description: 'Core Course System' };
    for (const options of [{ headers: { accept: 'application/json' } }, { query: { format: 'json' } }]) {
      const res = await call(server.app, 'GET', '/api/core/schema/', options);
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.body.openapi, '3.0.3');
      assert.deepEqual(res.body.info, info);
      assert.equal(typeof res.body.paths, 'object');
      assert.ok(res.body.paths['/api/core/tags/'], 'documents the tags routes');
      assert.ok(res.body.paths['/api/assay/v1/tokens/'], 'documents Assay routes');
    }
    const yaml = await call(server.app, 'GET', '/api/core/schema/');
    assert.equal(yaml.status, 200);
    assert.match(String(yaml.headers['content-type']), /^application\/vnd\.oai\.openapi/);
    assert.match(yaml.text, /^openapi: 3\.0\.3$/m);
    const parsed = YAML.parse(yaml.text);
    assert.equal(parsed.openapi, '3.0.3');
    assert.deepEqual(parsed.info, info);
    assert.ok(parsed.paths['/api/core/tags/']);
  });

  it('answers unknown paths with the 404 envelope', async () => {
    for (const url of ['/api/core/nope/', '/api/core/nope', '/api/assay/v1/nope/']) {
      const res = await call(server.app, 'GET', url);
      assert.equal(res.status, 404, url);
      assert.deepEqual(res.body, NOT_FOUND);
    }
    const authed = await staff.post('/api/core/nope/', { json: {} });
    assert.equal(authed.status, 404);
    assert.deepEqual(authed.body, NOT_FOUND);
  });

  it('answers 406 when Accept excludes JSON, and serves JSON when it allows it', async () => {
    const refused = await staff.get('/api/core/tags/', { headers: { accept: 'text/html' } });
    assert.equal(refused.status, 406);
    assert.deepEqual(refused.body, {
      type: 'client_error',
      errors: [{ code: 'not_acceptable', detail: 'Could not satisfy the request Accept header.', attr: null }],
    });
    // 406 comes before authentication.
    assert.equal((await call(server.app, 'GET', '/api/core/tags/', { headers: { accept: 'text/csv' } })).status, 406);
    for (const accept of ['application/json', '*/*', 'text/html, application/json;q=0.9', 'application/*']) {
      assert.equal((await staff.get('/api/core/tags/', { headers: { accept } })).status, 200, accept);
    }
  });
});

describe('request body limit', () => {
  let server: TestServer;
  let staff: Client;

  before(async () => {
    server = await startTestServer({ env: { ASSAY_MAX_BODY_BYTES: '2048' } });
    staff = (await actorClient(server, 3)).api;
  });
  after(() => server.close());

  it('answers an oversize JSON body with the 413 envelope', async () => {
    const big = { name: 'x'.repeat(4096), color: '' };
    const res = await staff.post('/api/core/tags/', { json: big });
    assert.equal(res.status, 413);
    assert.deepEqual(res.body, {
      type: 'client_error',
      errors: [{ code: 'request_too_large', detail: 'Request body is too large.', attr: null }],
    });
    const form = await staff.post('/api/core/tags/', { form: { name: 'y'.repeat(4096), color: '' } });
    assert.equal(form.status, 413);
    const login = await client(server.app).post('/api/core/token/', { json: { username: 'u', password: 'p'.repeat(5000) } });
    assert.equal(login.status, 413);
    // Just under the limit is fine.
    const ok = await staff.post('/api/core/tags/', { json: { name: 'small', color: '' } });
    assert.equal(ok.status, 201);
  });
});
