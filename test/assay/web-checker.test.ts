import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Delivered, InboxEvent } from '../../src/core/events/event-bus.ts';
import { topics } from '../../src/core/events/event-bus.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, login, makeCourseTree, makeExercise, makeStudent } from '../helpers/fixtures.ts';
import type { Client, Reply } from '../helpers/http.ts';
import { call, client } from '../helpers/http.ts';

const API = '/api/assay/v1';
const LOCKED = 'This item is locked by another checker.';

const FIRST = 'def add(a, b):\n    return a - b\n';
const SECOND = 'def add(a, b):\n    return a + b\n\n\nprint(add(1, 2))\n';

function upload(fields: Record<string, string>, file: { name: string; data: string }): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([Buffer.from(file.data)]), file.name);
  return form;
}

const errors = (res: Reply) => (res.body.errors as { attr: string | null; code: string }[]).map((e) => [e.attr, e.code]);
function refused(res: Reply, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.type, 'client_error', res.text);
  assert.equal(res.body.errors[0].code, code, res.text);
}

interface Person {
  id: number;
  api: Client;
}

/** Program A (two checkers, two students), program B (its checker, a student), staff. */
async function cast(server: TestServer) {
  const A = await makeCourseTree(server, 'Checker Program A');
  const B = await makeCourseTree(server, 'Checker Program B');
  const checkerA: Person = { id: A.checker.id, api: client(server.app, await login(server, A.checker.username)) };
  const checkerA2 = await actorClient(server, 2);
  await server.services.programs.enroll(A.admin, A.program.id, checkerA2.id, 'checker');
  const checkerB: Person = { id: B.checker.id, api: client(server.app, await login(server, B.checker.username)) };
  const staff = await actorClient(server, 3);
  const studentA = await makeStudent(server, A.program.id);
  const studentA2 = await makeStudent(server, A.program.id);
  const studentB = await makeStudent(server, B.program.id);
  const exA = await makeExercise(server, A.module.id, { name: 'Adding' });
  const exA2 = await makeExercise(server, A.module.id, { name: 'Loops' });
  await server.services.problems.replace(A.admin, exA.id, [
    { name: 'correctness', max_score: 6 },
    { name: 'style', max_score: 4 },
  ]);
  return { A, B, checkerA, checkerA2, checkerB, staff, studentA, studentA2, studentB, exA, exA2 };
}

