import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/core/clock.ts';
import { makeCast, makeExercise, makeUser } from './helpers/fixtures.ts';
import type { TestServer } from './helpers/harness.ts';
import { makeAutolabCourse } from './autolab/course.ts';
import { autolabServer } from './autolab/fixture.ts';

const BOUNDARY = 'TruncatedBoundary';

/** A multipart body cut off inside its file part: no closing boundary, the file's bytes not all there. */
function truncatedBody(field: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nthe first bytes of a file`;
}

interface Target {
  name: string;
  method: string;
  url: string;
  authorization: string;
  field: string;
}

/**
 * Sends a request over a raw socket. `keepOpen`: the whole (truncated) multipart body is sent as
 * its Content-Length announces and the socket waits for the answer; otherwise the client stops
 * early (half-closing, with `cutShort` before the announced length) and reads whatever comes.
 */
function rawRequest(port: number, target: Target, mode: 'keepOpen' | 'halfClose' | 'cutShort'): Promise<string> {
  const body = truncatedBody(target.field);
  const length = mode === 'cutShort' ? body.length + 5000 : Buffer.byteLength(body);
  const head =
    `${target.method} ${target.url} HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${target.authorization}\r\n` +
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${length}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head + body);
      if (mode !== 'keepOpen') socket.end();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${target.name} (${mode}): no answer within 5 s`));
    }, 5000);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
      // One complete answer is enough; the keep-alive socket is then closed by us.
      const [headers, rest] = answer.split('\r\n\r\n', 2);
      const declared = /content-length: (\d+)/i.exec(headers ?? '');
      if (rest !== undefined && declared && Buffer.byteLength(rest) >= Number(declared[1])) socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

const openFds = () => fs.readdirSync('/proc/self/fd').length;

describe('a truncated multipart body on an authenticated route', () => {
  const clock = new ManualClock('2025-01-10T12:00:00Z');
  let server: TestServer;
  let port: number;
  let targets: Target[];

  before(async () => {
    server = await autolabServer({ clock, env: { ASSAY_NGSHARE_ADMINS: 'ngadmin' } });
    const autolab = await makeAutolabCourse(server);
    const { A, staff } = await makeCast(server, 'Program A', 'Program B');
    const exercise = await makeExercise(server, A.module.id);
    const ngAdmin = await makeUser(server, 1, 'ngadmin');
    const ngToken = (await server.services.tokens.createApiToken(ngAdmin.id, 'nbgrader')).token;
    targets = [
      { name: 'hive', method: 'PATCH', url: '/api/core/management/users/me/', authorization: `Bearer ${staff.token}`, field: 'avatar' },
      { name: 'assay', method: 'PUT', url: `/api/assay/v1/exercises/${exercise.id}/files/handout/`, authorization: `Bearer ${staff.token}`, field: 'file' },
      { name: 'autolab', method: 'POST', url: '/api/v1/courses/sys/assessments/hw1/submit', authorization: `Bearer ${autolab.student.token}`, field: 'submission[file]' },
      { name: 'ngshare', method: 'POST', url: '/api/course/truncated', authorization: `token ${ngToken}`, field: 'files' },
    ];
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (server.app.server.address() as net.AddressInfo).port;
  });
  after(() => server.close());

  it('is answered 400 in the dialect’s shape', async () => {
    for (const target of targets) {
      const answer = await rawRequest(port, target, 'keepOpen');
      assert.match(answer, /^HTTP\/1\.1 400 /, `${target.name}: ${answer}`);
      const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      if (target.name === 'hive' || target.name === 'assay') assert.equal(JSON.parse(body).errors[0].code, 'parse_error', body);
      if (target.name === 'autolab') assert.ok(JSON.parse(body).error, body);
      if (target.name === 'ngshare') assert.equal(JSON.parse(body).success, false, body);
    }
  });

  it('leaks no file descriptor and no temporary blob file, however the client stops', async () => {
    // Warm every route up once, so pools and caches are open before counting.
    for (const target of targets) await rawRequest(port, target, 'keepOpen');
    const before = openFds();
    for (let round = 0; round < 5; round++) {
      for (const target of targets) {
        for (const mode of ['keepOpen', 'halfClose', 'cutShort'] as const) await rawRequest(port, target, mode);
      }
    }
    // Let the server finish with the sockets the clients closed.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const leaked = openFds() - before;
    assert.ok(leaked < 5, `${leaked} more file descriptors open after 60 truncated requests`);
    assert.deepEqual(fs.readdirSync(path.join(server.config.blobDir, 'tmp')), []);
  });
});
