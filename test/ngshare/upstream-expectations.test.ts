import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { encodeMimeBase64 } from '../../src/dialects/ngshare/base64.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';

/**
 * Upstream's test_ngshare.py expectations (reference/ngshare.md), over a real HTTP connection,
 * on upstream's demo data: course1 (instructor kevin, student lawrence, assignment `challenge`
 * with two submissions by lawrence, feedback on the first) and course2 (instructor abigail,
 * student eric, assignments `assignment2a` and `assignment2b`). As upstream's tests do, callers
 * name themselves with `user` (ASSAY_NGSHARE_AUTH=dev); kevin is an admin.
 */
describe('ngshare: upstream test expectations over HTTP', () => {
  let server: TestServer;
  let base = '';
  let firstStamp = '';
  let secondStamp = '';

  interface Answer {
    status: number;
    type: string;
    body: Record<string, unknown>;
    text: string;
  }
  async function send(method: string, path: string, user: string | null, args: Record<string, string> = {}): Promise<Answer> {
    const params = new URLSearchParams({ ...(user === null ? {} : { user }), ...args });
    const url = method === 'GET' ? `${base}${path}?${params}` : `${base}${path}`;
    const res = await fetch(url, method === 'GET' ? { method } : { method, body: params });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, text, body: type.startsWith('application/json') ? JSON.parse(text) : {} };
  }
  const get = (path: string, user: string | null, args?: Record<string, string>) => send('GET', path, user, args);
  const post = (path: string, user: string | null, args?: Record<string, string>) => send('POST', path, user, args);
  const del = (path: string, user: string | null, args?: Record<string, string>) => send('DELETE', path, user, args);

  async function success(answer: Promise<Answer>, fields?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await answer;
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.success, true, res.text);
    if (fields) assert.deepEqual(res.body, { success: true, ...fields });
    return res.body;
  }
  async function failure(answer: Promise<Answer>, status: number, message: string): Promise<void> {
    const res = await answer;
    assert.equal(res.status, status, res.text);
    assert.deepEqual(res.body, { success: false, message });
  }
  const files = (entries: Record<string, string>) =>
    JSON.stringify(Object.entries(entries).map(([path, content]) => ({ path, content: encodeMimeBase64(Buffer.from(content)) })));

  before(async () => {
    server = await startTestServer({ env: { ASSAY_NGSHARE_AUTH: 'dev', ASSAY_NGSHARE_ADMINS: 'kevin' } });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}/api`;
    await success(post('/course/course1', 'kevin', { instructors: '["kevin"]' }));
    await success(post('/course/course2', 'kevin', { instructors: '["abigail"]' }));
    await success(post('/student/course1/lawrence', 'kevin', { first_name: '', last_name: '', email: '' }));
    await success(post('/student/course2/eric', 'abigail', { first_name: '', last_name: '', email: '' }));
    await success(post('/assignment/course1/challenge', 'kevin', { files: files({ 'challenge.ipynb': '{}' }) }));
    await success(post('/assignment/course2/assignment2a', 'abigail', { files: '[]' }));
    await success(post('/assignment/course2/assignment2b', 'abigail', { files: '[]' }));
    firstStamp = (await success(post('/submission/course1/challenge', 'lawrence', { files: files({ 'challenge.ipynb': '{"v": 1}' }) }))).timestamp as string;
    secondStamp = (await success(post('/submission/course1/challenge', 'lawrence', { files: files({ 'challenge.ipynb': '{"v": 2}' }) }))).timestamp as string;
    await success(post('/feedback/course1/challenge/lawrence', 'kevin', { timestamp: firstStamp, files: files({ 'challenge.html': '<p>ok</p>' }) }));
  });
  after(() => server.close());

  it('GET {prefix} serves a small HTML page under both prefixes (upstream test_home)', async () => {
    for (const url of [`${base}/`, base.replace(/\/api$/, '/services/ngshare/')]) {
      const res = await fetch(url);
      assert.equal(res.status, 200, url);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await res.text(), /<html[\s\S]*ngshare/);
    }
  });

  it('answers health checks, 404 and 405 in the JSON envelope', async () => {
    await success(get('/healthz', null), {});
    await failure(get('/nope', 'kevin'), 404, 'Not found');
    await failure(send('PUT', '/courses', 'kevin'), 405, 'Method not allowed');
    await failure(get('/courses', null), 401, 'Login required');
  });

  it('courses: sorted own courses, every course for admins', async () => {
    await success(get('/courses', 'kevin'), { courses: ['course1', 'course2'] });
    await success(get('/courses', 'eric'), { courses: ['course2'] });
    await success(get('/courses', 'nobody'), { courses: [] });
  });

  it('instructors and students: names null until set in that course; a name set in course 2 reads back in course 2', async () => {
    await success(get('/instructors/course2', 'eric'), { instructors: [{ username: 'abigail', first_name: null, last_name: null, email: null }] });
    await success(get('/instructor/course1/kevin', 'lawrence'), { username: 'kevin', first_name: null, last_name: null, email: null });
    await success(post('/instructor/course2/kevin', 'kevin', { first_name: 'kevin_first', last_name: 'kevin_last', email: 'kevin@course2' }));
    await success(get('/instructor/course2/kevin', 'abigail'), { username: 'kevin', first_name: 'kevin_first', last_name: 'kevin_last', email: 'kevin@course2' });
    await success(get('/instructor/course1/kevin', 'lawrence'), { username: 'kevin', first_name: null, last_name: null, email: null });
    await success(post('/student/course2/lawrence', 'abigail', { first_name: 'lawrence_first', last_name: 'lawrence_last', email: 'lawrence@course2' }));
    await success(get('/student/course2/lawrence', 'lawrence'), { username: 'lawrence', first_name: 'lawrence_first', last_name: 'lawrence_last', email: 'lawrence@course2' });
    await success(get('/student/course1/lawrence', 'kevin'), { username: 'lawrence', first_name: '', last_name: '', email: '' });
    await failure(get('/student/course2/eric', 'lawrence'), 403, 'Permission denied');
    await failure(get('/student/course1/eric', 'kevin'), 404, 'Student not found');
    await failure(get('/instructor/course2/eric', 'abigail'), 404, 'Instructor not found');
    await failure(post('/instructor/course2/eric', 'abigail', { first_name: '', last_name: '', email: '' }), 403, 'Permission denied (cannot modify instructors)');
    await failure(post('/student/course2/abigail', 'abigail', { first_name: '', last_name: '', email: '' }), 409, 'Cannot add instructor as student');
    await success(del('/student/course2/lawrence', 'abigail'));
  });

  it('assignments: creation order, 409 before the files, 404s in order', async () => {
    await success(get('/assignments/course2', 'eric'), { assignments: ['assignment2a', 'assignment2b'] });
    await failure(post('/assignment/course2/assignment2a', 'abigail', { files: 'not json' }), 409, 'Assignment already exists');
    await failure(post('/assignment/course2/assignment2c', 'eric', { files: '[]' }), 403, 'Permission denied');
    await failure(get('/assignment/course2/challenge', 'eric'), 404, 'Assignment not found');
    await failure(get('/assignment/course3/challenge', 'eric'), 404, 'Course not found');
    const listed = await success(get('/assignment/course1/challenge', 'lawrence', { list_only: 'true' }));
    assert.deepEqual(Object.keys((listed.files as object[])[0]!).sort(), ['checksum', 'path']);
  });

  it('submissions: every submitter for instructors, oneself for students, ascending', async () => {
    const all = await success(get('/submissions/course1/challenge', 'kevin'));
    assert.deepEqual(all.submissions, [
      { student_id: 'lawrence', timestamp: firstStamp },
      { student_id: 'lawrence', timestamp: secondStamp },
    ]);
    await failure(get('/submissions/course1/challenge', 'lawrence'), 403, 'Permission denied');
    await success(get('/submissions/course1/challenge/lawrence', 'lawrence'), { submissions: all.submissions });
    await failure(get('/submissions/course1/challenge/nobody', 'kevin'), 404, 'Student not found');
    await failure(get('/submissions/course1/nothing/lawrence', 'kevin'), 404, 'Assignment not found');
    // Instructors may submit too, and then show among the submitters.
    await success(post('/submission/course2/assignment2a', 'abigail', { files: '[]' }));
    const course2 = await success(get('/submissions/course2/assignment2a/abigail', 'abigail'));
    assert.equal((course2.submissions as unknown[]).length, 1);
  });

  it('submission downloads: instructors only, latest by default, by timestamp with or without UTC', async () => {
    await failure(get('/submission/course1/challenge/lawrence', 'lawrence'), 403, 'Permission denied');
    const latest = await success(get('/submission/course1/challenge/lawrence', 'kevin'));
    assert.equal(latest.timestamp, secondStamp);
    const first = await success(get('/submission/course1/challenge/lawrence', 'kevin', { timestamp: `${firstStamp} UTC` }));
    assert.equal(first.timestamp, firstStamp);
    await failure(get('/submission/course1/challenge/lawrence', 'kevin', { timestamp: 'yesterday' }), 400, 'Time format incorrect');
    await failure(get('/submission/course1/challenge/lawrence', 'kevin', { timestamp: '2000-01-01 00:00:00.000000' }), 404, 'Submission not found');
  });

  it('feedback: [] before any, the files after, checks in order', async () => {
    const mine = await success(get('/feedback/course1/challenge/lawrence', 'lawrence', { timestamp: firstStamp }));
    assert.deepEqual((mine.files as { path: string }[]).map((f) => f.path), ['challenge.html']);
    await success(get('/feedback/course1/challenge/lawrence', 'lawrence', { timestamp: secondStamp }), { files: [], timestamp: secondStamp });
    await failure(get('/feedback/course1/challenge/lawrence', 'lawrence'), 400, 'Please supply timestamp');
    await failure(post('/feedback/course1/challenge/lawrence', 'kevin', { files: '[]' }), 400, 'Please supply timestamp');
    await failure(post('/feedback/course1/challenge/lawrence', 'kevin', { timestamp: '', files: '[]' }), 400, 'Time format incorrect');
    await failure(post('/feedback/course1/challenge/lawrence', 'lawrence', { timestamp: firstStamp, files: '[]' }), 403, 'Permission denied');
    await failure(get('/feedback/course2/assignment2a/eric', 'lawrence', { timestamp: firstStamp }), 404, 'Course not found');
  });

  it('removing members keeps their submissions; deleting a course keeps its users', async () => {
    await success(del('/student/course1/lawrence', 'kevin'));
    const all = await success(get('/submissions/course1/challenge', 'kevin'));
    assert.equal((all.submissions as unknown[]).length, 2);
    await failure(del('/instructor/course2/abigail', 'abigail'), 403, 'Permission denied');
    await success(del('/instructor/course2/abigail', 'kevin'));
    await failure(del('/instructor/course2/abigail', 'kevin'), 404, 'Instructor not found');
    await success(del('/course/course2', 'kevin'));
    await success(get('/courses', 'kevin'), { courses: ['course1'] });
  });
});
