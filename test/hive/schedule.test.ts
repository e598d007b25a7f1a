import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, adminActor, login, makeCourseTree, makeStudent } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

const WORK = 'עע';
const LECTURE = 'הרצאה';
const PATBAS = 'פתבס';

/** One VEVENT; `extra` lines go in as they are. */
const vevent = (uid: string, start: string, end: string, summary: string, extra: string[] = []) =>
  ['BEGIN:VEVENT', `UID:${uid}`, `DTSTAMP:20260101T000000Z`, `DTSTART:${start}`, `DTEND:${end}`, `SUMMARY:${summary}`, ...extra, 'END:VEVENT'].join('\r\n');
const calendar = (...events: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//assay test//EN', ...events, 'END:VCALENDAR', ''].join('\r\n');

describe('hive /schedule/', () => {
  let server: TestServer;
  let clock: ManualClock;
  let staff: Client;
  let checker: Client;
  let studentApi: Client;
  let world: Awaited<ReturnType<typeof makeCourseTree>>;
  let studentId: number;
  let otherStudentId: number;
  let staffName: string;
  let studentName: string;
  /** Moving the clock ages the tokens: new ones for everyone. */
  const relogin = async () => {
    staff = client(server.app, await login(server, staffName));
    checker = client(server.app, await login(server, world.checker.username));
    studentApi = client(server.app, await login(server, studentName));
  };

  const queue = async (name = `q${Math.random()}`) =>
    (await server.services.db.insertInto('queues').values({ name, module_id: world.module.id, created_at: clock.now() }).returning('id').executeTakeFirstOrThrow()).id;
  const klass = async (name: string, members: number[], type = 'Room', email = '') => {
    const row = await server.services.db
      .insertInto('classes')
      .values({ course_id: world.program.id, name, type, email, created_at: clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (members.length > 0) await server.services.db.insertInto('class_members').values(members.map((user_id) => ({ class_id: row.id, user_id }))).execute();
    return row.id;
  };
  const lesson = async (name = `L${Math.random()}`) => (await staff.post('/api/core/schedule/lessons/', { json: { name, module: world.module.id } })).body.id as number;
  const overrideOf = async (userId: number) =>
    (await server.services.db.selectFrom('users').select('override_queue_id').where('id', '=', userId).executeTakeFirstOrThrow()).override_queue_id;

  before(async () => {
    clock = new ManualClock('2026-03-01T08:00:00.000000Z');
    server = await startTestServer({ clock });
    world = await makeCourseTree(server);
    staffName = (await actorClient(server, 3)).username;
    const s = await makeStudent(server, world.program.id);
    studentId = s.id;
    studentName = s.username;
    await relogin();
    otherStudentId = (await makeStudent(server, world.program.id)).id;
  });
  after(() => server.close());

  describe('lessons', () => {
    it('creates, reads, filters, updates and deletes a lesson', async () => {
      const created = await staff.post('/api/core/schedule/lessons/', { json: { name: 'Loops day', module: world.module.id, description: 'for loops' } });
      assert.equal(created.status, 201);
      const id = created.body.id;
      assert.deepEqual(created.body, {
        id,
        name: 'Loops day',
        module: world.module.id,
        module_order: '1',
        module_name: 'Loops',
        subject_symbol: 'S1',
        subject_name: 'Basics',
        program_name: world.program.name,
        description: 'for loops',
      });
      assert.deepEqual((await checker.get(`/api/core/schedule/lessons/${id}/`)).body, created.body);
      const byModule = await staff.get(`/api/core/schedule/lessons/?module__id=${world.module.id}`);
      assert.ok(byModule.body.some((l: { id: number }) => l.id === id));
      assert.deepEqual((await staff.get('/api/core/schedule/lessons/?module__id=999999')).body, []);
      const byProgram = await staff.get(`/api/core/schedule/lessons/?module__parent_subject__parent_program_id__in=${world.program.id},999`);
      assert.ok(byProgram.body.some((l: { id: number }) => l.id === id));
      const put = await staff.put(`/api/core/schedule/lessons/${id}/`, { form: { name: 'Loops again', module: String(world.module.id) } });
      assert.equal(put.status, 200);
      assert.equal(put.body.name, 'Loops again');
      const patch = await staff.patch(`/api/core/schedule/lessons/${id}/`, { json: { description: null } });
      assert.equal(patch.body.description, null);
      assert.equal((await staff.delete(`/api/core/schedule/lessons/${id}/`)).status, 204);
      assert.equal((await staff.get(`/api/core/schedule/lessons/${id}/`)).status, 404);
    });

    it('refuses bad input in the envelope', async () => {
      const missing = await staff.post('/api/core/schedule/lessons/', { json: {} });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body.errors.map((e: { attr: string }) => e.attr).sort(), ['module', 'name']);
      const unknown = await staff.post('/api/core/schedule/lessons/', { json: { name: 'x', module: 999999 } });
      assert.equal(unknown.status, 400);
      assert.deepEqual([unknown.body.errors[0].attr, unknown.body.errors[0].code], ['module', 'does_not_exist']);
      const long = await staff.post('/api/core/schedule/lessons/', { json: { name: 'x'.repeat(101), module: world.module.id } });
      assert.equal(long.body.errors[0].code, 'max_length');
    });

    it('lets checkers read, staff write, and students neither', async () => {
      const id = await lesson();
      assert.equal((await studentApi.get('/api/core/schedule/lessons/')).status, 403);
      assert.equal((await studentApi.get(`/api/core/schedule/lessons/${id}/`)).status, 403);
      assert.equal((await checker.get('/api/core/schedule/lessons/')).status, 200);
      assert.equal((await checker.patch(`/api/core/schedule/lessons/${id}/`, { json: { name: 'n' } })).status, 403);
      assert.equal((await checker.post('/api/core/schedule/lessons/', { json: { name: 'n', module: world.module.id } })).status, 403);
      const outsider = (await actorClient(server, 2)).api;
      assert.equal((await outsider.get(`/api/core/schedule/lessons/${id}/`)).status, 404);
    });
  });

  describe('lesson rules', () => {
    it('creates a rule from an empty body, then reads, updates and deletes it', async () => {
      const l = await lesson();
      const base = `/api/core/schedule/lessons/${l}/rules/`;
      const empty = await staff.post(base, {});
      assert.equal(empty.status, 201);
      assert.deepEqual(empty.body, { id: empty.body.id, parent_rule: null, student_groups: [], queue: null, queue_data: null, student_groups_data: [] });
      const q = await queue('Rule queue');
      const group = await klass(`G${Math.random()}`, [studentId], 'Student Group', 'g@example.org');
      const full = await staff.post(base, { json: { parent_rule: empty.body.id, student_groups: [group], queue: q } });
      assert.equal(full.status, 201);
      assert.equal(full.body.queue_data.id, q);
      assert.equal(full.body.queue_data.name, 'Rule queue');
      assert.equal(full.body.queue_data.module, world.module.id);
      assert.equal(full.body.queue_data.program_id, world.program.id);
      assert.equal(full.body.student_groups_data[0].id, group);
      assert.equal(full.body.student_groups_data[0].type, 'Student Group');
      assert.deepEqual(full.body.student_groups_data[0].users, [studentId]);
      assert.deepEqual((await checker.get(`${base}${full.body.id}/`)).body, full.body);
      assert.equal((await staff.get(base)).body.length, 2);
      const patched = await staff.patch(`${base}${full.body.id}/`, { json: { student_groups: [], queue: null } });
      assert.equal(patched.status, 200);
      assert.deepEqual([patched.body.student_groups, patched.body.queue, patched.body.parent_rule], [[], null, empty.body.id]);
      const put = await staff.put(`${base}${full.body.id}/`, { json: { parent_rule: null, student_groups: [group], queue: q } });
      assert.deepEqual([put.body.student_groups, put.body.queue, put.body.parent_rule], [[group], q, null]);
      assert.equal((await staff.delete(`${base}${full.body.id}/`)).status, 204);
      assert.equal((await staff.get(`${base}${full.body.id}/`)).status, 404);
    });

    it('refuses a deleted queue, unknown groups, a foreign parent and cycles with 400', async () => {
      const l = await lesson();
      const base = `/api/core/schedule/lessons/${l}/rules/`;
      const q = await queue();
      await server.services.db.deleteFrom('queues').where('id', '=', q).execute();
      const deleted = await staff.post(base, { json: { queue: q } });
      assert.equal(deleted.status, 400);
      assert.equal(deleted.body.type, 'validation_error');
      assert.deepEqual([deleted.body.errors[0].attr, deleted.body.errors[0].code], ['queue', 'does_not_exist']);
      const groups = await staff.post(base, { json: { student_groups: [999999] } });
      assert.deepEqual([groups.body.errors[0].attr, groups.body.errors[0].code], ['student_groups', 'does_not_exist']);
      const otherRule = (await staff.post(`/api/core/schedule/lessons/${await lesson()}/rules/`, {})).body.id;
      const foreign = await staff.post(base, { json: { parent_rule: otherRule } });
      assert.deepEqual([foreign.status, foreign.body.errors[0].attr], [400, 'parent_rule']);
      const a = (await staff.post(base, {})).body.id;
      const b = (await staff.post(base, { json: { parent_rule: a } })).body.id;
      const cycle = await staff.patch(`${base}${a}/`, { json: { parent_rule: b } });
      assert.deepEqual([cycle.status, cycle.body.errors[0].code], [400, 'invalid']);
      const self = await staff.patch(`${base}${a}/`, { json: { parent_rule: a } });
      assert.equal(self.status, 400);
      // A queue deleted after the rule was written leaves the rule without a queue.
      const later = await queue();
      const kept = (await staff.post(base, { json: { queue: later } })).body.id;
      await server.services.db.deleteFrom('queues').where('id', '=', later).execute();
      const orphan = await staff.get(`${base}${kept}/`);
      assert.deepEqual([orphan.body.queue, orphan.body.queue_data], [null, null]);
      const wrongType = await staff.post(base, { json: { queue: 'x' } });
      assert.deepEqual([wrongType.status, wrongType.body.errors[0].code], [400, 'invalid']);
    });

    it('answers 404 for a rule under another lesson or an unknown lesson, 403 to non-staff writers', async () => {
      const l1 = await lesson();
      const l2 = await lesson();
      const r = (await staff.post(`/api/core/schedule/lessons/${l1}/rules/`, {})).body.id;
      assert.equal((await staff.get(`/api/core/schedule/lessons/${l2}/rules/${r}/`)).status, 404);
      assert.equal((await staff.get('/api/core/schedule/lessons/999999/rules/')).status, 404);
      assert.equal((await checker.post(`/api/core/schedule/lessons/${l1}/rules/`, {})).status, 403);
      assert.equal((await checker.delete(`/api/core/schedule/lessons/${l1}/rules/${r}/`)).status, 403);
      assert.equal((await studentApi.get(`/api/core/schedule/lessons/${l1}/rules/`)).status, 403);
    });
  });

  describe('applyLesson', () => {
    it('gives each student the queue of the most specific rule: a group rule beats the class rule', async () => {
      const l = await lesson();
      const base = `/api/core/schedule/lessons/${l}/rules/`;
      const everyone = await queue('everyone');
      const special = await queue('special');
      const group = await klass(`Grp${Math.random()}`, [otherStudentId], 'Student Group');
      const room = await klass(`Room${Math.random()}`, [studentId, otherStudentId, world.checker.id]);
      // Group rule first, so the winner is not just "the newest".
      await staff.post(base, { json: { student_groups: [group], queue: special } });
      await staff.post(base, { json: { queue: everyone } });
      const changed = await server.services.schedule.applyLesson(null, room, l);
      assert.equal(changed, 2);
      assert.equal(await overrideOf(studentId), everyone);
      assert.equal(await overrideOf(otherStudentId), special);
      assert.equal(await overrideOf(world.checker.id), null);
      // Applying again changes nothing; a null lesson clears the overrides.
      assert.equal(await server.services.schedule.applyLesson(null, room, l), 0);
      assert.equal(await server.services.schedule.applyLesson(null, room, null), 2);
      assert.equal(await overrideOf(studentId), null);
    });

    it('prefers a child rule over its parent, ignores a child whose parent does not reach the student', async () => {
      const l = await lesson();
      const base = `/api/core/schedule/lessons/${l}/rules/`;
      const [q1, q2, q3] = [await queue(), await queue(), await queue()];
      const g1 = await klass(`A${Math.random()}`, [studentId], 'Student Group');
      const g2 = await klass(`B${Math.random()}`, [studentId, otherStudentId], 'Student Group');
      const room = await klass(`R${Math.random()}`, [studentId, otherStudentId]);
      const parent = (await staff.post(base, { json: { student_groups: [g1], queue: q1 } })).body.id;
      await staff.post(base, { json: { parent_rule: parent, student_groups: [g2], queue: q2 } });
      await staff.post(base, { json: { queue: q3 } });
      await server.services.schedule.applyLesson(null, room, l);
      assert.equal(await overrideOf(studentId), q2);
      assert.equal(await overrideOf(otherStudentId), q3);
    });

    it('refuses non-staff actors, unknown classes (404) and unknown lessons (400)', async () => {
      const room = await klass(`X${Math.random()}`, []);
      await assert.rejects(server.services.schedule.applyLesson({ id: studentId, username: 's', clearance: 1 }, room, null), { kind: 'forbidden' });
      await assert.rejects(server.services.schedule.applyLesson(null, 999999, null), { kind: 'not_found' });
      await assert.rejects(server.services.schedule.applyLesson(null, room, 999999), { kind: 'invalid' });
    });
  });

  describe('colors', () => {
    it('creates, reads, updates and deletes a color; everyone reads, staff write', async () => {
      const created = await staff.post('/api/core/schedule/colors/', { json: { name: 'Lecture', color: '#ff0000' } });
      assert.equal(created.status, 201);
      const id = created.body.id;
      assert.deepEqual(created.body, { id, name: 'Lecture', color: '#ff0000' });
      assert.deepEqual((await studentApi.get(`/api/core/schedule/colors/${id}/`)).body, created.body);
      assert.ok((await studentApi.get('/api/core/schedule/colors/')).body.some((c: { id: number }) => c.id === id));
      assert.equal((await staff.put(`/api/core/schedule/colors/${id}/`, { json: { name: 'Lab', color: '#00ff00' } })).body.name, 'Lab');
      assert.equal((await staff.patch(`/api/core/schedule/colors/${id}/`, { json: { color: '#000' } })).body.color, '#000');
      assert.equal((await studentApi.patch(`/api/core/schedule/colors/${id}/`, { json: { color: '#111' } })).status, 403);
      assert.equal((await checker.post('/api/core/schedule/colors/', { json: { name: 'n', color: '' } })).status, 403);
      const bad = await staff.post('/api/core/schedule/colors/', { json: { name: 'x'.repeat(21), color: '#12345678' } });
      assert.deepEqual(bad.body.errors.map((e: { attr: string; code: string }) => [e.attr, e.code]).sort(), [['color', 'max_length'], ['name', 'max_length']]);
      assert.equal((await staff.delete(`/api/core/schedule/colors/${id}/`)).status, 204);
      assert.equal((await staff.get(`/api/core/schedule/colors/${id}/`)).status, 404);
    });
  });

  describe('events, kiosk and the scheduler', () => {
    let lessonId: number;
    let roomId: number;
    let lessonQueue: number;
    let colorId: number;

    before(async () => {
      lessonId = (await staff.post('/api/core/schedule/lessons/', { json: { name: 'Recursion lesson', module: world.module.id } })).body.id;
      lessonQueue = await queue('recursion');
      await staff.post(`/api/core/schedule/lessons/${lessonId}/rules/`, { json: { queue: lessonQueue } });
      roomId = await klass('Room 7', [studentId], 'Room', 'room7@school.example');
      colorId = (await staff.post('/api/core/schedule/colors/', { json: { name: 'blue', color: '#0000ff' } })).body.id;
      void colorId;
      await server.services.schedule.importCalendarText(
        calendar(
          vevent('lecture-1', '20260301T090000Z', '20260301T103000Z', 'Intro', [`X-ASSAY-LESSON:${lessonId}`, 'ATTENDEE;CN=Room 7:mailto:ROOM7@school.example', `CATEGORIES:${LECTURE}`, 'LOCATION:Hall', 'COLOR:blue']),
          vevent('work-1', '20260301T110000Z', '20260301T120000Z', 'Secret work', [`X-ASSAY-TYPE:${WORK}`]),
          vevent('other-class', '20260302T090000Z', '20260302T100000Z', 'Not yours', [`CATEGORIES:${PATBAS}`, 'ATTENDEE;CN=Nobody:mailto:nobody@example.org', 'ATTENDEE;CN=Other room:mailto:x@y']),
        ),
      );
      await klass('Other room', []);
      // Re-import: the new class now resolves and no event is duplicated.
      await server.services.schedule.importCalendarText(
        calendar(vevent('other-class', '20260302T090000Z', '20260302T100000Z', 'Not yours', [`CATEGORIES:${PATBAS}`, 'ATTENDEE;CN=Other room:mailto:x@y'])),
      );
    });

    it('lists events with every field, Hebrew types byte-exact, and filters', async () => {
      const all = await staff.get('/api/core/schedule/events/');
      assert.equal(all.status, 200);
      assert.equal(all.body.length, 3);
      const [intro, work, other] = all.body;
      assert.deepEqual(intro, {
        id: intro.id,
        start: '2026-03-01T09:00:00.000000Z',
        end: '2026-03-01T10:30:00.000000Z',
        title: 'Intro',
        attendees: [{ id: roomId, name: 'Room 7' }],
        subject_id: world.subject.id,
        subject_name: 'Basics',
        color: '#0000ff',
        type: LECTURE,
        location: 'Hall',
        module_id: world.module.id,
        lesson_name: 'Recursion lesson',
      });
      assert.equal(Buffer.from(work.type).toString('hex'), Buffer.from('עע', 'utf8').toString('hex'));
      assert.equal(work.attendees.length, 0);
      assert.equal(other.type, PATBAS);
      assert.equal(other.attendees[0].name, 'Other room');
      assert.deepEqual((await staff.get(`/api/core/schedule/events/${intro.id}/`)).body, intro);
      const filtered = await staff.get('/api/core/schedule/events/?start__gte=2026-03-01T10:00:00Z&end__lte=2026-03-01T23:00:00Z');
      assert.deepEqual(filtered.body.map((e: { id: number }) => e.id), [work.id]);
      assert.deepEqual((await staff.get(`/api/core/schedule/events/?lesson__id=${lessonId}`)).body.map((e: { id: number }) => e.id), [intro.id]);
      const bad = await staff.get('/api/core/schedule/events/?start__gte=yesterday');
      assert.equal(bad.status, 400);
    });

    it('staff create, change and delete events and kiosk events; others may not', async () => {
      const body = { start: '2026-04-10T09:00:00Z', end: '2026-04-10T10:00:00+01:00', type: WORK, location: 'Lab' };
      for (const who of [checker, studentApi]) {
        assert.equal((await who.post('/api/core/schedule/events/', { json: body })).status, 403);
        assert.equal((await who.post('/api/core/schedule/kiosk/', { json: body })).status, 403);
      }
      const made = await staff.post('/api/core/schedule/events/', { json: body });
      assert.equal(made.status, 201, made.text);
      assert.deepEqual(made.body, {
        id: made.body.id,
        start: '2026-04-10T09:00:00.000000Z',
        end: '2026-04-10T09:00:00.000000Z',
        title: null,
        attendees: null,
        subject_id: null,
        subject_name: null,
        color: null,
        type: WORK,
        location: 'Lab',
        module_id: null,
        lesson_name: null,
      });
      const url = `/api/core/schedule/events/${made.body.id}/`;
      assert.deepEqual((await staff.get(url)).body, made.body);
      const moved = await staff.patch(url, { json: { end: '2026-04-10T11:30:00Z' } });
      assert.equal(moved.status, 200, moved.text);
      assert.equal(moved.body.end, '2026-04-10T11:30:00.000000Z');
      assert.equal(moved.body.location, 'Lab');
      const replaced = await staff.put(url, { json: { start: '2026-04-10T08:00:00Z', end: '2026-04-10T09:00:00Z', type: LECTURE } });
      assert.equal(replaced.status, 200, replaced.text);
      assert.deepEqual([replaced.body.type, replaced.body.start, replaced.body.location], [LECTURE, '2026-04-10T08:00:00.000000Z', 'Lab']);
      assert.equal((await checker.patch(url, { json: { location: 'x' } })).status, 403);
      // Bad input is 400 on the field; nothing changes.
      const errorsOf = async (res: Promise<{ status: number; body: { errors: { attr: string }[] } }>) => {
        const r = await res;
        assert.equal(r.status, 400);
        return r.body.errors.map((e) => e.attr).sort();
      };
      assert.deepEqual(await errorsOf(staff.patch(url, { json: { end: '2026-04-09T00:00:00Z' } })), ['end']);
      assert.deepEqual(await errorsOf(staff.patch(url, { json: { type: 'Lecture' } })), ['type']);
      assert.deepEqual(await errorsOf(staff.post('/api/core/schedule/events/', { json: { type: WORK } })), ['end', 'start']);
      assert.deepEqual(await errorsOf(staff.post('/api/core/schedule/events/', { json: { ...body, location: 'x'.repeat(101) } })), ['location']);
      assert.equal((await staff.get(url)).body.start, '2026-04-10T08:00:00.000000Z');

      // The kiosk writes the same events in its own shape.
      const kiosk = await staff.post('/api/core/schedule/kiosk/', { json: { ...body, location: null } });
      assert.equal(kiosk.status, 201, kiosk.text);
      assert.deepEqual(Object.keys(kiosk.body).sort(), ['attendees', 'color', 'end', 'id', 'location', 'start', 'subject_id', 'subject_name', 'title', 'type']);
      const kioskUrl = `/api/core/schedule/kiosk/${kiosk.body.id}/`;
      assert.equal((await staff.patch(kioskUrl, { json: { location: 'Hall B' } })).body.location, 'Hall B');
      assert.equal((await staff.put(kioskUrl, { json: { ...body, type: PATBAS } })).body.type, PATBAS);
      assert.equal((await checker.delete(kioskUrl)).status, 403);
      assert.equal((await staff.delete(kioskUrl)).status, 204);
      assert.equal((await staff.get(kioskUrl)).status, 404);
      assert.equal((await staff.delete(url)).status, 204);
      assert.equal((await staff.get(url)).status, 404);
      assert.equal((await staff.delete(url)).status, 404);
    });

    it('an imported event edited through the API keeps its UID: the next import still updates it', async () => {
      const [intro] = (await staff.get('/api/core/schedule/events/')).body;
      const edited = await staff.patch(`/api/core/schedule/events/${intro.id}/`, { json: { location: 'Moved' } });
      assert.equal(edited.status, 200, edited.text);
      assert.equal(edited.body.title, 'Intro');
      const uid = async () => (await server.services.db.selectFrom('events').select('uid').where('id', '=', intro.id).executeTakeFirstOrThrow()).uid;
      assert.equal(await uid(), 'lecture-1');
      const result = await server.services.schedule.importCalendarText(
        calendar(
          vevent('lecture-1', '20260301T090000Z', '20260301T103000Z', 'Intro', [`X-ASSAY-LESSON:${lessonId}`, 'ATTENDEE;CN=Room 7:mailto:ROOM7@school.example', `CATEGORIES:${LECTURE}`, 'LOCATION:Hall', 'COLOR:blue']),
        ),
      );
      assert.deepEqual(result, { created: 0, updated: 1, deleted: 0, skipped: 0 });
      assert.deepEqual((await staff.get(`/api/core/schedule/events/${intro.id}/`)).body, intro);
      assert.equal(await uid(), 'lecture-1');
    });

    it('shows students only their own schedule', async () => {
      const [, , other] = (await staff.get('/api/core/schedule/events/')).body;
      const mine = await studentApi.get('/api/core/schedule/events/');
      assert.deepEqual(mine.body.map((e: { title: string }) => e.title), ['Intro', 'Secret work']);
      assert.equal((await studentApi.get(`/api/core/schedule/events/${other.id}/`)).status, 404);
      assert.equal((await studentApi.get('/api/core/schedule/events/999999/')).status, 404);
    });

    it('kiosk: checkers and staff only, without module_id/lesson_name; work_name=false hides work titles', async () => {
      assert.equal((await studentApi.get('/api/core/schedule/kiosk/')).status, 403);
      const kiosk = await checker.get('/api/core/schedule/kiosk/');
      assert.equal(kiosk.status, 200);
      assert.deepEqual(Object.keys(kiosk.body[0]).sort(), ['attendees', 'color', 'end', 'id', 'location', 'start', 'subject_id', 'subject_name', 'title', 'type']);
      const hidden = await checker.get('/api/core/schedule/kiosk/?work_name=false');
      assert.deepEqual(hidden.body.map((e: { title: string | null }) => e.title), ['Intro', null, 'Not yours']);
      const one = await checker.get(`/api/core/schedule/kiosk/${kiosk.body[1].id}/`);
      assert.equal(one.body.title, 'Secret work');
      assert.equal((await checker.get('/api/core/schedule/kiosk/?work_name=maybe')).status, 400);
    });

    it('applies the lesson to its classes when the event starts (injected clock, no waiting)', async () => {
      await server.services.db.updateTable('users').set({ override_queue_id: null }).where('id', '=', studentId).execute();
      clock.set('2026-03-01T08:30:00.000000Z');
      assert.deepEqual((await server.services.schedule.scheduler.tick()).applied, []);
      clock.set('2026-03-01T08:59:59.000000Z');
      assert.deepEqual((await server.services.schedule.scheduler.tick()).applied, []);
      assert.equal(await overrideOf(studentId), null);
      clock.set('2026-03-01T09:00:00.000000Z');
      const tick = await server.services.schedule.scheduler.tick();
      assert.equal(tick.applied.length, 1);
      assert.deepEqual({ lessonId: tick.applied[0]!.lessonId, classId: tick.applied[0]!.classId }, { lessonId, classId: roomId });
      assert.equal(await overrideOf(studentId), lessonQueue);
      // A later pass does not apply it again.
      await server.services.db.updateTable('users').set({ override_queue_id: null }).where('id', '=', studentId).execute();
      clock.advance(60_000);
      assert.deepEqual((await server.services.schedule.scheduler.tick()).applied, []);
      assert.equal(await overrideOf(studentId), null);
    });
  });

  describe('daily_review', () => {
    before(relogin);

    it('creates a module with a reflection exercise built from the day and returns the Module', async () => {
      const roomId = await klass(`Review room ${Math.random()}`, [studentId]);
      const reviewLesson = await lesson('Review lesson');
      await server.services.schedule.importCalendarText(
        calendar(
          vevent('dr-1', '20260310T090000Z', '20260310T100000Z', 'Pointers', [`X-ASSAY-LESSON:${reviewLesson}`, `ATTENDEE;CN=${'x'}:mailto:none@x`]),
          vevent('dr-2', '20260310T110000Z', '20260310T120000Z', 'Project time', [`X-ASSAY-TYPE:${WORK}`, 'LOCATION:Lab']),
          vevent('dr-3', '20260311T090000Z', '20260311T100000Z', 'Tomorrow', [`X-ASSAY-LESSON:${reviewLesson}`]),
        ),
      );
      const res = await staff.post('/api/core/schedule/daily_review/', { json: { date: '2026-03-10T15:00:00Z', show_lesson_names: true, hide_work_details: true, class: roomId } });
      assert.equal(res.status, 200);
      assert.equal(res.body.name, `Daily Review 2026-03-10 ${(await server.services.db.selectFrom('classes').select('name').where('id', '=', roomId).executeTakeFirstOrThrow()).name}`);
      assert.equal(res.body.order, '2026-03-10');
      assert.equal(res.body.parent_subject_symbol, 'Daily Review');
      const exercises = (await staff.get(`/api/core/course/exercises/?parent_module__id=${res.body.id}`)).body.filter((e: { parent_module: number }) => e.parent_module === res.body.id);
      assert.equal(exercises.length, 1);
      assert.equal(exercises[0].name, 'Reflection');
      const fields = (await staff.get(`/api/core/course/exercises/${exercises[0].id}/fields/`)).body;
      assert.deepEqual(fields.map((f: { name: string }) => f.name), ['09:00–10:00 Pointers (Review lesson)', `11:00–12:00 ${WORK}`]);
      // Same day and class again: the same module.
      const again = await staff.post('/api/core/schedule/daily_review/', { form: { date: '2026-03-10T08:00:00Z', show_lesson_names: 'false', hide_work_details: 'false', class: String(roomId) } });
      assert.equal(again.body.id, res.body.id);
      const exercise = await server.services.exercises.get(await adminActor(server), exercises[0].id);
      assert.match(exercise.description, /11:00–12:00 Project time @ Lab/);
    });

    it('refuses bad input and non-staff callers', async () => {
      const missing = await staff.post('/api/core/schedule/daily_review/', { json: {} });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body.errors.map((e: { attr: string }) => e.attr).sort(), ['date', 'hide_work_details', 'show_lesson_names']);
      const empty = await staff.post('/api/core/schedule/daily_review/', { json: { date: '2030-01-01T00:00:00Z', show_lesson_names: true, hide_work_details: false } });
      assert.deepEqual([empty.status, empty.body.errors[0].attr], [400, 'date']);
      const unknown = await staff.post('/api/core/schedule/daily_review/', { json: { date: '2026-03-10T00:00:00Z', show_lesson_names: true, hide_work_details: false, class: 999999 } });
      assert.deepEqual([unknown.status, unknown.body.errors[0].code], [400, 'does_not_exist']);
      assert.equal((await checker.post('/api/core/schedule/daily_review/', { json: { date: '2026-03-10T00:00:00Z', show_lesson_names: true, hide_work_details: false } })).status, 403);
      assert.equal((await studentApi.post('/api/core/schedule/daily_review/', { json: {} })).status, 403);
    });
  });
});
