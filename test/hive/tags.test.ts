import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

describe('hive /tags/', () => {
  let server: TestServer;
  let staff: Client;
  let student: Client;

  before(async () => {
    server = await startTestServer();
    staff = (await actorClient(server, 3)).api;
    student = (await actorClient(server, 1)).api;
  });
  after(() => server.close());

  it('creates, reads, updates, patches and deletes a tag', async () => {
    const created = await staff.post('/api/core/tags/', { json: { name: 'loops', color: '#ff0000' } });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body).sort(), ['color', 'id', 'name']);
    const id = created.body.id;
    assert.deepEqual((await student.get(`/api/core/tags/${id}/`)).body, { id, name: 'loops', color: '#ff0000' });
    const put = await staff.put(`/api/core/tags/${id}/`, { form: { name: 'recursion', color: '#00ff00' } });
    assert.equal(put.status, 200);
    assert.equal(put.body.name, 'recursion');
    const patch = await staff.patch(`/api/core/tags/${id}`, { json: { color: '#0000ff' } });
    assert.deepEqual(patch.body, { id, name: 'recursion', color: '#0000ff' });
    const list = await student.get('/api/core/tags/');
    assert.ok(Array.isArray(list.body));
    assert.ok(list.body.some((t: { id: number }) => t.id === id));
    const del = await staff.delete(`/api/core/tags/${id}/`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal((await staff.get(`/api/core/tags/${id}/`)).status, 404);
  });

  it('reports every validation problem at once with DRF codes', async () => {
    const res = await staff.post('/api/core/tags/', { json: { color: '#12345678' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.type, 'validation_error');
    assert.deepEqual(
      res.body.errors.map((e: { attr: string; code: string }) => [e.attr, e.code]).sort(),
      [['color', 'max_length'], ['name', 'required']],
    );
  });

  it('refuses a duplicate name with a unique error', async () => {
    await staff.post('/api/core/tags/', { json: { name: 'dup', color: '' } });
    const res = await staff.post('/api/core/tags/', { json: { name: 'dup', color: '' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].code, 'unique');
  });

  it('answers parse errors, unsupported media types and wrong methods in the envelope', async () => {
    const bad = await staff.post('/api/core/tags/', { raw: '{"name":', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].code, 'parse_error');
    const xml = await staff.post('/api/core/tags/', { raw: '<a/>', headers: { 'content-type': 'application/xml' } });
    assert.equal(xml.status, 415);
    assert.equal(xml.body.errors[0].detail, 'Unsupported media type "application/xml" in request.');
    const put = await staff.put('/api/core/tags/');
    assert.equal(put.status, 405);
    assert.equal(put.body.errors[0].detail, 'Method "PUT" not allowed.');
  });

  it('keeps students to reading, and strangers out', async () => {
    assert.equal((await student.post('/api/core/tags/', { json: { name: 'x', color: '' } })).status, 403);
    // A student's malformed body is refused for permission before it is parsed.
    assert.equal((await student.post('/api/core/tags/', { raw: '{', headers: { 'content-type': 'application/json' } })).status, 403);
    const anon = client(server.app);
    const res = await anon.delete('/api/core/tags/999/');
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="api"');
    assert.equal((await staff.get('/api/core/tags/abc/')).status, 404);
  });
});