describe(`Assay API, checker side (inbox, locks, review, line comments, help) on ${engineUnderTest}`, () => {
  let server: TestServer;
  let c: Awaited<ReturnType<typeof cast>>;
  /** Student A's assignment on exA, with two submissions (FIRST, then SECOND). */
  let assignmentId: number;
  let firstSubmission: number;
  let latestSubmission: number;
  let helpId: number;
  const events: InboxEvent[] = [];

  const submit = async (student: Person, assignment: number, data: string) => {
    const res = await student.api.post(`/api/core/assignments/${assignment}/responses/`, { multipart: upload({ response_type: 'Submission', contents: '[]' }, { name: 'add.py', data }) });
    assert.equal(res.status, 201, res.text);
  };
  const newAssignment = async (student: Person, exerciseId: number) => {
    const res = await c.checkerA.api.post('/api/core/assignments/', { json: { user: student.id, exercise: exerciseId, assignment_status: 'New' } });
    assert.equal(res.status, 201, res.text);
    return res.body.id as number;
  };
  const submissionIds = async (assignment: number) =>
    (await server.services.db.selectFrom('submissions').select('id').where('assignment_id', '=', assignment).orderBy('number').execute()).map((r) => r.id);
  const inbox = async (who: Client, query = '') => {
    const res = await who.get(`${API}/inbox/${query}`);
    assert.equal(res.status, 200, res.text);
    return res.body.items as { kind: string; id: number; status: string; locked_by: { id: number; name: string } | null; submission: number | null; waiting_since: string }[];
  };

  before(async () => {
    server = await startTestServer();
    c = await cast(server);
    server.services.liveEvents.bus.subscribe(topics.inbox(c.A.program.id), (d: Delivered) => {
      if (d.event.kind === 'inbox') events.push(d.event);
    });
    assignmentId = await newAssignment(c.studentA, c.exA.id);
    await submit(c.studentA, assignmentId, FIRST);
    await submit(c.studentA, assignmentId, SECOND);
    const ids = await submissionIds(assignmentId);
    firstSubmission = ids[0]!;
    latestSubmission = ids[1]!;
    const help = await c.studentA.api.post('/api/core/help/', { json: { user: c.studentA.id, help_type: 'Exercise', title: 'Why does add fail?', exercise_id: c.exA.id } });
    assert.equal(help.status, 201, help.text);
    helpId = help.body.id;
    // Student B's work in program B: never in A's inbox.
    const exB = await makeExercise(server, c.B.module.id, { name: 'Elsewhere' });
    const other = await c.checkerB.api.post('/api/core/assignments/', { json: { user: c.studentB.id, exercise: exB.id, assignment_status: 'New' } });
    await submit(c.studentB, other.body.id, FIRST);
  });
  after(() => server.close());

  describe('the inbox', () => {
    it("lists the course's assignments waiting for a check and its open help threads, oldest first", async () => {
      const items = await inbox(c.checkerA.api);
      assert.deepEqual(
        items.map((i) => [i.kind, i.id]),
        [
          ['assignment', assignmentId],
          ['help', helpId],
        ],
      );
      const [assignment, help] = items;
      assert.ok(['Submitted', 'AutoChecked'].includes(assignment!.status), assignment!.status);
      assert.equal(assignment!.submission, latestSubmission);
      assert.equal(assignment!.locked_by, null);
      assert.deepEqual(Object.keys(assignment!).sort(), ['course', 'exercise', 'id', 'kind', 'locked_by', 'status', 'student', 'submission', 'title', 'waiting_since']);
      assert.equal(help!.status, 'Open');
      assert.ok(assignment!.waiting_since <= help!.waiting_since);
    });

    it('filters by course, exercise, status, student and kind', async () => {
      const ids = async (q: string) => (await inbox(c.checkerA.api, q)).map((i) => `${i.kind}:${i.id}`);
      assert.deepEqual(await ids('?kind=help'), [`help:${helpId}`]);
      assert.deepEqual(await ids('?kind=assignment'), [`assignment:${assignmentId}`]);
      assert.deepEqual(await ids(`?exercise=${c.exA2.id}`), []);
      assert.deepEqual(await ids(`?exercise=${c.exA.id}`), [`assignment:${assignmentId}`, `help:${helpId}`]);
      assert.deepEqual(await ids(`?student=${c.studentA2.id}`), []);
      assert.deepEqual(await ids(`?student=${c.studentA.id}&status=Open`), [`help:${helpId}`]);
      assert.deepEqual(await ids(`?course=${c.B.program.id}`), [], "a course the checker does not check shows nothing");
      assert.equal((await ids(`?course=${c.A.program.id}`)).length, 2);
      // Staff see every course: B's assignment too.
      assert.equal((await inbox(c.staff.api, `?course=${c.B.program.id}&kind=assignment`)).length, 1);
    });

    it('refuses bad filters with 400 naming the query key', async () => {
      for (const [query, attr] of [
        ['?status=Done', 'status'],
        ['?kind=everything', 'kind'],
        ['?course=abc', 'course'],
        ['?exercise=1.5', 'exercise'],
      ] as const) {
        const res = await c.checkerA.api.get(`${API}/inbox/${query}`);
        assert.equal(res.status, 400, `${query}: ${res.text}`);
        assert.equal(res.body.type, 'validation_error');
        assert.deepEqual(errors(res), [[attr, 'invalid']], query);
      }
    });

    it('is refused to students (403) and shows other courses nothing', async () => {
      refused(await c.studentA.api.get(`${API}/inbox/`), 403, 'permission_denied');
      assert.equal((await call(server.app, 'GET', `${API}/inbox/`)).status, 401);
      assert.deepEqual((await inbox(c.checkerB.api)).map((i) => i.kind), ['assignment'], "B's checker sees only B's work");
    });
  });

  describe('locks', () => {
    it('a checker locks the assignment; a second checker finds it locked and read-only; releasing frees it', async () => {
      const lock = `${API}/assignments/${assignmentId}/lock/`;
      const taken = await c.checkerA.api.post(lock);
      assert.equal(taken.status, 200, taken.text);
      assert.equal(taken.body.locked_by.id, c.checkerA.id);
      assert.equal((await c.checkerA.api.post(lock)).status, 200, 'locking again is a no-op');

      // The second checker: refused the lock, sees who holds it, may read but not write.
      const second = await c.checkerA2.api.post(lock);
      refused(second, 403, 'permission_denied');
      assert.equal(second.body.errors[0].detail, LOCKED);
      const review = await c.checkerA2.api.get(`${API}/assignments/${assignmentId}/review/`);
      assert.equal(review.status, 200, review.text);
      assert.equal(review.body.assignment.locked_by.id, c.checkerA.id);
      const listed = (await inbox(c.checkerA2.api)).find((i) => i.kind === 'assignment')!;
      assert.equal(listed.locked_by!.id, c.checkerA.id);
      refused(await c.checkerA2.api.post(`${API}/submissions/${latestSubmission}/comments/`, { json: { path: 'add.py', line: 1, text: 'mine' } }), 403, 'permission_denied');
      refused(await c.checkerA2.api.post(`${API}/submissions/${latestSubmission}/review/`, { json: { verdict: 'Done' } }), 403, 'permission_denied');
      refused(await c.checkerA2.api.delete(lock), 403, 'permission_denied');
      assert.equal((await c.checkerA.api.get(`${API}/assignments/${assignmentId}/review/`)).body.assignment.locked_by.id, c.checkerA.id);

      // Released, the second checker takes it, then gives it back.
      assert.equal((await c.checkerA.api.delete(lock)).status, 204);
      assert.equal((await c.checkerA.api.delete(lock)).status, 204, 'releasing a free lock is a no-op');
      assert.equal((await c.checkerA2.api.post(lock)).body.locked_by.id, c.checkerA2.id);
      assert.equal((await c.checkerA2.api.delete(lock)).status, 204);
      assert.equal((await inbox(c.checkerA.api)).find((i) => i.kind === 'assignment')!.locked_by, null);
    });

    it('staff take over a lock; students and other courses are refused', async () => {
      const lock = `${API}/assignments/${assignmentId}/lock/`;
      await c.checkerA.api.post(lock);
      assert.equal((await c.staff.api.post(lock)).body.locked_by.id, c.staff.id);
      assert.equal((await c.staff.api.delete(lock)).status, 204);
      refused(await c.studentA.api.post(lock), 403, 'permission_denied');
      refused(await c.checkerB.api.post(lock), 404, 'not_found');
      refused(await c.checkerB.api.get(`${API}/assignments/${assignmentId}/review/`), 404, 'not_found');
      refused(await c.studentA.api.get(`${API}/assignments/${assignmentId}/review/`), 403, 'permission_denied');
      refused(await c.studentA2.api.get(`${API}/assignments/${assignmentId}/review/`), 404, 'not_found');
      refused(await c.checkerA.api.post(`${API}/assignments/99999999/lock/`), 404, 'not_found');
    });

    it('locks help threads the same way', async () => {
      const lock = `${API}/help/${helpId}/lock/`;
      assert.equal((await c.checkerA.api.post(lock)).body.locked_by.id, c.checkerA.id);
      refused(await c.checkerA2.api.post(lock), 403, 'permission_denied');
      refused(await c.checkerA2.api.post(`${API}/help/${helpId}/resolve/`, { json: {} }), 403, 'permission_denied');
      refused(await c.studentA.api.post(lock), 403, 'permission_denied');
      refused(await c.checkerB.api.post(lock), 404, 'not_found');
      assert.equal((await inbox(c.checkerA2.api, '?kind=help'))[0]!.locked_by!.id, c.checkerA.id);
      assert.equal((await c.checkerA.api.delete(lock)).status, 204);
    });
  });

  describe('grading an assignment', () => {
    it("serves the latest and previous submissions' files for a diff, with the problems", async () => {
      const res = await c.checkerA.api.get(`${API}/assignments/${assignmentId}/review/`);
      assert.equal(res.status, 200, res.text);
      const review = res.body;
      assert.equal(review.assignment.id, assignmentId);
      assert.equal(review.assignment.student.id, c.studentA.id);
      assert.equal(review.assignment.exercise.name, 'Adding');
      assert.equal(review.latest.id, latestSubmission);
      assert.equal(review.previous.id, firstSubmission);
      assert.deepEqual(review.latest.files, [{ path: 'add.py', size: Buffer.byteLength(SECOND), text: SECOND }]);
      assert.deepEqual(review.previous.files, [{ path: 'add.py', size: Buffer.byteLength(FIRST), text: FIRST }]);
      assert.deepEqual(
        review.problems.map((p: { name: string; max_score: number; points: number | null }) => [p.name, p.max_score, p.points]),
        [
          ['correctness', 6, null],
          ['style', 4, null],
        ],
      );
      assert.equal(review.grade, null);
    });

    it('takes line comments, and refuses unknown paths, lines out of range, empty and too long text with 400', async () => {
      const url = `${API}/submissions/${latestSubmission}/comments/`;
      await c.checkerA.api.post(`${API}/assignments/${assignmentId}/lock/`);
      const bad = async (json: object, expected: [string, string][]) => {
        const res = await c.checkerA.api.post(url, { json });
        assert.equal(res.status, 400, `${JSON.stringify(json)}: ${res.text}`);
        assert.equal(res.body.type, 'validation_error');
        assert.deepEqual(errors(res), expected, JSON.stringify(json));
      };
      await bad({ path: 'nope.py', line: 1, text: 'x' }, [['path', 'invalid']]);
      await bad({ path: '../add.py', line: 1, text: 'x' }, [['path', 'invalid']]);
      await bad({ path: 'add.py', line: 6, text: 'x' }, [['line', 'invalid']]);
      await bad({ path: 'add.py', line: 0, text: 'x' }, [['line', 'min_value']]);
      await bad({ path: 'add.py', line: 'two', text: 'x' }, [['line', 'invalid']]);
      await bad({ path: 'add.py', line: 1, text: '   ' }, [['text', 'blank']]);
      await bad({ path: 'add.py', line: 1, text: 'x'.repeat(5001) }, [['text', 'max_length']]);
      await bad({ line: 1 }, [
        ['path', 'required'],
        ['text', 'required'],
      ]);
      assert.equal((await server.services.db.selectFrom('line_comments').select('id').execute()).length, 0, 'nothing written');

      const made = await c.checkerA.api.post(url, { json: { path: 'add.py', line: 5, text: 'Print in a main guard.' } });
      assert.equal(made.status, 201, made.text);
      assert.deepEqual(Object.keys(made.body).sort(), ['author', 'created_at', 'id', 'line', 'path', 'submission', 'text']);
      assert.equal(made.body.author.id, c.checkerA.id);
      const second = await c.checkerA.api.post(url, { json: { path: 'add.py', line: 2, text: 'Fine now.' } });
      assert.equal(second.status, 201, second.text);
      const listed = await c.checkerA.api.get(url);
      assert.deepEqual(
        listed.body.map((x: { line: number }) => x.line),
        [2, 5],
      );
    });

    it('refuses comments from students (403 on their own, 404 elsewhere) and from other courses (404)', async () => {
      const url = `${API}/submissions/${latestSubmission}/comments/`;
      const json = { path: 'add.py', line: 1, text: 'Looks good to me' };
      // Nobody holds the assignment: the refusals below are the students' own, not a lock's.
      assert.equal((await c.checkerA.api.delete(`${API}/assignments/${assignmentId}/lock/`)).status, 204);
      const own = await c.studentA.api.post(url, { json });
      refused(own, 403, 'permission_denied');
      assert.notEqual(own.body.errors[0].detail, LOCKED);
      refused(await c.studentA2.api.post(url, { json }), 404, 'not_found');
      refused(await c.checkerB.api.post(url, { json }), 404, 'not_found');
      refused(await c.studentA2.api.get(url), 404, 'not_found');
      refused(await c.checkerB.api.get(url), 404, 'not_found');
      const comment = (await c.checkerA.api.get(url)).body[0].id as number;
      refused(await c.studentA.api.delete(`${url}${comment}/`), 403, 'permission_denied');
      refused(await c.checkerA.api.delete(`${url}99999/`), 404, 'not_found');
      refused(await c.checkerA.api.post(`${API}/submissions/99999999/comments/`, { json }), 404, 'not_found');
    });

    it('refuses bad reviews with 400 and writes nothing', async () => {
      const url = `${API}/submissions/${latestSubmission}/review/`;
      const problems = (await c.checkerA.api.get(`${API}/assignments/${assignmentId}/review/`)).body.problems as { id: number }[];
      const bad = async (json: object, expected: [string, string][]) => {
        const res = await c.checkerA.api.post(url, { json });
        assert.equal(res.status, 400, `${JSON.stringify(json)}: ${res.text}`);
        assert.deepEqual(errors(res), expected, JSON.stringify(json));
      };
      await bad({ verdict: 'Maybe' }, [['verdict', 'invalid_choice']]);
      await bad({}, [['verdict', 'required']]);
      await bad({ verdict: 'Done', points: [{ problem: 999999, points: 1 }] }, [['points.0.problem', 'does_not_exist']]);
      await bad({ verdict: 'Done', points: [{ problem: problems[0]!.id, points: 7 }] }, [['points.0.points', 'invalid']]);
      await bad({ verdict: 'Done', points: [{ problem: problems[0]!.id, points: 1 }, { problem: problems[0]!.id, points: 2 }] }, [['points.1.problem', 'unique']]);
      await bad({ verdict: 'Done', comment: 'x'.repeat(20001) }, [['comment', 'max_length']]);
      const status = (await server.services.db.selectFrom('assignments').select('status').where('id', '=', assignmentId).executeTakeFirstOrThrow()).status;
      assert.ok(['Submitted', 'AutoChecked'].includes(status), status);
      assert.equal((await server.services.db.selectFrom('feedback').select('id').where('author_id', 'is not', null).execute()).length, 0);
      const own = await c.studentA.api.post(url, { json: { verdict: 'Done' } });
      refused(own, 403, 'permission_denied');
      assert.notEqual(own.body.errors[0].detail, LOCKED, 'refused as a student, not for a lock');
      refused(await c.checkerB.api.post(url, { json: { verdict: 'Done' } }), 404, 'not_found');
    });

    it('Redo with points and a comment moves the assignment; the student sees the status, the comment and the line comments', async () => {
      const events0 = events.length;
      const problems = (await c.checkerA.api.get(`${API}/assignments/${assignmentId}/review/`)).body.problems as { id: number }[];
      const res = await c.checkerA.api.post(`${API}/submissions/${latestSubmission}/review/`, {
        json: { verdict: 'Redo', comment: 'Print only under a main guard.', points: [{ problem: problems[0]!.id, points: 6 }, { problem: problems[1]!.id, points: 1.5 }] },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.assignment.status, 'Redo');
      assert.deepEqual(
        res.body.problems.map((p: { points: number }) => p.points),
        [6, 1.5],
      );
      assert.equal(res.body.grade.text, 'Print only under a main guard.');
      assert.equal(res.body.grade.points, 7.5);
      assert.equal(res.body.grade.passing, false);
      assert.equal(res.body.grade.author.id, c.checkerA.id);
      assert.ok(events.slice(events0).some((e) => e.item === 'assignment' && e.id === assignmentId && e.status === 'Redo'), 'the inbox hears of it');

      // The student, through Hive's API and Assay's.
      const hive = await c.studentA.api.get(`/api/core/assignments/${assignmentId}/`);
      assert.equal(hive.body.student_assignment_status, 'Redo');
      const comments = await c.studentA.api.get(`${API}/submissions/${latestSubmission}/comments/`);
      assert.equal(comments.status, 200, comments.text);
      assert.deepEqual(
        comments.body.map((x: { path: string; line: number; text: string }) => [x.path, x.line, x.text]),
        [
          ['add.py', 2, 'Fine now.'],
          ['add.py', 5, 'Print in a main guard.'],
        ],
      );
      const detail = await c.studentA.api.get(`${API}/submissions/${latestSubmission}/`);
      assert.equal(detail.status, 200, detail.text);
      assert.deepEqual(
        detail.body.comments.map((x: { file: string; line: number; text: string }) => [x.file, x.line, x.text]),
        [
          ['add.py', 2, 'Fine now.'],
          ['add.py', 5, 'Print in a main guard.'],
        ],
      );
      assert.equal(detail.body.grade.text, 'Print only under a main guard.');
      assert.equal(detail.body.grade.points, 7.5);
      assert.equal(detail.body.grade.passing, false);
      // Redo: no longer waiting for a check.
      assert.deepEqual((await inbox(c.checkerA.api, '?kind=assignment')).map((i) => i.id), []);
    });

    it('the author deletes a comment; others may not', async () => {
      const url = `${API}/submissions/${latestSubmission}/comments/`;
      const [first] = (await c.checkerA.api.get(url)).body as { id: number }[];
      await c.checkerA.api.delete(`${API}/assignments/${assignmentId}/lock/`);
      refused(await c.checkerA2.api.delete(`${url}${first!.id}/`), 403, 'permission_denied');
      assert.equal((await c.checkerA.api.delete(`${url}${first!.id}/`)).status, 204);
      assert.equal((await c.checkerA.api.get(url)).body.length, 1);
    });
  });

  describe('a deleted submission', () => {
    it('takes its line comments with it', async () => {
      const made = await c.checkerA.api.post(`${API}/submissions/${firstSubmission}/comments/`, { json: { path: 'add.py', line: 2, text: 'Minus?' } });
      assert.equal(made.status, 201, made.text);
      assert.equal((await c.staff.api.delete(`${API}/submissions/${firstSubmission}/`)).status, 204);
      assert.deepEqual(await server.services.db.selectFrom('line_comments').select('id').where('submission_id', '=', firstSubmission).execute(), []);
      const review = await c.checkerA.api.get(`${API}/assignments/${assignmentId}/review/`);
      assert.equal(review.body.previous, null, 'the latest has no previous one left');
    });
  });

  describe('help threads', () => {
    it('a checker resolves a thread with a last reply; it leaves the inbox', async () => {
      const events0 = events.length;
      await c.checkerA.api.post(`${API}/help/${helpId}/lock/`);
      const res = await c.checkerA.api.post(`${API}/help/${helpId}/resolve/`, { json: { text: 'Look at the operator on line 2.' } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { id: helpId, status: 'Resolved' });
      const thread = await c.studentA.api.get(`/api/core/help/${helpId}/`);
      assert.equal(thread.body.help_status, 'Resolved');
      assert.equal(thread.body.responses.at(-1).contents, 'Look at the operator on line 2.');
      assert.deepEqual(await inbox(c.checkerA.api, '?kind=help'), []);
      assert.ok(events.slice(events0).some((e) => e.item === 'help' && e.id === helpId && e.status === 'Resolved'));
      refused(await c.checkerB.api.post(`${API}/help/${helpId}/resolve/`, { json: {} }), 404, 'not_found');
    });
  });

  describe('live inbox events', () => {
    it('announce locks, verdicts and help threads on the course topic, whichever API made them', async () => {
      const events0 = events.length;
      const lock = `${API}/assignments/${assignmentId}/lock/`;
      await c.checkerA2.api.post(lock);
      await c.checkerA2.api.delete(lock);
      const mine = events.slice(events0).filter((e) => e.item === 'assignment' && e.id === assignmentId);
      assert.deepEqual(
        mine.map((e) => e.locked_by),
        [c.checkerA2.id, null],
      );
      assert.ok(mine.every((e) => e.course === c.A.program.id));

      // Whatever API makes the change: Hive's lock, a help thread opened and answered through Hive.
      const hive = events.length;
      assert.equal((await c.checkerA.api.put(`/api/core/assignments/${assignmentId}/lock/`, { json: {} })).status, 200);
      assert.equal((await c.checkerA.api.put(`/api/core/assignments/${assignmentId}/unlock/`, { json: {} })).status, 200);
      const opened = await c.studentA2.api.post('/api/core/help/', { json: { user: c.studentA2.id, help_type: 'Exercise', title: 'Stuck', exercise_id: c.exA2.id } });
      assert.equal(opened.status, 201, opened.text);
      const answered = await c.studentA2.api.post(`/api/core/help/${opened.body.id}/responses/`, { json: { response_type: 'Resolve', contents: 'Found it.' } });
      assert.equal(answered.status, 201, answered.text);
      assert.deepEqual(
        events.slice(hive).map((e) => [e.item, e.id, e.status, e.locked_by]),
        [
          ['assignment', assignmentId, 'Redo', c.checkerA.id],
          ['assignment', assignmentId, 'Redo', null],
          ['help', opened.body.id, 'Open', null],
          ['help', opened.body.id, 'Resolved', null],
        ],
      );

      // A new submission to check, through Hive's API.
      const another = await newAssignment(c.studentA2, c.exA2.id);
      const beforeSubmit = events.length;
      await submit(c.studentA2, another, FIRST);
      assert.ok(
        events.slice(beforeSubmit).some((e) => e.item === 'assignment' && e.id === another && e.status === 'Submitted'),
        'a new submission reaches the inbox',
      );

      // Through Assay's own API (the web app's): in the inbox, waiting for a check.
      const form = new FormData();
      form.append('file', new Blob([Buffer.from(SECOND)]), 'add.py');
      const handed = await c.studentA2.api.post(`${API}/exercises/${c.exA.id}/submissions/`, { multipart: form });
      assert.equal(handed.status, 201, handed.text);
      const waiting = (await inbox(c.checkerA.api, `?student=${c.studentA2.id}&exercise=${c.exA.id}`)).map((i) => [i.kind, i.id, i.submission]);
      assert.deepEqual(waiting, [['assignment', handed.body.assignment, handed.body.id]]);
      // Its hint comes from the grading queue's job changes (here as the grading thread relays one).
      const beforeClaim = events.length;
      server.services.grading.jobChanged({
        id: handed.body.job.id,
        course_id: c.A.program.id,
        submission_id: handed.body.id,
        status: 'running',
        step: 'started',
        time: server.services.clock.now(),
      });
      for (let i = 0; i < 100 && !events.slice(beforeClaim).some((e) => e.id === handed.body.assignment); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(events.slice(beforeClaim).some((e) => e.item === 'assignment' && e.id === handed.body.assignment && e.status === 'Submitted'));

    });
  });
});
