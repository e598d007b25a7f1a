import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, adminActor } from '../helpers/fixtures.ts';
import type { Client, Reply } from '../helpers/http.ts';
import { call } from '../helpers/http.ts';
import { ROOT } from '../helpers/cli.ts';
import { zipFolder, zipOf } from '../helpers/zip.ts';

type Person = { id: number; username: string; api: Client };
const V1 = '/api/assay/v1';
const EXAMPLE = path.join(ROOT, 'examples/intro-python');
const attrs = (res: Reply) => (res.body.errors as { attr: string | null }[]).map((e) => e.attr);
const upload = (data: Buffer, name = 'course.zip') => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)]), name);
  return form;
};
/** The example course's files, some of them changed. */
const exampleWith = (changes: Record<string, string>): Record<string, string | Buffer> => {
  const out: Record<string, string | Buffer> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(EXAMPLE, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else out[child] = fs.readFileSync(path.join(EXAMPLE, child));
    }
  };
  walk('');
  return { ...out, ...changes };
};

describe(`Assay API: courses from the browser (create, zip upload, exercise settings), on ${engineUnderTest}`, () => {
  let server: TestServer;
  let course: number;
  let admin: Person, staff: Person, instructor: Person, checker: Person, student: Person, outsider: Person;
  const exercisesOf = async (courseId: number) => (await server.services.exercises.list(await adminActor(server), { courseIds: [courseId] })).map((e) => e.slug).sort();

  before(async () => {
    server = await startTestServer();
    const root = await adminActor(server);
    course = (await server.services.programs.create(root, { name: 'Placeholder', slug: 'intro-python' })).id;
    const other = (await server.services.programs.create(root, { name: 'Other course', slug: 'courses-other' })).id;
    [admin, staff, instructor, checker, student, outsider] = [
      await actorClient(server, 5), await actorClient(server, 3), await actorClient(server, 2),
      await actorClient(server, 2), await actorClient(server, 1), await actorClient(server, 2),
    ];
    await server.services.enrolment.enrol(root, { id: course }, [instructor.username], 'instructor');
    await server.services.enrolment.enrol(root, { id: course }, [checker.username], 'checker');
    await server.services.enrolment.enrol(root, { id: course }, [student.username], 'student');
    await server.services.enrolment.enrol(root, { id: other }, [outsider.username], 'instructor');
  });
  after(async () => server?.close());

  describe('POST /courses/', () => {
    it('opens a course whose creator instructs it (staff, and instructors of a course)', async () => {
      const made = await instructor.api.post(`${V1}/courses/`, { json: { slug: 'new-by-instructor', name: 'New course', semester: '2026', start_at: '2026-09-01T00:00:00Z' } });
      assert.equal(made.status, 201, made.text);
      assert.deepEqual([made.body.slug, made.body.name, made.body.semester, made.body.start_at, made.body.end_at], ['new-by-instructor', 'New course', '2026', '2026-09-01T00:00:00.000000Z', null]);
      // The creator manages the new course (an instructor enrolment), though clearance 2 alone would not.
      assert.equal((await instructor.api.get(`${V1}/courses/${made.body.id}/settings/`)).status, 200);
      const roster = await instructor.api.get(`${V1}/courses/${made.body.id}/enrollments/`);
      assert.deepEqual(roster.body.map((m: { username: string; role: string }) => [m.username, m.role]), [[instructor.username, 'instructor']]);
      assert.equal((await staff.api.post(`${V1}/courses/`, { json: { slug: 'new-by-staff', name: 'Staff course' } })).status, 201);
    });

    it('refuses bad input with 400, naming each field, and writes nothing', async () => {
      const cases: [unknown, string[]][] = [
        [{ slug: 'Bad Slug', name: 'x' }, ['slug']],
        [{ slug: 'ok-slug' }, ['name']],
        [{ slug: 'ok-slug', name: '   ' }, ['name']],
        [{ slug: 'intro-python', name: 'Taken' }, ['slug']],
        [{ slug: 'ok-slug', name: 'x', start_at: 'tomorrow' }, ['start_at']],
        [{ slug: 'ok-slug', name: 'x', start_at: '2026-09-01T00:00:00Z', end_at: '2026-01-01T00:00:00Z' }, ['end_at']],
      ];
      for (const [json, expected] of cases) {
        const res = await admin.api.post(`${V1}/courses/`, { json });
        assert.equal(res.status, 400, `${JSON.stringify(json)}: ${res.text}`);
        assert.deepEqual(attrs(res), expected, JSON.stringify(json));
      }
      assert.equal((await admin.api.get(`${V1}/courses/99999999/settings/`)).status, 404);
      const all = await server.services.programs.list(await adminActor(server));
      assert.equal(all.filter((c) => c.slug === 'ok-slug').length, 0);
    });

    it('lets the core refuse checkers and students (403) and nobody signed in (401)', async () => {
      for (const who of [checker, student]) {
        const res = await who.api.post(`${V1}/courses/`, { json: { slug: `refused-${who.id}`, name: 'Refused' } });
        assert.equal(res.status, 403, res.text);
      }
      assert.equal((await call(server.app, 'POST', `${V1}/courses/`, { json: { slug: 'anon', name: 'x' } })).status, 401);
    });
  });

  describe('POST /courses/{id}/directory/', () => {
    it('syncs the example course from a zip (in a top folder too); a second upload changes nothing', async () => {
      const first = await instructor.api.post(`${V1}/courses/${course}/directory/`, { multipart: upload(await zipFolder(EXAMPLE, 'intro-python/')) });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.changed, true);
      assert.deepEqual(first.body.exercises.map((e: { slug: string }) => e.slug), ['greet', 'palindromes']);
      assert.deepEqual(first.body.counts.exercises, { created: 2, updated: 0, unchanged: 0, deleted: 0 });
      assert.deepEqual(await exercisesOf(course), ['greet', 'palindromes']);
      const course_ = await instructor.api.get(`${V1}/courses/${course}/settings/`);
      assert.equal(course_.body.name, 'Introduction to Python');
      const again = await staff.api.post(`${V1}/courses/${course}/directory/`, { multipart: upload(await zipFolder(EXAMPLE)) });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.changed, false);
    });

    it('answers an invalid directory with every problem by file (400) and changes nothing', async () => {
      const before = await server.services.exercises.list(await adminActor(server), { courseIds: [course] });
      const broken = await zipOf(
        exampleWith({
          'course.yaml': fs.readFileSync(path.join(EXAMPLE, 'course.yaml'), 'utf8').replace('name: Introduction to Python', 'name: Renamed\ncolour: blue'),
          'greet/exercise.yaml': fs.readFileSync(path.join(EXAMPLE, 'greet/exercise.yaml'), 'utf8').replace(/^max_submissions:.*$/m, '') + '\nmax_submissions: none\n',
          'newone/exercise.yaml': 'slug: newone\nname: New\nmodule: PY/Nowhere\n',
        }),
      );
      const res = await instructor.api.post(`${V1}/courses/${course}/directory/`, { multipart: upload(broken) });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.type, 'validation_error');
      const problems = attrs(res);
      assert.ok(problems.includes('course.yaml: colour'), problems.join(' | '));
      assert.ok(problems.includes('greet/exercise.yaml: max_submissions'), problems.join(' | '));
      assert.ok(problems.includes('newone/exercise.yaml: module'), problems.join(' | '));
      const after = await server.services.exercises.list(await adminActor(server), { courseIds: [course] });
      assert.deepEqual(after.map((e) => [e.slug, e.updated_at]), before.map((e) => [e.slug, e.updated_at]));
      assert.equal((await instructor.api.get(`${V1}/courses/${course}/settings/`)).body.name, 'Introduction to Python');
    });

    it("refuses a directory of another course's slug, a file that is no zip, a missing file and a zip bomb", async () => {
      const other = await zipOf(exampleWith({ 'course.yaml': fs.readFileSync(path.join(EXAMPLE, 'course.yaml'), 'utf8').replace('slug: intro-python', 'slug: courses-other') }));
      const wrongSlug = await admin.api.post(`${V1}/courses/${course}/directory/`, { multipart: upload(other) });
      assert.equal(wrongSlug.status, 400, wrongSlug.text);
      assert.deepEqual(attrs(wrongSlug), ['course.yaml: slug']);
      const notZip = await admin.api.post(`${V1}/courses/${course}/directory/`, { multipart: upload(Buffer.from('slug: x\n'), 'course.yaml') });
      assert.equal(notZip.status, 400, notZip.text);
      assert.deepEqual(attrs(notZip), ['file']);
      const noFile = await admin.api.post(`${V1}/courses/${course}/directory/`, { json: {} });
      assert.equal(noFile.status, 400, noFile.text);
      assert.deepEqual(attrs(noFile), ['file']);
      const noCourseFile = await admin.api.post(`${V1}/courses/${course}/directory/`, { multipart: upload(await zipOf({ 'README.md': 'hello' })) });
      assert.equal(noCourseFile.status, 400, noCourseFile.text);
      assert.deepEqual(attrs(noCourseFile), ['course.yaml']);
      const bomb = await zipOf({ 'course.yaml': 'slug: intro-python\n', 'zeros.bin': Buffer.alloc(20 * 1024 * 1024) });
      const refused = await admin.api.post(`${V1}/courses/${course}/directory/`, { multipart: upload(bomb) });
      assert.equal(refused.status, 413, refused.text);
      assert.deepEqual(await exercisesOf(course), ['greet', 'palindromes']);
    });

    it('lets the core refuse the course’s checkers and students (403), and others (404)', async () => {
      const zip = await zipFolder(EXAMPLE);
      for (const [who, status] of [[checker, 403], [student, 403], [outsider, 404]] as const) {
        const res = await who.api.post(`${V1}/courses/${course}/directory/`, { multipart: upload(zip) });
        assert.equal(res.status, status, res.text);
        assert.equal((await who.api.get(`${V1}/courses/${course}/settings/`)).status, status);
      }
    });
  });

  describe('GET/PATCH /exercises/{id}/settings/', () => {
    const greet = async () => (await server.services.exercises.list(await adminActor(server), { courseIds: [course] })).find((e) => e.slug === 'greet')!.id;

    it('reads and changes deadlines, limits, visibility and late policy', async () => {
      const id = await greet();
      const read = await instructor.api.get(`${V1}/exercises/${id}/settings/`);
      assert.equal(read.status, 200, read.text);
      assert.deepEqual(Object.keys(read.body).sort(), [
        'course', 'course_grace_days', 'course_late_slack', 'download', 'due_at', 'end_at', 'max_grace_days', 'max_submissions',
        'name', 'patbas', 'patbas_download', 'patbas_preview', 'preview', 'start_at', 'version_threshold',
      ]);
      const patch = {
        start_at: '2026-10-01T08:00:00Z',
        due_at: '2026-10-08T08:00:00Z',
        end_at: '2026-10-10T08:00:00Z',
        max_submissions: 5,
        version_threshold: 3,
        download: false,
        patbas: 'On Done',
        max_grace_days: 2,
        course_grace_days: 4,
        course_late_slack: 600,
      };
      const changed = await instructor.api.patch(`${V1}/exercises/${id}/settings/`, { json: patch });
      assert.equal(changed.status, 200, changed.text);
      assert.deepEqual([changed.body.name, changed.body.course], ['Greetings and FizzBuzz', { id: course, name: 'Introduction to Python' }]);
      assert.deepEqual(
        { ...changed.body, name: undefined, course: undefined, preview: undefined, patbas_preview: undefined, patbas_download: undefined },
        { ...patch, name: undefined, course: undefined, start_at: '2026-10-01T08:00:00.000000Z', due_at: '2026-10-08T08:00:00.000000Z', end_at: '2026-10-10T08:00:00.000000Z', preview: undefined, patbas_preview: undefined, patbas_download: undefined },
      );
      const exercise = await server.services.exercises.get(await adminActor(server), id);
      assert.deepEqual([exercise.due_at, exercise.max_submissions, exercise.patbas], ['2026-10-08T08:00:00.000000Z', 5, 'On Done']);
      const cleared = await staff.api.patch(`${V1}/exercises/${id}/settings/`, { json: { max_submissions: null, end_at: null } });
      assert.deepEqual([cleared.body.max_submissions, cleared.body.end_at, cleared.body.due_at], [null, null, '2026-10-08T08:00:00.000000Z']);
    });

    it('refuses bad input with 400, naming each field, and writes nothing', async () => {
      const id = await greet();
      const before = (await admin.api.get(`${V1}/exercises/${id}/settings/`)).body;
      const cases: [unknown, string[]][] = [
        [{ due_at: '2026-09-01T00:00:00Z' }, ['due_at']],
        [{ start_at: 'soon' }, ['start_at']],
        [{ max_submissions: 0 }, ['max_submissions']],
        [{ preview: 'Video' }, ['preview']],
        [{ patbas: 'Sometimes', download: 'maybe' }, ['download', 'patbas']],
        [{ course_late_slack: 86_400, max_grace_days: -1 }, ['max_grace_days', 'course_late_slack']],
        [{ end_at: '2026-10-01T00:00:00Z', max_submissions: 2 }, ['end_at']],
      ];
      for (const [json, expected] of cases) {
        const res = await admin.api.patch(`${V1}/exercises/${id}/settings/`, { json });
        assert.equal(res.status, 400, `${JSON.stringify(json)}: ${res.text}`);
        assert.deepEqual([...attrs(res)].sort(), [...expected].sort(), JSON.stringify(json));
      }
      assert.equal((await admin.api.patch(`${V1}/exercises/${id}/settings/`, { raw: '{"due_at": ', headers: { 'content-type': 'application/json' } })).status, 400);
      assert.deepEqual((await admin.api.get(`${V1}/exercises/${id}/settings/`)).body, before);
      assert.equal((await admin.api.get(`${V1}/exercises/99999999/settings/`)).status, 404);
      assert.equal((await admin.api.get(`${V1}/exercises/abc/settings/`)).status, 404);
    });

    it('lets the core refuse the course’s checkers and students (403), and others (404)', async () => {
      const id = await greet();
      for (const [who, status] of [[checker, 403], [student, 403], [outsider, 404]] as const) {
        assert.equal((await who.api.get(`${V1}/exercises/${id}/settings/`)).status, status);
        const res = await who.api.patch(`${V1}/exercises/${id}/settings/`, { json: { max_submissions: 99 } });
        assert.equal(res.status, status, res.text);
      }
      assert.notEqual((await admin.api.get(`${V1}/exercises/${id}/settings/`)).body.max_submissions, 99);
    });
  });
});
