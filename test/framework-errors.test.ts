import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { actorClient } from './helpers/fixtures.ts';
import { startTestServer } from './helpers/harness.ts';
import type { TestServer } from './helpers/harness.ts';

interface RawAnswer {
  status: number;
  body: string;
}

/** Sends bytes over a raw socket (requests no HTTP client would send) and reads the one answer. */
function rawRequest(port: number, request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let out = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 5 s')), 5000);
    socket.on('data', (chunk: Buffer) => {
      out += chunk.toString('latin1');
      const [head, body] = out.split('\r\n\r\n', 2);
      const length = /content-length: (\d+)/i.exec(head ?? '');
      if (body !== undefined && length && body.length >= Number(length[1])) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const [head, body] = out.split('\r\n\r\n', 2);
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head ?? '')?.[1]), body: body ?? '' });
    });
  });
}

/** Each dialect's envelope, as a check on a parsed body. */
const SHAPES: Record<string, (body: Record<string, unknown>) => boolean> = {
  hive: (b) => b.type === 'client_error' && Array.isArray(b.errors),
  ngshare: (b) => b.success === false && typeof b.message === 'string',
  autolab: (b) => typeof b.error === 'string' && Object.keys(b).length === 1,
  oauth: (b) => b.error === 'invalid_request' && typeof b.error_description === 'string',
  inginious: (b) => typeof b.error === 'string',
  devilry: (b) => Array.isArray(b.errormessages),
  none: (b) => typeof b.statusCode === 'number' && typeof b.error === 'string' && !('code' in b),
};

const PATHS: [string, string][] = [
  ['hive', '/api/core/tags/'],
  ['hive', '/api/assay/v1/tokens/'],
  ['ngshare', '/services/ngshare/courses'],
  ['autolab', '/api/v1/courses'],
  ['oauth', '/oauth/token'],
  ['oauth', '/activate'],
  ['inginious', '/api/v0/courses'],
  ['devilry', '/student/restfulsimplifiedassignmentgroup/'],
  ['none', '/nowhere/'],
];

const LONG = 'x'.repeat(4000);

describe('refusals made before a route runs', () => {
  let server: TestServer;
  let port: number;

  before(async () => {
    server = await startTestServer();
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (server.app.server.address() as net.AddressInfo).port;
  });
  after(() => server.close());

  const cases: [string, (path: string) => string, number[]][] = [
    ['a malformed percent-encoding', (p) => `GET ${p.replace(/\/?$/, '/')}%zz${LONG} HTTP/1.1\r\nHost: x\r\n\r\n`, [400]],
    ['a header section over the limit', (p) => `GET ${p} HTTP/1.1\r\nHost: x\r\nX-Big: ${'z'.repeat(20_000)}\r\n\r\n`, [431]],
    ['a Content-Length that is not a number', (p) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Length: ${LONG}\r\n\r\n{}`, [400]],
    ['a malformed request line', (p) => `FROB ${p} HTTP/1.1\r\nHost: x\r\n\r\n`, [400]],
  ];
  for (const [name, request, statuses] of cases) {
    it(`answers ${name} in the envelope of the dialect the path belongs to, echoing nothing`, async () => {
      for (const [dialect, path] of PATHS) {
        const answer = await rawRequest(port, request(path));
        assert.ok(statuses.includes(answer.status), `${dialect} ${path}: ${answer.status} ${answer.body.slice(0, 200)}`);
        assert.ok(answer.body.length < 400, `${dialect} ${path}: ${answer.body.length} bytes: ${answer.body.slice(0, 200)}`);
        assert.ok(SHAPES[dialect]!(JSON.parse(answer.body)), `${dialect} ${path}: ${answer.body}`);
      }
    });
  }

  it('answers an over-long path segment with 414 in Hive’s and Devilry’s envelopes, and unknown paths with a 404 that does not echo them', async () => {
    for (const [dialect, path] of [['hive', '/api/core/help/'], ['devilry', '/student/restfulsimplifiedassignmentgroup/']] as const) {
      const answer = await rawRequest(port, `GET ${path}${LONG}/ HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.equal(answer.status, 414, `${dialect}: ${answer.body.slice(0, 200)}`);
      assert.ok(SHAPES[dialect]!(JSON.parse(answer.body)), answer.body.slice(0, 200));
    }
    const unknown = await rawRequest(port, `GET /nowhere/${LONG} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(JSON.parse(unknown.body), { statusCode: 404, error: 'Not Found', message: 'Not Found' });
  });

  it('keeps Hive’s 415 small when the media type is long', async () => {
    const { api } = await actorClient(server, 5);
    const answer = await rawRequest(
      port,
      `POST /api/core/tags/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${api.token}\r\nContent-Type: application/${LONG}\r\nContent-Length: 2\r\n\r\n{}`,
    );
    assert.equal(answer.status, 415, answer.body);
    assert.ok(answer.body.length < 400, `${answer.body.length} bytes`);
    assert.equal(JSON.parse(answer.body).errors[0].code, 'unsupported_media_type');
  });
});
