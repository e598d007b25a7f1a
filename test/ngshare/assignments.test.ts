import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { collectGarbage } from '../../src/blobs/gc.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { encodeMimeBase64 } from '../../src/dialects/ngshare/base64.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { adminActor, makeUser } from '../helpers/fixtures.ts';
import type { Reply, RequestOptions } from '../helpers/http.ts';
import { call } from '../helpers/http.ts';

const JSON_TYPE = 'application/json; charset=UTF-8';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;

function ng(server: TestServer, token: string) {
  const go = (method: string) => (url: string, options: RequestOptions = {}) =>
    call(server.app, method, url, { ...options, headers: { authorization: `token ${token}`, ...options.headers } });
  return { get: go('GET'), post: go('POST'), delete: go('DELETE') };
}
type Ng = ReturnType<typeof ng>;

function ok(res: Reply, fields?: Record<string, unknown>): Reply {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  assert.equal(res.body.success, true, res.text);
  if (fields) assert.deepEqual(res.body, { success: true, ...fields });
  return res;
}

function fails(res: Reply, status: number, message: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  assert.deepEqual(res.body, { success: false, message });
}

const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest('hex');

/** The `files` argument as ngshare_exchange builds it (MIME base64, no checksum). */
function filesArg(files: Record<string, Buffer | string>): string {
  return JSON.stringify(Object.entries(files).map(([path, content]) => ({ path, content: encodeMimeBase64(Buffer.from(content)) })));
}

