import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { GradingJob, JobResult, JobRunner, WorkerPool } from '../../src/grading/queue/index.ts';
import { pgBossSchema, startWorkerPool } from '../../src/grading/queue/index.ts';
import { dropPostgresSchema } from '../../src/db/database.ts';
import type { GradeResult } from '../../src/grading/results/types.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, adminActor, login, makeCourseTree, makeExercise, makeStudent } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';
import { modes, waitFor } from './queue-helpers.ts';

type Tree = Awaited<ReturnType<typeof makeCourseTree>>;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const MAX_UPLOAD = 64 * 1024;
const sha256 = (b: string) => crypto.createHash('sha256').update(b).digest('hex');
const md5 = (b: string) => crypto.createHash('md5').update(b).digest('hex');
const errs = (res: { body: { errors: { attr: string | null; code: string }[] } }) => res.body.errors.map((e) => [e.attr, e.code]);

/** A multipart body: one `file` part per entry (its filename is its path), then the other fields. */
function upload(files: Record<string, string>, fields: Record<string, string> = {}): FormData {
  const fd = new FormData();
  for (const [path, content] of Object.entries(files)) fd.append('file', new Blob([content]), path);
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fd;
}

/** What the test runner grades every submission with: test input, as a harness would leave it. */
const GRADE: GradeResult = {
  outcome: 'success',
  staffError: false,
  score: 7,
  maxScore: 10,
  feedback: 'Well done.',
  tests: [
    { name: 'shown', score: 5, maxScore: 5, status: 'passed', output: 'ok', visibility: 'visible' },
    { name: 'secret', score: 2, maxScore: 5, status: 'failed', output: 'expected 3', visibility: 'hidden' },
    { name: 'later', score: null, maxScore: null, status: 'passed', output: '', visibility: 'after_due_date' },
  ],
  // `secret` is named after the hidden test (native results do that): students do not see it.
  problems: { p1: { score: 5 }, p2: { score: 2, feedback: 'almost' }, nosuch: { score: 99 }, p3: { result: 'failed' }, secret: { score: 2 } },
  scoreboard: null,
  log: 'harness log for staff',
};

