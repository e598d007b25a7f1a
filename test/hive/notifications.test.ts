import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nestedNotifications } from '../../src/core/notifications/nested.ts';
import { notifyResponse } from '../../src/core/threads/notify.ts';
import { setSubscribed } from '../../src/core/threads/subscriptions.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, login, makeCourseTree, makeExercise, makeStudent } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

const NOTIFICATION_KEYS = [
  'assignment', 'comment', 'exercise', 'exercise_name', 'for_user', 'for_user_name', 'from_user', 'from_user_name', 'help', 'help_title', 'help_type', 'id',
  'module', 'program', 'response_type', 'subject', 'time', 'was_read',
].sort();
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

type Tree = Awaited<ReturnType<typeof makeCourseTree>>;
interface Wire {
  id: number;
  [key: string]: unknown;
}
const errs = (res: { body: { errors: { attr: string | null; code: string }[] } }) => res.body.errors.map((e) => [e.attr, e.code]).sort();
const ids = (res: { body: Wire[] }) => res.body.map((n) => n.id);

describe('hive /notification/', () => {
  let server: TestServer;
  let A: Tree;
  let B: Tree;
  let student: { id: number; username: string; api: Client };
  let studentB: { id: number; api: Client };
  let checkerA: Client;
  let otherChecker: Client;
  let staff: { id: number; api: Client };
  let admin: Client;
  let ex1: { id: number; name: string };
  let ex2: { id: number; name: string };
  let a1: number;
  let a2: number;
  let aB: number;
  let h1: number;
  let h2: number;
  /** The notifications the fixtures sent to the student, by what caused them. */
  const sent: Record<'done' | 'autocheck' | 'a2comment' | 'h1chat' | 'h2resolve', number> = { done: 0, autocheck: 0, a2comment: 0, h1chat: 0, h2resolve: 0 };
  const base = '/api/core/notification/';
  const at = (id: number) => `${base}${id}/`;

  const thread = async (table: 'assignments' | 'help_threads', values: Record<string, unknown>) => {
    const now = server.services.clock.now();
    const common = table === 'assignments' ? { created_at: now, updated_at: now, last_staff_updated: now } : { created_at: now, last_staff_updated: now };
    return (await server.services.db.insertInto(table).values({ ...common, ...values } as never).returning('id').executeTakeFirstOrThrow()).id;
  };
  /** The newest notification addressed to `userId`. */
  const newest = async (userId: number) =>
    (await server.services.db.selectFrom('notifications').select('id').where('for_user_id', '=', userId).orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
  /** A fresh notification for the student, sent by A's checker, about nothing. */
  const fresh = async (extra: Record<string, unknown> = {}) => {
    const res = await checkerA.post(base, { json: { user: student.id, comment: 'fresh', ...extra } });
    assert.equal(res.status, 201, res.text);
    return res.body.id as number;
  };

  before(async () => {
    server = await startTestServer();
    const { db, clock } = server.services;
    A = await makeCourseTree(server, 'Notified Program');
    B = await makeCourseTree(server, 'Other Program');
    student = await makeStudent(server, A.program.id);
    studentB = await makeStudent(server, B.program.id);
    checkerA = client(server.app, await login(server, A.checker.username));
    otherChecker = (await actorClient(server, 2)).api;
    staff = await actorClient(server, 3);
    admin = (await actorClient(server, 5)).api;
    ex1 = await makeExercise(server, A.module.id, { name: 'Loops 1' });
    ex2 = await makeExercise(server, A.module.id, { name: 'Loops 2' });
    const exB = await makeExercise(server, B.module.id, { name: 'Elsewhere' });
    a1 = await thread('assignments', { exercise_id: ex1.id, user_id: student.id });
    a2 = await thread('assignments', { exercise_id: ex2.id, user_id: student.id });
    aB = await thread('assignments', { exercise_id: exB.id, user_id: studentB.id });
    h1 = await thread('help_threads', { user_id: student.id, created_by: student.id, title: 'Stuck on loops', help_type: 'Exercise', exercise_id: ex2.id });
    h2 = await thread('help_threads', { user_id: student.id, created_by: student.id, title: 'Headache', help_type: 'Medical' });

    await setSubscribed(db, A.checker.id, { kind: 'assignment', id: a1 }, true);
    await setSubscribed(db, A.checker.id, { kind: 'help', id: h1 }, true);
    const notice = (kind: 'assignment' | 'help', id: number, authorId: number | null, responseType: string, comment: string) =>
      notifyResponse(db, { thread: { kind, id }, authorId, responseType, comment, staffOnly: false, now: clock.now() });

    // The checker's own response reaches the student only.
    assert.equal(await notice('assignment', a1, A.checker.id, 'Done', 'Well done'), 1);
    sent.done = await newest(student.id);
    // A system response (no author) reaches the student and the subscribed checker.
    assert.equal(await notice('assignment', a1, null, 'AutoCheck', ''), 2);
    sent.autocheck = await newest(student.id);
    assert.equal(await notice('assignment', a2, staff.id, 'Comment', 'See line 3'), 1);
    sent.a2comment = await newest(student.id);
    // The student's own message reaches only the subscribed checker.
    assert.equal(await notice('help', h1, student.id, 'Comment', 'Please help'), 1);
    assert.equal(await notice('help', h1, A.checker.id, 'Comment', 'Coming'), 1);
    sent.h1chat = await newest(student.id);
    assert.equal(await notice('help', h2, A.checker.id, 'Resolve', 'Feel better'), 1);
    sent.h2resolve = await newest(student.id);
  });
  after(() => server.close());

  it('renders every key of the Notification schema, from the assignment or the help thread', async () => {
    const list = await student.api.get(base);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(ids(list), [sent.done, sent.autocheck, sent.a2comment, sent.h1chat, sent.h2resolve]);
    for (const n of list.body) {
      assert.deepEqual(Object.keys(n).sort(), NOTIFICATION_KEYS);
      assert.match(n.time, TIME);
    }
    const byId = new Map<number, Wire>(list.body.map((n: Wire) => [n.id, n]));
    const exercise = (e: { id: number; name: string }) => ({ exercise: e.id, exercise_name: e.name, module: A.module.id, subject: A.subject.id, program: A.program.id });
    const noExercise = { exercise: null, exercise_name: null, module: null, subject: null, program: null };
    const common = { was_read: false, for_user: student.id, for_user_name: 'Stu Dent' };
    const { time: _t1, ...done } = byId.get(sent.done)!;
    assert.deepEqual(done, {
      id: sent.done,
      help: null,
      assignment: a1,
      response_type: 'Done',
      ...exercise(ex1),
      help_type: null,
      help_title: null,
      comment: 'Well done',
      from_user: A.checker.id,
      from_user_name: `First ${A.checker.username}`,
      ...common,
    });
    const { time: _t2, ...auto } = byId.get(sent.autocheck)!;
    assert.deepEqual(auto, {
      id: sent.autocheck,
      help: null,
      assignment: a1,
      response_type: 'AutoCheck',
      ...exercise(ex1),
      help_type: null,
      help_title: null,
      comment: '',
      from_user: null,
      from_user_name: '',
      ...common,
    });
    const { time: _t3, ...chat } = byId.get(sent.h1chat)!;
    assert.deepEqual(chat, {
      id: sent.h1chat,
      help: h1,
      assignment: null,
      response_type: 'Comment',
      ...exercise(ex2),
      help_type: 'Exercise',
      help_title: 'Stuck on loops',
      comment: 'Coming',
      from_user: A.checker.id,
      from_user_name: `First ${A.checker.username}`,
      ...common,
    });
    const { time: _t4, ...resolve } = byId.get(sent.h2resolve)!;
    assert.deepEqual(resolve, {
      id: sent.h2resolve,
      help: h2,
      assignment: null,
      response_type: 'Resolve',
      ...noExercise,
      help_type: 'Medical',
      help_title: 'Headache',
      comment: 'Feel better',
      from_user: A.checker.id,
      from_user_name: `First ${A.checker.username}`,
      ...common,
    });
    const one = await student.api.get(at(sent.done));
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, byId.get(sent.done));
  });

  it('shows each caller only the notifications addressed to them, whatever the clearance', async () => {
    const mine = await checkerA.get(base);
    assert.equal(mine.status, 200);
    assert.equal(mine.body.length, 2);
    assert.ok(mine.body.every((n: Wire) => n.for_user === A.checker.id));
    assert.deepEqual(mine.body.map((n: Wire) => n.help ?? n.assignment), [a1, h1]);

    assert.deepEqual((await admin.get(base)).body, []);
    for (const other of [admin, staff.api, checkerA, studentB.api]) {
      assert.equal((await other.get(at(sent.done))).status, 404);
    }
    assert.equal((await student.api.get(at(999_999))).status, 404);
    assert.equal((await student.api.get(`${base}abc/`)).status, 404);
    assert.equal((await client(server.app).get(base)).status, 401);
  });

  describe('filters', () => {
    const q = async (query: string) => {
      const res = await student.api.get(`${base}?${query}`);
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      return ids(res);
    };

    it('assignment, assignment__exercise and assignment__exercise__in (help threads on the same exercise excluded)', async () => {
      assert.deepEqual(await q(`assignment=${a1}`), [sent.done, sent.autocheck]);
      assert.deepEqual(await q(`assignment=${a2}`), [sent.a2comment]);
      assert.deepEqual(await q(`assignment__exercise=${ex1.id}`), [sent.done, sent.autocheck]);
      // h1 is about ex2 too, but it is not an assignment.
      assert.deepEqual(await q(`assignment__exercise=${ex2.id}`), [sent.a2comment]);
      assert.deepEqual(await q(`assignment__exercise__in=${ex1.id},${ex2.id}`), [sent.done, sent.autocheck, sent.a2comment]);
      assert.deepEqual(await q(`assignment__exercise__in=${ex2.id}&assignment__exercise__in=99999`), [sent.a2comment]);
      assert.deepEqual(await q('assignment=99999999999'), []);
    });

    it('help and help__in', async () => {
      assert.deepEqual(await q(`help=${h1}`), [sent.h1chat]);
      assert.deepEqual(await q(`help__in=${h1},${h2}`), [sent.h1chat, sent.h2resolve]);
      assert.deepEqual(await q(`help__in=${h2}`), [sent.h2resolve]);
    });

    it('from_user__isnull', async () => {
      assert.deepEqual(await q('from_user__isnull=true'), [sent.autocheck]);
      const people = await q('from_user__isnull=False');
      assert.ok(!people.includes(sent.autocheck));
      assert.ok(people.includes(sent.done) && people.includes(sent.h2resolve));
    });

    it('was_read, combined with another filter', async () => {
      const id = await fresh({ assignment: a2 });
      assert.ok((await q('was_read=false')).includes(id));
      assert.ok(!(await q('was_read=true')).includes(id));
      assert.equal((await student.api.patch(at(id), { json: { was_read: true } })).status, 200);
      assert.deepEqual(await q(`was_read=1&assignment=${a2}`), [id]);
      assert.deepEqual(await q(`was_read=0&assignment=${a2}`), [sent.a2comment]);
    });

    it('rejects malformed filter values with 400 naming the parameter', async () => {
      for (const [query, attr] of [
        ['was_read=maybe', 'was_read'],
        ['from_user__isnull=yes-ish', 'from_user__isnull'],
        ['help=abc', 'help'],
        ['assignment__exercise__in=1,x', 'assignment__exercise__in'],
      ] as const) {
        const res = await student.api.get(`${base}?${query}`);
        assert.equal(res.status, 400, query);
        assert.equal(res.body.type, 'validation_error');
        assert.deepEqual(errs(res), [[attr, 'invalid']]);
      }
    });
  });

  describe('updates and deletes', () => {
    it('lets the recipient mark a notification read and unread (PATCH, PUT, form body)', async () => {
      const id = await fresh();
      const read = await student.api.patch(at(id), { json: { was_read: true } });
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body.was_read, true);
      assert.deepEqual(Object.keys(read.body).sort(), NOTIFICATION_KEYS);
      assert.equal((await student.api.get(at(id))).body.was_read, true);

      const unread = await student.api.patch(at(id), { form: { was_read: 'off' } });
      assert.equal(unread.status, 200, unread.text);
      assert.equal(unread.body.was_read, false);

      // PUT needs the recipient key, as the schema says, but never moves the notification.
      const put = await student.api.put(at(id), { json: { user: staff.id, was_read: true, comment: 'noted', help: h1, assignment: a1 } });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.was_read, true);
      assert.equal(put.body.comment, 'noted');
      assert.equal(put.body.for_user, student.id);
      assert.equal(put.body.help, null);
      assert.equal(put.body.assignment, null);
      assert.equal(put.body.from_user, A.checker.id);
    });

    it('answers 404 to anyone but the recipient, before reading the body', async () => {
      const id = await fresh();
      for (const other of [checkerA, admin, staff.api, studentB.api]) {
        assert.equal((await other.patch(at(id), { json: { was_read: true } })).status, 404);
        assert.equal((await other.patch(at(id), { raw: '{bad json', headers: { 'content-type': 'application/json' } })).status, 404);
        assert.equal((await other.put(at(id), { json: { user: student.id, was_read: true } })).status, 404);
        assert.equal((await other.delete(at(id))).status, 404);
      }
      assert.equal((await student.api.get(at(id))).body.was_read, false);
    });

    it('rejects bad update bodies with 400', async () => {
      const id = await fresh();
      const maybe = await student.api.patch(at(id), { json: { was_read: 'maybe' } });
      assert.equal(maybe.status, 400);
      assert.deepEqual(errs(maybe), [['was_read', 'invalid']]);
      const noUser = await student.api.put(at(id), { json: { was_read: true } });
      assert.equal(noUser.status, 400);
      assert.deepEqual(errs(noUser), [['user', 'required']]);
      const parse = await student.api.patch(at(id), { raw: '{bad json', headers: { 'content-type': 'application/json' } });
      assert.equal(parse.status, 400);
      assert.equal(parse.body.errors[0].code, 'parse_error');
      assert.equal((await student.api.get(at(id))).body.was_read, false);
    });

    it('lets the recipient delete it (204, then gone)', async () => {
      const id = await fresh();
      const del = await student.api.delete(at(id));
      assert.equal(del.status, 204);
      assert.equal(del.text, '');
      assert.equal((await student.api.get(at(id))).status, 404);
      assert.equal((await student.api.delete(at(id))).status, 404);
    });
  });

  describe('creation', () => {
    it('lets a checker send one about a visible assignment; the recipient sees it, the sender does not', async () => {
      const res = await checkerA.post(base, { json: { user: student.id, assignment: a1, comment: 'Look at this', id: 5, from_user: 1, response_type: 'Done' } });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), NOTIFICATION_KEYS);
      const { time, id, ...rest } = res.body;
      assert.match(time, TIME);
      assert.notEqual(id, 5);
      assert.deepEqual(rest, {
        help: null,
        assignment: a1,
        response_type: null,
        exercise: ex1.id,
        exercise_name: ex1.name,
        module: A.module.id,
        subject: A.subject.id,
        program: A.program.id,
        help_type: null,
        help_title: null,
        comment: 'Look at this',
        from_user: A.checker.id,
        from_user_name: `First ${A.checker.username}`,
        was_read: false,
        for_user: student.id,
        for_user_name: 'Stu Dent',
      });
      assert.deepEqual((await student.api.get(at(id))).body, res.body);
      assert.equal((await checkerA.get(at(id))).status, 404);
    });

    it('accepts a help thread, was_read, and form bodies', async () => {
      const res = await staff.api.post(base, { form: { user: String(student.id), help: String(h2), assignment: '', was_read: 'true' } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.help, h2);
      assert.equal(res.body.assignment, null);
      assert.equal(res.body.help_type, 'Medical');
      assert.equal(res.body.was_read, true);
      assert.equal(res.body.comment, '');
      assert.equal(res.body.from_user, staff.id);
      // A notification to oneself is allowed, and then visible.
      const self = await checkerA.post(base, { json: { user: A.checker.id, help: null } });
      assert.equal(self.status, 201, self.text);
      assert.equal((await checkerA.get(at(self.body.id))).status, 200);
    });

    it('forbids students (403, before the body is looked at)', async () => {
      const res = await student.api.post(base, { json: { user: studentB.id, comment: 'hi' } });
      assert.equal(res.status, 403);
      assert.deepEqual(errs(res), [[null, 'permission_denied']]);
      assert.equal((await student.api.post(base, { raw: '{bad', headers: { 'content-type': 'application/json' } })).status, 403);
    });

    it('rejects bad bodies with 400 and sends nothing', async () => {
      const before = await server.services.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const cases: [Record<string, unknown>, [string | null, string][]][] = [
        [{ comment: 'no recipient' }, [['user', 'required']]],
        [{ user: 999_999 }, [['user', 'does_not_exist']]],
        [{ user: 99_999_999_999 }, [['user', 'does_not_exist']]],
        [{ user: 'abc' }, [['user', 'invalid']]],
        [{ user: student.id, was_read: 'maybe' }, [['was_read', 'invalid']]],
        [{ user: student.id, assignment: 999_999 }, [['assignment', 'does_not_exist']]],
        [{ user: student.id, help: 999_999, assignment: -1 }, [['assignment', 'does_not_exist'], ['help', 'does_not_exist']]],
        [{ user: student.id, help: h1, assignment: a1 }, [['non_field_errors', 'invalid']]],
        // Threads the checker cannot see are as unknown as missing ones.
        [{ user: studentB.id, assignment: aB }, [['assignment', 'does_not_exist']]],
      ];
      for (const [body, expected] of cases) {
        const res = await checkerA.post(base, { json: body });
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.equal(res.body.type, 'validation_error');
        assert.deepEqual(errs(res), expected, JSON.stringify(body));
      }
      const unknown = await checkerA.post(base, { json: { user: 999_999 } });
      assert.equal(unknown.body.errors[0].detail, 'Invalid pk "999999" - object does not exist.');
      const invisible = await otherChecker.post(base, { json: { user: student.id, help: h1 } });
      assert.equal(invisible.status, 400);
      assert.deepEqual(errs(invisible), [['help', 'does_not_exist']]);
      const after = await server.services.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n));
    });
  });

  it('nestedNotifications: the user\'s unread notifications per thread, for the nested form', async () => {
    const { db } = server.services;
    const extra = await fresh({ assignment: a2 });
    const unread = await nestedNotifications(db, 'assignment', [a1, a2, 999_999], student.id);
    assert.deepEqual([...unread.keys()], [a1, a2, 999_999]);
    const viaApi = ids(await student.api.get(`${base}?assignment=${a1}&was_read=false`));
    assert.deepEqual(unread.get(a1)!.map((n) => n.id), viaApi);
    assert.deepEqual(unread.get(a1)!.slice(0, 2), [
      { id: sent.done, from_user: A.checker.id, comment: 'Well done' },
      { id: sent.autocheck, from_user: null, comment: '' },
    ]);
    assert.deepEqual(unread.get(999_999), []);
    assert.ok(unread.get(a2)!.some((n) => n.id === extra));

    assert.equal((await student.api.patch(at(extra), { json: { was_read: true } })).status, 200);
    const after = await nestedNotifications(db, 'assignment', [a2], student.id);
    assert.ok(!after.get(a2)!.some((n) => n.id === extra));
    const all = await nestedNotifications(db, 'assignment', [a2], student.id, { unreadOnly: false });
    assert.ok(all.get(a2)!.some((n) => n.id === extra));

    const help = await nestedNotifications(db, 'help', [h1, h2], A.checker.id);
    assert.deepEqual(help.get(h1)!.map((n) => n.comment), ['Please help']);
    assert.deepEqual(help.get(h2), []);
    assert.deepEqual(await nestedNotifications(db, 'help', [], student.id), new Map());
  });
});