describe('ngshare assignments, submissions and feedback', () => {
  const clock = new ManualClock('2020-01-30T10:30:47.524219Z');
  let server: TestServer;
  let admin: Ng;
  let inst: Ng;
  let stud1: Ng;
  let stud2: Ng;
  let outsider: Ng;
  let stud1Token = '';
  const notebook = Buffer.from('{"cells": [], "metadata": {}}\n');
  const big = crypto.randomBytes(300_000);

  before(async () => {
    server = await startTestServer({ clock, env: { ASSAY_NGSHARE_ADMINS: 'ngadmin' } });
    const token = async (username: string) => {
      const user = await makeUser(server, 1, username);
      return (await server.services.tokens.createApiToken(user.id, 'nbgrader')).token;
    };
    admin = ng(server, await token('ngadmin'));
    inst = ng(server, await token('inst'));
    stud1Token = await token('stud1');
    stud1 = ng(server, stud1Token);
    stud2 = ng(server, await token('stud2'));
    outsider = ng(server, await token('outsider'));
    ok(await admin.post('/api/course/course1', { form: { instructors: '["inst"]' } }));
    ok(await admin.post('/api/course/other'));
    const students = ['stud1', 'stud2'].map((username) => ({ username, first_name: '', last_name: '', email: '' }));
    ok(await inst.post('/api/students/course1', { form: { students: JSON.stringify(students) } }));
  });
  after(() => server.close());

  it('releases an assignment: course, permission, 409, then the files checks', async () => {
    const files = filesArg({ 'ps1.ipynb': notebook, 'data/big.bin': big, 'a//b': 'x', 'dup.txt': 'one' });
    const withDup = JSON.stringify([...JSON.parse(files), { path: 'dup.txt', content: encodeMimeBase64(Buffer.from('two')) }]);
    fails(await outsider.post('/api/assignment/course1/ps1', { form: { files: withDup } }), 404, 'Course not found');
    fails(await inst.post('/api/assignment/nope/ps1', { form: { files: withDup } }), 404, 'Course not found');
    fails(await stud1.post('/api/assignment/course1/ps1', { form: { files: withDup } }), 403, 'Permission denied');
    ok(await inst.post('/api/assignment/course1/ps1', { form: { files: withDup, user: 'inst' } }), {});
    // Checked before the files: no overwrite.
    fails(await inst.post('/api/assignment/course1/ps1', { form: { files: 'garbage' } }), 409, 'Assignment already exists');
    fails(await inst.post('/api/assignment/course1/ps1'), 409, 'Assignment already exists');
  });

  it('answers the files errors in order and writes nothing on failure', async () => {
    const post = (form: Record<string, string> | undefined, query?: Record<string, string>) => inst.post('/api/assignment/course1/bad', { form, query });
    fails(await post(undefined), 400, 'Please supply files');
    fails(await post({ user: 'inst' }), 400, 'Please supply files');
    fails(await post({ files: '' }), 400, 'Files cannot be JSON decoded');
    fails(await post({ files: '[{' }), 400, 'Files cannot be JSON decoded');
    fails(await post({ files: '{"path": "a", "content": ""}' }), 400, 'Incorrect request format');
    fails(await post({ files: '[{"path": "a"}]' }), 400, 'Incorrect request format');
    fails(await post({ files: '[{"path": 1, "content": ""}]' }), 400, 'Incorrect request format');
    fails(await post({ files: '[{"path": "ok", "content": "YQ=="}, {"path": "/abs", "content": "Y"}]' }), 400, 'Illegal path');
    fails(await post({ files: '[{"path": "a/../b", "content": "YQ=="}]' }), 400, 'Illegal path');
    fails(await post({ files: '[{"path": ".", "content": ""}]' }), 400, 'Illegal path');
    fails(await post({ files: '[{"path": "a/", "content": ""}]' }), 400, 'Illegal path');
    fails(await post({ files: '[{"path": "ok", "content": "YQ"}]' }), 400, 'Content cannot be base64 decoded');
    // From the query string too (Tornado's get_argument).
    fails(await post(undefined, { files: '[{"path": "/a", "content": ""}]' }), 400, 'Illegal path');
    ok(await inst.get('/api/assignments/course1'), { assignments: ['ps1'] });
  });

  it('streams a large release from a spool file: any field order, the last files wins, nothing left behind', async () => {
    // Over the 8 MiB of text parsed whole: this one is tokenized as it streams.
    const large = crypto.randomBytes(7_000_000);
    const decoy = filesArg({ 'decoy.txt': 'not me' });
    const enc = (s: string) => encodeURIComponent(s);
    // The name spelled with an escape, a decoy `files` first, other arguments on both sides.
    const body = `user=inst&files=${enc(decoy)}&fil%65s=${enc(filesArg({ 'big/large.bin': large, 'small.txt': 'a+b' }))}&list_only=true`;
    const spool = path.join(server.config.dataDir, 'tmp');
    ok(await inst.post('/api/assignment/course1/large', { raw: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), {});
    assert.deepEqual(fs.readdirSync(spool), [], 'the spool file is removed after the response');
    const listed = ok(await inst.get('/api/assignment/course1/large', { query: { list_only: 'true' } }));
    assert.deepEqual(listed.body.files, [
      { path: 'big/large.bin', checksum: md5(large) },
      { path: 'small.txt', checksum: md5(Buffer.from('a+b')) },
    ]);
    // A large body with a fault far into it: the same message as a small one, no spool file left.
    const broken = `files=${enc(filesArg({ 'big/large.bin': large }).replace(/\]$/, ''))}`;
    fails(await inst.post('/api/assignment/course1/broken', { raw: broken, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400, 'Files cannot be JSON decoded');
    assert.deepEqual(fs.readdirSync(spool), []);
    ok(await inst.delete('/api/assignment/course1/large'));
  });

  it('removes spool files a stopped process left behind (older than an hour) when it starts', async () => {
    const spool = path.join(server.config.dataDir, 'tmp');
    const stale = path.join(spool, 'ngshare-stale.form');
    const fresh = path.join(spool, 'ngshare-fresh.form');
    fs.writeFileSync(stale, 'files=');
    fs.writeFileSync(fresh, 'files=');
    const old = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(stale, old, old);
    const again = await buildApp(server.services, { logger: false });
    await again.ready();
    await again.close();
    assert.deepEqual(fs.readdirSync(spool), ['ngshare-fresh.form']);
    fs.rmSync(fresh);
  });

  it('lists assignments in creation order for every course user, 404c for others', async () => {
    clock.advance(1000);
    ok(await inst.post('/api/assignment/course1/ps0', { query: { files: '[]' } }));
    for (const who of [inst, stud1, admin]) ok(await who.get('/api/assignments/course1'), { assignments: ['ps1', 'ps0'] });
    fails(await outsider.get('/api/assignments/course1'), 404, 'Course not found');
    fails(await stud1.get('/api/assignments/other'), 404, 'Course not found');
    ok(await admin.get('/api/assignments/other'), { assignments: [] });
  });

  it('downloads the released tree: MIME base64, MD5, upload order, duplicates; list_only', async () => {
    const res = ok(await stud1.get('/api/assignment/course1/ps1'));
    assert.deepEqual(Object.keys(res.body), ['success', 'files']);
    const expected: [string, Buffer][] = [
      ['ps1.ipynb', notebook],
      ['data/big.bin', big],
      ['a//b', Buffer.from('x')],
      ['dup.txt', Buffer.from('one')],
      ['dup.txt', Buffer.from('two')],
    ];
    assert.deepEqual(
      res.body.files,
      expected.map(([path, bytes]) => ({ path, checksum: md5(bytes), content: encodeMimeBase64(bytes) })),
    );
    assert.ok((res.body.files[1].content as string).split('\n').slice(0, -2).every((line) => line.length === 76));
    const listed = ok(await stud1.get('/api/assignment/course1/ps1', { query: { list_only: 'true' } }));
    assert.deepEqual(listed.body.files, expected.map(([path, bytes]) => ({ path, checksum: md5(bytes) })));
    const notListed = ok(await stud1.get('/api/assignment/course1/ps1', { query: { list_only: 'True' } }));
    assert.equal(notListed.body.files[0].content, encodeMimeBase64(notebook));
    ok(await stud1.get('/api/assignment/course1/ps0'), { files: [] });
    fails(await outsider.get('/api/assignment/course1/ps1'), 404, 'Course not found');
    fails(await stud1.get('/api/assignment/course1/nope'), 404, 'Assignment not found');
    fails(await stud1.get('/api/assignment/course1/%00'), 404, 'Assignment not found');
  });

  let first = '';
  let second = '';

  it('takes submissions from students and instructors, with unique timestamps', async () => {
    clock.advance(60_000);
    const a = ok(await stud1.post('/api/submission/course1/ps1', { form: { files: filesArg({ 'ps1.ipynb': 'v1' }), user: 'stud1' } }));
    assert.deepEqual(Object.keys(a.body), ['success', 'timestamp']);
    assert.match(a.body.timestamp, TIMESTAMP);
    assert.equal(a.body.timestamp, '2020-01-30 10:31:48.524219');
    // Same clock reading: moved forward by one microsecond.
    const b = ok(await stud1.post('/api/submission/course1/ps1', { form: { files: filesArg({ 'ps1.ipynb': 'v2', 'extra.txt': '' }) } }));
    assert.equal(b.body.timestamp, '2020-01-30 10:31:48.524220');
    [first, second] = [a.body.timestamp, b.body.timestamp];
    clock.advance(1000);
    ok(await inst.post('/api/submission/course1/ps1', { form: { files: filesArg({ 'ps1.ipynb': 'test' }) } }));
    ok(await stud2.post('/api/submission/course1/ps0', { form: { files: '[]' } }));
  });

  it('answers submission errors in order', async () => {
    fails(await outsider.post('/api/submission/course1/ps1', { form: { files: '[]' } }), 404, 'Course not found');
    fails(await stud1.post('/api/submission/course1/nope', { form: { files: 'bad' } }), 404, 'Assignment not found');
    fails(await stud1.post('/api/submission/course1/ps1'), 400, 'Please supply files');
    fails(await stud1.post('/api/submission/course1/ps1', { form: { files: '[{"path": "../x", "content": ""}]' } }), 400, 'Illegal path');
    fails(await stud1.post('/api/submission/course1/ps1', { form: { files: '[{"path": "x", "content": "Y"}]' } }), 400, 'Content cannot be base64 decoded');
    const listed = ok(await stud1.get('/api/submissions/course1/ps1/stud1'));
    assert.equal(listed.body.submissions.length, 2, 'failed submissions wrote nothing');
  });

  it('lists submissions: everyone for instructors, oneself for students', async () => {
    ok(await inst.get('/api/submissions/course1/ps1'), {
      submissions: [
        { student_id: 'stud1', timestamp: first },
        { student_id: 'stud1', timestamp: second },
        { student_id: 'inst', timestamp: '2020-01-30 10:31:49.524219' },
      ],
    });
    ok(await stud1.get('/api/submissions/course1/ps1/stud1'), {
      submissions: [
        { student_id: 'stud1', timestamp: first },
        { student_id: 'stud1', timestamp: second },
      ],
    });
    ok(await admin.get('/api/submissions/course1/ps1/stud2'), { submissions: [] });
    ok(await inst.get('/api/submissions/course1/ps1/inst'), { submissions: [{ student_id: 'inst', timestamp: '2020-01-30 10:31:49.524219' }] });
    fails(await stud1.get('/api/submissions/course1/ps1'), 403, 'Permission denied');
    fails(await outsider.get('/api/submissions/course1/ps1'), 404, 'Course not found');
    fails(await inst.get('/api/submissions/course1/nope'), 404, 'Assignment not found');
    fails(await stud1.get('/api/submissions/course1/ps1/stud2'), 403, 'Permission denied');
    fails(await inst.get('/api/submissions/course1/nope/nobody'), 404, 'Assignment not found');
    fails(await inst.get('/api/submissions/course1/ps1/nobody'), 404, 'Student not found');
    fails(await inst.get('/api/submissions/course1/ps1/outsider'), 404, 'Student not found');
  });

  it('downloads a submission: instructors only, latest by default, timestamps matched by value', async () => {
    fails(await stud1.get('/api/submission/course1/ps1/stud1'), 403, 'Permission denied');
    const latest = ok(await inst.get('/api/submission/course1/ps1/stud1'));
    assert.equal(latest.body.timestamp, second);
    assert.deepEqual(latest.body.files, [
      { path: 'ps1.ipynb', checksum: md5(Buffer.from('v2')), content: encodeMimeBase64(Buffer.from('v2')) },
      { path: 'extra.txt', checksum: md5(Buffer.alloc(0)), content: '' },
    ]);
    ok(await inst.get('/api/submission/course1/ps1/stud1', { query: { timestamp: '' } }), latest.body);
    for (const spelling of [first, `${first} UTC`, `${first} gmt`, '2020-01-30 10:31:48.524219', ` ${first} `]) {
      const res = ok(await inst.get('/api/submission/course1/ps1/stud1', { query: { timestamp: spelling, list_only: 'true' } }));
      assert.deepEqual(res.body, { success: true, timestamp: first, files: [{ path: 'ps1.ipynb', checksum: md5(Buffer.from('v1')) }] });
    }
    const byForm = ok(await admin.get('/api/submission/course1/ps1/stud1', { query: { timestamp: '2020-1-30 10:31:48.52422 UTC' } }));
    assert.equal(byForm.body.timestamp, second);
    fails(await inst.get('/api/submission/course1/ps1/stud1', { query: { timestamp: '2020-01-30T10:31:48.524219Z' } }), 400, 'Time format incorrect');
    fails(await inst.get('/api/submission/course1/ps1/stud1', { query: { timestamp: '2020-01-30 10:31:48.524218' } }), 404, 'Submission not found');
    fails(await inst.get('/api/submission/course1/ps1/stud2'), 404, 'Submission not found');
    fails(await inst.get('/api/submission/course1/ps1/nobody', { query: { timestamp: 'bad' } }), 404, 'Student not found');
    fails(await inst.get('/api/submission/course1/nope/nobody'), 404, 'Assignment not found');
    fails(await outsider.get('/api/submission/course1/ps1/stud1'), 404, 'Course not found');
  });

  it('takes feedback: checks in order, replaces earlier feedback', async () => {
    const post = (who: Ng, student: string, form?: Record<string, string>) => who.post(`/api/feedback/course1/ps1/${student}`, { form });
    const html = filesArg({ 'ps1.html': '<p>good</p>' });
    fails(await stud1.post('/api/feedback/course1/ps1/stud1', { form: { timestamp: first, files: html } }), 403, 'Permission denied');
    fails(await outsider.post('/api/feedback/course1/ps1/stud1', { form: { timestamp: first, files: html } }), 404, 'Course not found');
    fails(await inst.post('/api/feedback/course1/nope/nobody'), 404, 'Assignment not found');
    fails(await post(inst, 'nobody'), 404, 'Student not found');
    fails(await post(inst, 'stud1', { files: html }), 400, 'Please supply timestamp');
    fails(await post(inst, 'stud1', { timestamp: '', files: html }), 400, 'Time format incorrect');
    fails(await post(inst, 'stud1', { timestamp: '2020-01-30 10:31:48', files: html }), 400, 'Time format incorrect');
    fails(await post(inst, 'stud1', { timestamp: '2021-01-30 10:31:48.5', files: 'bad' }), 404, 'Submission not found');
    fails(await post(inst, 'stud1', { timestamp: first }), 400, 'Please supply files');
    fails(await post(inst, 'stud1', { timestamp: first, files: '[{"path": "/x", "content": ""}]' }), 400, 'Illegal path');
    ok(await post(inst, 'stud1', { timestamp: first, files: filesArg({ 'ps1.html': 'old', 'other.html': 'gone' }) }), {});
    ok(await post(inst, 'stud1', { timestamp: `${first} UTC`, files: html }), {});
  });

  it('hands out feedback to the student and instructors; [] before any is released', async () => {
    const url = '/api/feedback/course1/ps1/stud1';
    const full = ok(await stud1.get(url, { query: { timestamp: first } }));
    assert.deepEqual(full.body, {
      success: true,
      timestamp: first,
      files: [{ path: 'ps1.html', checksum: md5(Buffer.from('<p>good</p>')), content: encodeMimeBase64(Buffer.from('<p>good</p>')) }],
    });
    ok(await inst.get(url, { query: { timestamp: `${first} UTC`, list_only: 'true' } }), {
      timestamp: first,
      files: [{ path: 'ps1.html', checksum: md5(Buffer.from('<p>good</p>')) }],
    });
    ok(await stud1.get(url, { query: { timestamp: second } }), { timestamp: second, files: [] });
    fails(await stud2.get(url, { query: { timestamp: first } }), 403, 'Permission denied');
    fails(await outsider.get(url, { query: { timestamp: first } }), 404, 'Course not found');
    fails(await stud1.get('/api/feedback/course1/nope/stud1', { query: { timestamp: first } }), 404, 'Assignment not found');
    fails(await inst.get('/api/feedback/course1/ps1/nobody', { query: { timestamp: first } }), 404, 'Student not found');
    fails(await stud1.get(url), 400, 'Please supply timestamp');
    fails(await stud1.get(url, { query: { timestamp: '' } }), 400, 'Time format incorrect');
    fails(await stud1.get(url, { query: { timestamp: '2020-01-30 10:31:48.1' } }), 404, 'Submission not found');
  });

  it('keeps the data in the core: an exercise with a handout, submissions with trees, feedback with a tree', async () => {
    const { db } = server.services;
    const exercise = await db.selectFrom('exercises').selectAll().where('slug', '=', 'ps1').executeTakeFirstOrThrow();
    assert.notEqual(exercise.handout_tree_id, null);
    const entries = await server.services.files.treeEntries(exercise.handout_tree_id!);
    assert.equal(entries.length, 5);
    const subs = await db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .select(['s.id', 's.number', 's.tree_id', 's.created_at'])
      .where('a.exercise_id', '=', exercise.id)
      .orderBy('s.id')
      .execute();
    assert.deepEqual(subs.map((s) => s.number), [1, 2, 1]);
    assert.ok(subs.every((s) => s.tree_id !== null));
    assert.equal(subs[0]!.created_at, '2020-01-30T10:31:48.524219Z');
    const feedback = await db.selectFrom('feedback').select(['submission_id', 'tree_id']).execute();
    assert.equal(feedback.length, 1, 'the second feedback replaced the first');
    assert.equal(feedback[0]!.submission_id, subs[0]!.id);
  });

  it('is one course for both dialects: ngshare releases show in Hive, Hive exercises in ngshare', async () => {
    const hive = await call(server.app, 'GET', '/api/core/course/exercises/', { token: stud1Token });
    assert.equal(hive.status, 200, hive.text);
    const released = (hive.body as { name: string; id: number }[]).find((e) => e.name === 'ps1');
    assert.ok(released, 'the released assignment is a Hive exercise');
    const zip = await call(server.app, 'GET', `/api/core/course/exercises/${released.id}/student_files/`, { token: stud1Token });
    assert.equal(zip.status, 200, zip.text);

    const admin = await adminActor(server);
    const course = await server.services.db.selectFrom('courses').select('id').where('slug', '=', 'course1').executeTakeFirstOrThrow();
    const subject = await server.services.subjects.create(admin, { course_id: course.id, symbol: 'H', name: 'Hive side', color: '#000000' });
    const module = await server.services.modules.create(admin, { subject_id: subject.id, name: 'Week 1', order: '1' });
    const exercise = await server.services.exercises.create(admin, { module_id: module.id, name: 'From Hive' });
    const handout = Buffer.from('print("hi")\n');
    const blob = await server.services.files.store(handout);
    await server.services.exercises.replaceTree(admin, exercise.id, 'handout', [{ path: 'main.py', blob }]);
    const ids = ok(await stud1.get('/api/assignments/course1')).body.assignments as string[];
    assert.deepEqual(ids.slice(0, 2), ['ps1', 'ps0']);
    assert.equal(ids.length, 3);
    ok(await stud1.get(`/api/assignment/course1/${encodeURIComponent(ids[2]!)}`), {
      files: [{ path: 'main.py', checksum: md5(handout), content: encodeMimeBase64(handout) }],
    });
  });

  it('deletes an assignment with its submissions and feedback; it can be released again', async () => {
    fails(await stud1.delete('/api/assignment/course1/ps1'), 403, 'Permission denied');
    fails(await outsider.delete('/api/assignment/course1/ps1'), 404, 'Course not found');
    fails(await inst.delete('/api/assignment/course1/nope'), 404, 'Assignment not found');
    const bigSha = crypto.createHash('sha256').update(big).digest('hex');
    assert.ok(await server.services.blobs.has(bigSha));
    ok(await inst.delete('/api/assignment/course1/ps1', { form: { user: 'inst' } }), {});
    // Nothing references the released files any more: `assay gc` frees them.
    clock.advance(1000);
    await collectGarbage(server.services, 0);
    assert.equal(await server.services.blobs.has(bigSha), false);
    fails(await stud1.get('/api/assignment/course1/ps1'), 404, 'Assignment not found');
    fails(await inst.delete('/api/assignment/course1/ps1'), 404, 'Assignment not found');
    ok(await inst.post('/api/assignment/course1/ps1', { form: { files: '[]' } }));
    ok(await inst.get('/api/submissions/course1/ps1'), { submissions: [] });
    const left = await server.services.db.selectFrom('feedback').select('id').execute();
    assert.equal(left.length, 0);
  });

  it('keeps concurrent submissions of one student apart', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => stud2.post('/api/submission/course1/ps1', { form: { files: filesArg({ 'a.txt': 'x' }) } })),
    );
    const stamps = results.map((r) => ok(r).body.timestamp as string);
    assert.equal(new Set(stamps).size, 5);
    const listed = ok(await stud2.get('/api/submissions/course1/ps1/stud2'));
    assert.deepEqual(listed.body.submissions.map((s: { timestamp: string }) => s.timestamp), [...stamps].sort());
  });
});
