import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { collectGarbage } from '../../src/blobs/gc.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { encodeMimeBase64 } from '../../src/dialects/ngshare/base64.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { makeUser } from '../helpers/fixtures.ts';
import type { Client, Reply } from '../helpers/http.ts';
import { call, client } from '../helpers/http.ts';

const filesArg = (files: Record<string, Buffer>) => JSON.stringify(Object.entries(files).map(([path, content]) => ({ path, content: encodeMimeBase64(content) })));

function ok(res: Reply): Reply {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.success, true, res.text);
  return res;
}

describe(`DELETE /api/assay/v1/submissions/{id}/ on ${engineUnderTest}`, () => {
  const clock = new ManualClock('2024-03-01T08:00:00.000000Z');
  let server: TestServer;
  const api: Record<string, Client> = {};
  const ng = (who: string) => ({
    get: (url: string) => call(server.app, 'GET', url, { headers: { authorization: `token ${api[who]!.token}` } }),
    post: (url: string, form: Record<string, string>) => call(server.app, 'POST', url, { form, headers: { authorization: `token ${api[who]!.token}` } }),
  });
  const url = (id: number) => `/api/assay/v1/submissions/${id}/`;
  const db = () => server.services.db;
  /** The ids of a user's submissions to ps1, oldest first. */
  const submissionsOf = async (username: string) =>
    (
      await db()
        .selectFrom('submissions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .select(['s.id', 's.tree_id'])
        .where('u.username', '=', username)
        .orderBy('s.id')
        .execute()
    ).map((r) => ({ id: r.id, treeId: r.tree_id }));
  const rows = async (table: 'grades' | 'feedback' | 'grading_jobs' | 'submissions', column: 'submission_id' | 'id', id: number) =>
    (await db().selectFrom(table).select('id').where(column, '=', id).execute()).length;
  const feedbackBytes = crypto.randomBytes(4096);
  const timestamps: string[] = [];

  before(async () => {
    server = await startTestServer({ clock, env: { ASSAY_NGSHARE_ADMINS: 'sd_admin' } });
    for (const [name, clearance] of [['sd_admin', 1], ['sd_inst', 1], ['sd_s1', 1], ['sd_s2', 1], ['sd_out', 1], ['sd_staff', 3]] as const) {
      const user = await makeUser(server, clearance, name);
      api[name] = client(server.app, (await server.services.tokens.createApiToken(user.id, 'test')).token);
    }
    ok(await ng('sd_admin').post('/api/course/sd', { instructors: '["sd_inst"]' }));
    const students = ['sd_s1', 'sd_s2'].map((username) => ({ username, first_name: '', last_name: '', email: '' }));
    ok(await ng('sd_inst').post('/api/students/sd', { students: JSON.stringify(students) }));
    ok(await ng('sd_inst').post('/api/assignment/sd/ps1', { files: filesArg({ 'ps1.ipynb': Buffer.from('{}') }) }));
    for (const who of ['sd_s1', 'sd_s1', 'sd_s2']) {
      clock.advance(1000);
      timestamps.push(ok(await ng(who).post('/api/submission/sd/ps1', { files: filesArg({ 'ps1.ipynb': crypto.randomBytes(64) }) })).body.timestamp as string);
    }
    ok(await ng('sd_inst').post('/api/feedback/sd/ps1/sd_s1', { timestamp: timestamps[0]!, files: filesArg({ 'ps1.html': feedbackBytes }) }));
  });
  after(() => server.close());

  it('refuses those who may not delete: 401, 404 for those who cannot see it, 403 for those who can', async () => {
    const [first] = await submissionsOf('sd_s1');
    assert.equal((await call(server.app, 'DELETE', url(first!.id))).status, 401);
    assert.equal((await api.sd_s2!.delete(url(first!.id))).status, 404);
    assert.equal((await api.sd_out!.delete(url(first!.id))).status, 404);
    const own = await api.sd_s1!.delete(url(first!.id));
    assert.equal(own.status, 403, own.text);
    assert.equal(own.body.type, 'client_error');
    for (const bad of ['999999', '0', 'abc', '99999999999']) assert.equal((await api.sd_staff!.delete(`/api/assay/v1/submissions/${bad}/`)).status, 404, bad);
    assert.equal(await rows('submissions', 'id', first!.id), 1);
  });

  it('deletes the submission with its grades, feedback and jobs; ngshare no longer lists it; gc frees its files', async () => {
    const [first] = await submissionsOf('sd_s1');
    const ex = await db().selectFrom('exercises').select(['id', 'course_id']).where('slug', '=', 'ps1').executeTakeFirstOrThrow();
    const job = await server.services.grading.enqueue({ courseId: ex.course_id, exerciseId: ex.id, submissionId: first!.id, payload: {} });
    await db().insertInto('grading_job_events').values({ job_id: job.id, time: clock.now(), action: 'started', payload: null }).execute();
    await db().insertInto('grades').values({ submission_id: first!.id, score: 1, released: true, created_at: clock.now() }).execute();
    assert.equal(await rows('feedback', 'submission_id', first!.id), 1);

    const res = await api.sd_inst!.delete(url(first!.id));
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    for (const table of ['grades', 'feedback', 'grading_jobs'] as const) assert.equal(await rows(table, 'submission_id', first!.id), 0, table);
    assert.equal(await rows('submissions', 'id', first!.id), 0);
    assert.equal((await db().selectFrom('grading_job_events').select('id').where('job_id', '=', job.id).execute()).length, 0);
    assert.equal((await api.sd_inst!.delete(url(first!.id))).status, 404);

    // ngshare: gone from the listings, and asked for by its timestamp it is not found.
    const listed = ok(await ng('sd_inst').get('/api/submissions/sd/ps1')).body.submissions as { student_id: string; timestamp: string }[];
    assert.deepEqual(listed, [
      { student_id: 'sd_s1', timestamp: timestamps[1] },
      { student_id: 'sd_s2', timestamp: timestamps[2] },
    ]);
    assert.deepEqual(ok(await ng('sd_s1').get('/api/submissions/sd/ps1/sd_s1')).body.submissions, [{ student_id: 'sd_s1', timestamp: timestamps[1] }]);
    const gone = await ng('sd_inst').get(`/api/submission/sd/ps1/sd_s1?timestamp=${encodeURIComponent(timestamps[0]!)}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, { success: false, message: 'Submission not found' });
    const feedback = await ng('sd_s1').get(`/api/feedback/sd/ps1/sd_s1?timestamp=${encodeURIComponent(timestamps[0]!)}`);
    assert.deepEqual([feedback.status, feedback.body], [404, { success: false, message: 'Submission not found' }]);
    // The latest is now the other one.
    assert.equal(ok(await ng('sd_inst').get('/api/submission/sd/ps1/sd_s1?list_only=true')).body.timestamp, timestamps[1]);

    // Staff delete the only submission of the other student: none is left to download.
    const [only] = await submissionsOf('sd_s2');
    assert.equal((await api.sd_staff!.delete(url(only!.id))).status, 204);
    const none = await ng('sd_inst').get('/api/submission/sd/ps1/sd_s2');
    assert.deepEqual([none.status, none.body], [404, { success: false, message: 'Submission not found' }]);
    assert.deepEqual(ok(await ng('sd_inst').get('/api/submissions/sd/ps1/sd_s2')).body.submissions, []);

    // The feedback's blob is referenced by nothing now: gc frees it.
    const sha = crypto.createHash('sha256').update(feedbackBytes).digest('hex');
    assert.equal((await db().selectFrom('blobs').select('sha256').where('sha256', '=', sha).execute()).length, 1);
    clock.advance(10_000);
    await collectGarbage(server.services, 1);
    assert.equal((await db().selectFrom('blobs').select('sha256').where('sha256', '=', sha).execute()).length, 0);
    for (const { treeId } of [first!, only!]) {
      assert.equal((await db().selectFrom('file_trees').select('id').where('id', '=', treeId!).execute()).length, 0);
    }
  });
});