// Every queue the engine supports: the lease table, and pg-boss on PostgreSQL.
for (const mode of modes) {
  describe(`assay submissions and their grading on ${engineUnderTest} (${mode} queue)`, () => {
    let server: TestServer;
    let A: Tree;
    let staff: Client;
    let instructor: Client;
    let checker: Client;
    let anonymous: Client;
    let alice: { id: number; api: Client };
    let bob: { id: number; api: Client };
    let outsider: { id: number; api: Client };
    let exerciseId: number;
    let pool: WorkerPool | null = null;
    /** Exercises whose jobs the test runner answers differently. */
    const noCheck = new Set<number>();
    const malformed = new Set<number>();

    const submissions = (id: number) => `/api/assay/v1/exercises/${id}/submissions/`;
    const submission = (id: number) => `/api/assay/v1/submissions/${id}/`;
    const rerun = (id: number) => `/api/assay/v1/exercises/${id}/rerun/`;
    const db = () => server.services.db;
    const count = async (table: 'submissions' | 'feedback' | 'grades' | 'grading_jobs' | 'assignments', column: string, value: number) =>
      Number(
        (
          await db()
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where(sql.ref(column), '=', value)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const jobsOfExercise = (id: number) => db().selectFrom('grading_jobs').selectAll().where('exercise_id', '=', id).orderBy('id').execute();
    const submissionsOfExercise = (id: number) =>
      db()
        .selectFrom('submissions as s')
        .innerJoin('assignments as a', 'a.id', 's.assignment_id')
        .select(['s.id', 's.number', 's.assignment_id', 's.user_id'])
        .where('a.exercise_id', '=', id)
        .orderBy('s.id')
        .execute();
    const freshExercise = async (input: Parameters<typeof makeExercise>[2] = {}) => (await makeExercise(server, A.module.id, input)).id;

    const runner: JobRunner = async (job: GradingJob, context): Promise<JobResult> => {
      await context.report({ action: 'prepared', payload: 'test harness' });
      await context.report({ action: 'running' });
      if (noCheck.has(job.exercise_id)) return { outcome: 'no_check', summary: 'This exercise has no automatic check.', grade: null };
      if (malformed.has(job.exercise_id)) {
        return { outcome: 'success', summary: 'odd', grade: { score: 'seven', feedback: 42, tests: 'none', problems: { p1: { score: 'x' } }, maxScore: Infinity } };
      }
      return { outcome: 'success', summary: 'ok', grade: GRADE };
    };

    before(async () => {
      server = await startTestServer({ env: { ASSAY_MAX_UPLOAD_BYTES: String(MAX_UPLOAD), ASSAY_QUEUE: mode } });
      A = await makeCourseTree(server, 'Submissions Program');
      const B = await makeCourseTree(server, 'Elsewhere Program');
      const admin = await adminActor(server);
      staff = (await actorClient(server, 3)).api;
      const inst = await actorClient(server, 2);
      await server.services.programs.enroll(admin, A.program.id, inst.id, 'instructor');
      instructor = inst.api;
      checker = client(server.app, await login(server, A.checker.username));
      anonymous = client(server.app);
      alice = await makeStudent(server, A.program.id);
      bob = await makeStudent(server, A.program.id);
      outsider = await makeStudent(server, B.program.id);
      exerciseId = await freshExercise();
      await server.services.problems.replace(admin, exerciseId, [
        { name: 'p1', max_score: 5 },
        { name: 'p2', max_score: 5 },
        { name: 'p3', max_score: 1 },
      ]);
      await server.services.graders.set(admin, exerciseId, { convention: 'native', command: ['python3', 'grade.py'], limits: { wall_seconds: 7 } });
    });

    after(async () => {
      await pool?.stop(2000);
      await server.close();
      if (mode === 'pgboss') await dropPostgresSchema(server.config.databaseUrl, pgBossSchema(server.config.databaseSchema));
    });

    describe('submitting', () => {
      it('stores the files and answers, numbers the submission and queues exactly one job with it', async () => {
        const files = { 'main.py': 'print(42)\n', 'src/util.py': 'X = 1\n' };
        const res = await alice.api.post(submissions(exerciseId), { multipart: upload(files, { answers: JSON.stringify({ q1: '42', q2: [1, 2] }) }) });
        assert.equal(res.status, 201, res.text);
        const body = res.body;
        assert.deepEqual(Object.keys(body).sort(), ['answers', 'assignment', 'created_at', 'exercise', 'files', 'id', 'job', 'number', 'user']);
        assert.equal(body.exercise, exerciseId);
        assert.equal(body.user, alice.id);
        assert.equal(body.number, 1);
        assert.match(body.created_at, TIMESTAMP);
        assert.deepEqual(body.answers, { q1: '42', q2: [1, 2] });
        assert.deepEqual(
          body.files,
          Object.entries(files).map(([path, content]) => ({ path, size: Buffer.byteLength(content), sha256: sha256(content), md5: md5(content) })),
        );
        assert.equal(body.job.status, 'queued');

        // The rows behind it: the assignment (with its candidate), the submission, one job pointing at it.
        const assignment = await db().selectFrom('assignments').selectAll().where('id', '=', body.assignment).executeTakeFirstOrThrow();
        assert.equal(assignment.user_id, alice.id);
        assert.equal(assignment.exercise_id, exerciseId);
        assert.equal(assignment.submission_count, 1);
        const members = await db().selectFrom('assignment_members').selectAll().where('assignment_id', '=', body.assignment).execute();
        assert.deepEqual(members, [{ assignment_id: body.assignment, user_id: alice.id, role: 'candidate' }]);
        const jobs = await db().selectFrom('grading_jobs').selectAll().where('submission_id', '=', body.id).execute();
        assert.equal(jobs.length, 1);
        assert.equal(jobs[0]!.id, body.job.id);
        assert.equal(jobs[0]!.kind, 'submission');
        assert.equal(jobs[0]!.course_id, A.program.id);
        assert.equal(jobs[0]!.exercise_id, exerciseId);
        // The Hive Submission response that stands for it (one submission lifecycle, whatever the dialect).
        assert.equal(typeof jobs[0]!.response_id, 'number');
        assert.deepEqual(JSON.parse(jobs[0]!.payload), { submission_id: body.id, assignment_id: body.assignment, response_id: jobs[0]!.response_id, number: 1 });

        // Nothing has run yet: the grading is queued, with no outcome and an empty timeline.
        const got = await alice.api.get(submission(body.id));
        assert.equal(got.status, 200, got.text);
        assert.deepEqual(got.body.grading, { status: 'queued', outcome: null, score: null, max_score: null, feedback: null, tests: [], problems: {}, log: null, warnings: [], timeline: [] });
        assert.deepEqual(got.body.files, body.files);
      });

      it('numbers one student’s submissions 1, 2, 3 in one assignment, and another student’s apart', async () => {
        const id = await freshExercise();
        const numbers: number[] = [];
        for (let i = 0; i < 3; i++) {
          const res = await bob.api.post(submissions(id), { multipart: upload({ 'a.txt': `try ${i}` }) });
          assert.equal(res.status, 201, res.text);
          numbers.push(res.body.number);
        }
        assert.deepEqual(numbers, [1, 2, 3]);
        const first = await alice.api.post(submissions(id), { multipart: upload({ 'a.txt': 'mine' }) });
        assert.equal(first.body.number, 1);
        const rows = await submissionsOfExercise(id);
        assert.equal(new Set(rows.filter((r) => r.user_id === bob.id).map((r) => r.assignment_id)).size, 1);
        assert.notEqual(rows.find((r) => r.user_id === alice.id)!.assignment_id, rows[0]!.assignment_id);
        const bobs = await db().selectFrom('assignments').select('submission_count').where('exercise_id', '=', id).where('user_id', '=', bob.id).executeTakeFirstOrThrow();
        assert.equal(bobs.submission_count, 3);
      });

      it('keeps numbers unique under 10 parallel submissions by one student (the first ones racing to create the assignment)', async () => {
        const id = await freshExercise();
        const student = await makeStudent(server, A.program.id);
        const replies = await Promise.all(
          Array.from({ length: 10 }, (_, i) => student.api.post(submissions(id), { multipart: upload({ 'race.txt': `attempt ${i}` }) })),
        );
        assert.deepEqual(replies.map((r) => r.status), Array(10).fill(201), replies.map((r) => r.text).join('\n'));
        assert.deepEqual(replies.map((r) => r.body.number as number).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.equal(new Set(replies.map((r) => r.body.assignment)).size, 1);
        assert.equal(await count('assignments', 'exercise_id', id), 1);
        const assignment = await db().selectFrom('assignments').select('submission_count').where('exercise_id', '=', id).executeTakeFirstOrThrow();
        assert.equal(assignment.submission_count, 10);
        const jobs = await jobsOfExercise(id);
        assert.equal(jobs.length, 10);
        assert.deepEqual(new Set(jobs.map((j) => j.submission_id)), new Set(replies.map((r) => r.body.id)));
        // Two students submitting at once each get their own first submission.
        const other = await makeStudent(server, A.program.id);
        const [x, y] = await Promise.all([other.api.post(submissions(id), { multipart: upload({ a: '1' }) }), alice.api.post(submissions(id), { multipart: upload({ a: '2' }) })]);
        assert.deepEqual([x.status, x.body.number, y.status, y.body.number], [201, 1, 201, 1]);
      });

      it('accepts answers alone (multipart field or JSON body), and files alone', async () => {
        const id = await freshExercise();
        const form = await alice.api.post(submissions(id), { multipart: upload({}, { answers: '{"x": 1}' }) });
        assert.equal(form.status, 201, form.text);
        assert.deepEqual([form.body.files, form.body.answers], [[], { x: 1 }]);
        const json = await alice.api.post(submissions(id), { json: { answers: { y: 'two' } } });
        assert.equal(json.status, 201, json.text);
        assert.deepEqual([json.body.number, json.body.answers], [2, { y: 'two' }]);
        const files = await alice.api.post(submissions(id), { multipart: upload({ 'only.txt': 'x' }) });
        assert.deepEqual([files.status, files.body.answers], [201, null]);
      });

      it('rolls the submission back with its job: a transaction that fails at the enqueue leaves nothing', async () => {
        const id = await freshExercise();
        const student = await makeStudent(server, A.program.id);
        // A trigger that refuses this exercise's jobs makes the enqueue itself fail inside submit's transaction.
        if (engineUnderTest === 'postgres') {
          await sql`CREATE FUNCTION refuse_job() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`.execute(db());
          await sql`CREATE TRIGGER refuse_job BEFORE INSERT ON grading_jobs FOR EACH ROW WHEN (NEW.exercise_id = ${sql.raw(String(id))}) EXECUTE FUNCTION refuse_job()`.execute(db());
        } else {
          await sql`CREATE TRIGGER refuse_job BEFORE INSERT ON grading_jobs WHEN NEW.exercise_id = ${sql.raw(String(id))} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`.execute(db());
        }
        try {
          const res = await student.api.post(submissions(id), { multipart: upload({ 'a.txt': 'lost' }) });
          assert.equal(res.status, 500);
          await assert.rejects(server.services.submissions.submit({ id: student.id, username: 'x', clearance: 1 }, id, { files: [], answers: { a: 1 } }));
        } finally {
          await sql`DROP TRIGGER refuse_job${sql.raw(engineUnderTest === 'postgres' ? ' ON grading_jobs' : '')}`.execute(db());
          if (engineUnderTest === 'postgres') await sql`DROP FUNCTION refuse_job()`.execute(db());
        }
        assert.deepEqual(await submissionsOfExercise(id), []);
        assert.equal(await count('assignments', 'exercise_id', id), 0, 'the assignment made on the way is gone too');
        assert.equal((await jobsOfExercise(id)).length, 0);
        const again = await student.api.post(submissions(id), { multipart: upload({ 'a.txt': 'kept' }) });
        assert.equal(again.status, 201, again.text);
        assert.equal(again.body.number, 1);
        assert.equal((await jobsOfExercise(id)).length, 1);
      });

      it('refuses bad input with 400/413/404 and changes nothing', async () => {
        const id = await freshExercise();
        const before = await submissionsOfExercise(id);
        for (const bad of ['../x', '/abs', 'a/./b', 'a/', '.']) {
          const res = await alice.api.post(submissions(id), { multipart: upload({ 'ok.py': 'fine', [bad]: 'evil' }) });
          assert.equal(res.status, 400, `${bad}: ${res.text}`);
          assert.deepEqual(errs(res), [['files.1.path', 'invalid_path']], bad);
        }
        const dup = upload({ 'x.py': '1' });
        dup.append('file', new Blob(['2']), 'x.py');
        assert.deepEqual(errs(await alice.api.post(submissions(id), { multipart: dup })), [['files.1.path', 'unique']]);
        const none = await alice.api.post(submissions(id), { multipart: upload({}, { note: 'nothing' }) });
        assert.equal(none.status, 400);
        assert.deepEqual(none.body.errors, [{ code: 'required', detail: 'No file was submitted.', attr: 'file' }]);
        assert.equal((await alice.api.post(submissions(id), { json: {} })).status, 400);
        for (const answers of ['{not json', '[1, 2]', '"text"', 'null', '3']) {
          const res = await alice.api.post(submissions(id), { multipart: upload({ 'a.py': 'a' }, { answers }) });
          assert.equal(res.status, 400, answers);
          assert.deepEqual(errs(res), [['answers', 'invalid']], answers);
        }
        const twice = upload({ 'a.py': 'a' }, { answers: '{}' });
        twice.append('answers', '{}');
        assert.deepEqual(errs(await alice.api.post(submissions(id), { multipart: twice })), [['answers', 'invalid']]);
        assert.deepEqual(errs(await alice.api.post(submissions(id), { json: { answers: 'x' } })), [['answers', 'invalid']]);
        const big = await alice.api.post(submissions(id), { multipart: upload({ 'big.bin': 'x'.repeat(MAX_UPLOAD + 1) }) });
        assert.equal(big.status, 413, big.text);
        assert.equal((await alice.api.post(submissions(id), { raw: 'hello', headers: { 'content-type': 'text/plain' } })).status, 415);
        assert.deepEqual(await submissionsOfExercise(id), before);
        assert.equal(await count('assignments', 'exercise_id', id), 0);
        assert.equal((await jobsOfExercise(id)).length, 0);

        for (const url of [submissions(999_999), submissions(99_999_999_999), '/api/assay/v1/exercises/abc/submissions/']) {
          assert.equal((await alice.api.post(url, { multipart: upload({ 'a.py': 'a' }) })).status, 404, url);
          assert.equal((await alice.api.get(url)).status, 404, url);
        }
        for (const url of [submission(999_999), submission(0), '/api/assay/v1/submissions/x/']) assert.equal((await staff.get(url)).status, 404, url);
        assert.equal((await anonymous.post(submissions(id), { multipart: upload({ 'a.py': 'a' }) })).status, 401);
        assert.equal((await alice.api.put(submissions(id), { json: {} })).status, 405);
      });

      it('stops students at the exercise’s max_submissions (403), not staff', async () => {
        const id = await freshExercise();
        await db().updateTable('exercises').set({ max_submissions: 2 }).where('id', '=', id).execute();
        const student = await makeStudent(server, A.program.id);
        for (let i = 1; i <= 2; i++) assert.equal((await student.api.post(submissions(id), { multipart: upload({ 'a.py': `${i}` }) })).status, 201);
        const third = await student.api.post(submissions(id), { multipart: upload({ 'a.py': '3' }) });
        assert.equal(third.status, 403);
        assert.match(third.body.errors[0].detail, /maximum number of submissions \(2\)/);
        assert.equal((await submissionsOfExercise(id)).length, 2);
        for (let i = 1; i <= 3; i++) assert.equal((await staff.post(submissions(id), { multipart: upload({ 'a.py': `${i}` }) })).status, 201);
      });
    });

    describe('who sees what', () => {
      let aliceSubmission: number;
      let listId: number;

      before(async () => {
        listId = await freshExercise();
        aliceSubmission = (await alice.api.post(submissions(listId), { multipart: upload({ 'a.py': 'alice' }) })).body.id;
        await bob.api.post(submissions(listId), { multipart: upload({ 'b.py': 'bob' }) });
        await alice.api.post(submissions(listId), { multipart: upload({ 'a.py': 'alice again' }) });
      });

      it('shows a submission to its author and the course’s staff side, 404 to everyone else', async () => {
        for (const [who, api] of [['alice', alice.api], ['checker', checker], ['instructor', instructor], ['staff', staff]] as const) {
          const res = await api.get(submission(aliceSubmission));
          assert.equal(res.status, 200, `${who}: ${res.text}`);
          assert.equal(res.body.user, alice.id);
        }
        assert.equal((await bob.api.get(submission(aliceSubmission))).status, 404);
        assert.equal((await outsider.api.get(submission(aliceSubmission))).status, 404);
        assert.equal((await anonymous.get(submission(aliceSubmission))).status, 401);
      });

      it('lists a student’s own submissions, and all of them to the staff side', async () => {
        const mine = await alice.api.get(submissions(listId));
        assert.equal(mine.status, 200);
        assert.deepEqual(mine.body.map((s: { user: number; number: number }) => [s.user, s.number]), [[alice.id, 1], [alice.id, 2]]);
        assert.deepEqual((await bob.api.get(submissions(listId))).body.map((s: { user: number }) => s.user), [bob.id]);
        for (const api of [staff, checker, instructor]) {
          const all = await api.get(submissions(listId));
          assert.deepEqual(all.body.map((s: { user: number; number: number }) => [s.user, s.number]), [[alice.id, 1], [bob.id, 1], [alice.id, 2]]);
        }
        assert.deepEqual((await outsider.api.get(submissions(listId))).body?.errors?.[0]?.code, 'not_found');
        const fresh = await makeStudent(server, A.program.id);
        assert.deepEqual((await fresh.api.get(submissions(listId))).body, []);
      });

      it('lets only staff and the course’s instructors rerun an exercise', async () => {
        assert.equal((await alice.api.post(rerun(listId))).status, 403);
        assert.equal((await checker.post(rerun(listId))).status, 403);
        assert.equal((await outsider.api.post(rerun(listId))).status, 404);
        assert.equal((await anonymous.post(rerun(listId))).status, 401);
        assert.equal((await staff.post(rerun(999_999))).status, 404);
        // Every latest submission still has its first job waiting: nothing is queued twice.
        const res = await instructor.post(rerun(listId));
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.queued, 0);
        assert.match(res.body.since, TIMESTAMP);
        assert.equal((await staff.put(rerun(listId))).status, 405);
      });
    });

    describe('grading by a worker pool', () => {
      let graded: { id: number; job: { id: number } };

      before(async () => {
        pool = startWorkerPool(server.services.grading, runner, server.services.config, { concurrency: 2 });
      });

      const settled = (jobId: number) =>
        waitFor(`job ${jobId} to finish`, async () => {
          const job = await server.services.grading.get(jobId);
          return job && (job.status === 'done' || job.status === 'failed') ? job : null;
        });

      it('records feedback and per-problem grades exactly once, and shows the grading', async () => {
        const res = await alice.api.post(submissions(exerciseId), { multipart: upload({ 'main.py': 'print(7)\n' }) });
        assert.equal(res.status, 201, res.text);
        graded = res.body;
        const job = await settled(graded.job.id);
        assert.equal(job.status, 'done', job.error ?? '');

        const feedback = await db().selectFrom('feedback').selectAll().where('submission_id', '=', graded.id).execute();
        assert.equal(feedback.length, 1);
        assert.deepEqual(
          { text: feedback[0]!.text, points: feedback[0]!.points, passing: feedback[0]!.passing, released: feedback[0]!.released, author: feedback[0]!.author_id },
          { text: 'Well done.', points: 7, passing: true, released: true, author: null },
        );
        const grades = await db()
          .selectFrom('grades')
          .innerJoin('problems', 'problems.id', 'grades.problem_id')
          .select(['problems.name', 'grades.score', 'grades.released', 'grades.grader_id'])
          .where('grades.submission_id', '=', graded.id)
          .orderBy('problems.name')
          .execute();
        // p1 and p2 are scored; `nosuch` names no problem and p3 has no score: neither is recorded.
        assert.deepEqual(grades, [
          { name: 'p1', score: 5, released: true, grader_id: null },
          { name: 'p2', score: 2, released: true, grader_id: null },
        ]);

        // A second completion of the same job changes nothing and records nothing.
        const result = job.result!;
        assert.equal(await server.services.grading.complete(job.id, 'another-worker', result), false);
        assert.equal(await server.services.grading.complete(job.id, job.lease_owner ?? 'test', result), false);
        assert.equal(await count('feedback', 'submission_id', graded.id), 1);
        assert.equal(await count('grades', 'submission_id', graded.id), 2);
      });

      it('shows students the grade, the visible tests and the timeline; staff everything', async () => {
        const mine = await alice.api.get(submission(graded.id));
        assert.equal(mine.status, 200, mine.text);
        const g = mine.body.grading;
        assert.equal(g.status, 'done');
        assert.equal(g.outcome, 'Success');
        assert.equal(g.score, 7);
        assert.equal(g.max_score, 10);
        assert.equal(g.feedback, 'Well done.');
        assert.equal(g.log, null);
        assert.deepEqual(g.tests, [{ name: 'shown', score: 5, max_score: 5, status: 'passed', output: 'ok', visibility: 'visible' }]);
        assert.deepEqual(g.problems.p2, { score: 2, result: null, feedback: 'almost' });
        assert.deepEqual(Object.keys(g.problems), ['p1', 'p2', 'nosuch', 'p3']);
        assert.deepEqual(g.timeline.map((e: { action: string }) => e.action), ['Handling', 'Built', 'Sending', 'Finished', 'Success']);
        assert.equal(g.timeline[1].payload, 'test harness');
        assert.equal(g.timeline[4].payload, 'ok');
        for (const e of g.timeline) assert.match(e.time, TIMESTAMP);

        const seen = await staff.get(submission(graded.id));
        assert.deepEqual(seen.body.grading.tests.map((t: { name: string }) => t.name), ['shown', 'secret', 'later']);
        assert.equal(seen.body.grading.log, 'harness log for staff');
        assert.deepEqual(Object.keys(seen.body.grading.problems), ['p1', 'p2', 'nosuch', 'p3', 'secret']);
        assert.deepEqual((await checker.get(submission(graded.id))).body.grading.tests.length, 3);

        // Once the exercise is due, `after_due_date` tests show too.
        await db().updateTable('exercises').set({ due_at: '2000-01-01T00:00:00.000000Z' }).where('id', '=', exerciseId).execute();
        const due = await alice.api.get(submission(graded.id));
        assert.deepEqual(due.body.grading.tests.map((t: { name: string }) => t.name), ['shown', 'later']);
        await db().updateTable('exercises').set({ due_at: null }).where('id', '=', exerciseId).execute();
      });

      it('records nothing for No Check, and reads a malformed grade without failing the job', async () => {
        const quiet = await freshExercise();
        noCheck.add(quiet);
        const a = (await alice.api.post(submissions(quiet), { multipart: upload({ 'a.py': 'a' }) })).body;
        const odd = await freshExercise();
        malformed.add(odd);
        await server.services.problems.replace(await adminActor(server), odd, [{ name: 'p1', max_score: 1 }]);
        const b = (await alice.api.post(submissions(odd), { multipart: upload({ 'b.py': 'b' }) })).body;
        assert.equal((await settled(a.job.id)).status, 'done');
        assert.equal((await settled(b.job.id)).status, 'done');

        assert.equal(await count('feedback', 'submission_id', a.id), 0);
        const quietGrading = (await alice.api.get(submission(a.id))).body.grading;
        assert.deepEqual([quietGrading.status, quietGrading.outcome, quietGrading.score, quietGrading.feedback], ['done', 'No Check', null, null]);
        assert.equal(quietGrading.timeline.at(-1).action, 'No Check');

        const rows = await db().selectFrom('feedback').select(['text', 'points', 'passing']).where('submission_id', '=', b.id).execute();
        assert.deepEqual(rows, [{ text: '', points: null, passing: false }]);
        assert.equal(await count('grades', 'submission_id', b.id), 0);
        const oddGrading = (await alice.api.get(submission(b.id))).body.grading;
        assert.deepEqual([oddGrading.score, oddGrading.max_score, oddGrading.feedback, oddGrading.tests, oddGrading.problems], [null, null, '', [], { p1: { score: null, result: null, feedback: null } }]);
      });

      it('reruns the latest submission of each assignment as new jobs, each recorded once', async () => {
        const id = await freshExercise();
        await server.services.problems.replace(await adminActor(server), id, [{ name: 'p1', max_score: 5 }]);
        const first = (await alice.api.post(submissions(id), { multipart: upload({ 'a.py': '1' }) })).body;
        const latest = (await alice.api.post(submissions(id), { multipart: upload({ 'a.py': '2' }) })).body;
        const bobs = (await bob.api.post(submissions(id), { multipart: upload({ 'b.py': '1' }) })).body;
        for (const s of [first, latest, bobs]) await settled(s.job.id);

        const res = await staff.post(rerun(id));
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(Object.keys(res.body).sort(), ['queued', 'since']);
        assert.equal(res.body.queued, 2);
        const reruns = (await jobsOfExercise(id)).filter((j) => j.kind === 'rerun');
        assert.deepEqual(reruns.map((j) => j.submission_id).sort(), [latest.id, bobs.id].sort());
        for (const j of reruns) await settled(j.id);

        assert.equal(await count('feedback', 'submission_id', first.id), 1);
        assert.equal(await count('feedback', 'submission_id', latest.id), 2);
        assert.equal(await count('grades', 'submission_id', latest.id), 2);
        const shown = (await alice.api.get(submission(latest.id))).body;
        const rerunJob = reruns.find((j) => j.submission_id === latest.id)!;
        assert.deepEqual(shown.job, { id: rerunJob.id, status: 'done' });
        assert.equal(shown.grading.score, 7);
      });

      it('leaves every submission with exactly one submission job', async () => {
        const [subs, jobs] = await Promise.all([
          db().selectFrom('submissions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
          db().selectFrom('grading_jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'submission').executeTakeFirstOrThrow(),
        ]);
        assert.equal(Number(jobs.n), Number(subs.n));
        const orphans = await db()
          .selectFrom('submissions as s')
          .select('s.id')
          .where(({ not, exists, selectFrom }) => not(exists(selectFrom('grading_jobs as g').select('g.id').whereRef('g.submission_id', '=', 's.id').where('g.kind', '=', 'submission'))))
          .execute();
        assert.deepEqual(orphans, []);
      });
    });
  });
}
