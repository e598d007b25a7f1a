import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Clearance } from '../../src/core/actor.ts';
import { engineUnderTest } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, adminActor, makeUser } from '../helpers/fixtures.ts';
import type { Client, Reply } from '../helpers/http.ts';
import { call, client } from '../helpers/http.ts';
import { api, autolabServer, tokenMinter } from '../autolab/fixture.ts';
import { devilryLogin } from '../devilry/world.ts';

type Person = { id: number; username: string; api: Client };
const attrs = (res: Reply) => (res.body.errors as { attr: string | null }[]).map((e) => e.attr);

describe(`/api/assay/v1/courses/{id}/enrollments/ and /roster/, on ${engineUnderTest}`, () => {
  let server: TestServer;
  let course: number;
  let other: number;
  let admin: Person, staff: Person, instructor: Person, checker: Person, student: Person, outsider: Person;
  const base = () => `/api/assay/v1/courses/${course}`;

  before(async () => {
    server = await autolabServer();
    const root = await adminActor(server);
    course = (await server.services.programs.create(root, { name: 'API enrolment', slug: 'api-enrol' })).id;
    other = (await server.services.programs.create(root, { name: 'Other course', slug: 'api-other' })).id;
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

  it('enrols, lists, changes and removes members', async () => {
    const ann = await makeUser(server, 1);
    const ben = await makeUser(server, 2);
    const added = await instructor.api.post(`${base()}/enrollments/`, { json: { usernames: [ann.username, ben.username], role: 'student' } });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.body.map((m: { username: string; role: string }) => [m.username, m.role]), [[ann.username, 'student'], [ben.username, 'student']]);
    assert.deepEqual(Object.keys(added.body[0]).sort(), ['created_at', 'dropped', 'email', 'first_name', 'last_name', 'role', 'section', 'user', 'username']);
    const list = await checker.api.get(`${base()}/enrollments/`);
    assert.equal(list.status, 200, list.text);
    assert.ok(list.body.some((m: { user: number }) => m.user === ann.id));
    const changed = await staff.api.patch(`${base()}/enrollments/${ben.id}/`, { json: { role: 'checker', section: 'Lab 2' } });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual([changed.body.role, changed.body.section, changed.body.dropped], ['checker', 'Lab 2', false]);
    const gone = await admin.api.delete(`${base()}/enrollments/${ben.id}/`);
    assert.equal(gone.status, 204, gone.text);
    assert.equal((await admin.api.delete(`${base()}/enrollments/${ben.id}/`)).status, 404);
  });

  it('enrols people by email address (any ASCII case) as well as by username', async () => {
    const dora = await makeUser(server, 1);
    const eli = await makeUser(server, 1);
    await server.services.users.updateProfileTrusted(dora.username, { email: `${dora.username}@Example.org` });
    const added = await instructor.api.post(`${base()}/enrollments/`, { json: { usernames: [`${dora.username.toUpperCase()}@example.ORG`, eli.username], role: 'checker' } });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.body.map((m: { username: string; role: string }) => [m.username, m.role]), [[dora.username, 'checker'], [eli.username, 'checker']]);
    // An email two accounts hold names neither; an unknown one is named as such; nothing is written then.
    const twin = await makeUser(server, 1);
    const fay = await makeUser(server, 1);
    await server.services.db.updateTable('users').set({ email: 'shared@example.org' }).where('id', 'in', [twin.id, fay.id]).execute();
    const refused = await instructor.api.post(`${base()}/enrollments/`, { json: { usernames: [fay.username, 'shared@example.org', 'nobody@example.org'], role: 'student' } });
    assert.equal(refused.status, 400, refused.text);
    assert.deepEqual(
      refused.body.errors.map((e: { attr: string; detail: string }) => [e.attr, e.detail]),
      [
        ['usernames.1', '"shared@example.org" is the email of 2 accounts: name one by username.'],
        ['usernames.2', 'No user named "nobody@example.org" or with that email.'],
      ],
    );
    const roster = await admin.api.get(`${base()}/enrollments/`);
    assert.equal(roster.body.some((m: { user: number }) => m.user === fay.id), false);
  });

  it('refuses bad input with 400 in the envelope, naming each field', async () => {
    const ann = await makeUser(server, 1);
    const cases: [unknown, string[]][] = [
      [{ usernames: [ann.username], role: 'teacher' }, ['role']],
      [{ usernames: 'ann', role: 'student' }, ['usernames']],
      [{ usernames: [], role: 'student' }, ['usernames']],
      [{ role: 'student' }, ['usernames']],
      [{ usernames: [ann.username, 'no_such_user_x'], role: 'student' }, ['usernames.1']],
    ];
    for (const [json, expected] of cases) {
      const res = await admin.api.post(`${base()}/enrollments/`, { json });
      assert.equal(res.status, 400, `${JSON.stringify(json)}: ${res.text}`);
      assert.equal(res.body.type, 'validation_error');
      assert.deepEqual(attrs(res), expected, JSON.stringify(json));
    }
    const broken = await admin.api.post(`${base()}/enrollments/`, { raw: '{"usernames": [', headers: { 'content-type': 'application/json' } });
    assert.equal(broken.status, 400, broken.text);
    assert.equal((await admin.api.patch(`${base()}/enrollments/${student.id}/`, { json: { dropped: 'maybe' } })).status, 400);
    assert.equal((await admin.api.get('/api/assay/v1/courses/abc/enrollments/')).status, 404);
    assert.equal((await admin.api.get('/api/assay/v1/courses/99999999/enrollments/')).status, 404);
    assert.equal((await call(server.app, 'GET', `${base()}/enrollments/`)).status, 401);
  });

  it("lets the core refuse checkers and students (403) and other courses' staff (404)", async () => {
    const target = await makeUser(server, 1);
    const write = [
      (c: Client) => c.post(`${base()}/enrollments/`, { json: { usernames: [target.username], role: 'instructor' } }),
      (c: Client) => c.patch(`${base()}/enrollments/${student.id}/`, { json: { role: 'instructor' } }),
      (c: Client) => c.delete(`${base()}/enrollments/${instructor.id}/`),
      (c: Client) => c.post(`${base()}/roster/`, { json: { csv: 'username,role\nx,instructor\n' } }),
    ];
    for (const [who, status] of [[checker, 403], [student, 403], [outsider, 404]] as const) {
      for (const attempt of write) {
        const res = await attempt(who.api);
        assert.equal(res.status, status, `${who.username}: ${res.text}`);
      }
    }
    // A refused caller is refused before the body is read: a bad body changes nothing.
    assert.equal((await checker.api.post(`${base()}/enrollments/`, { json: { role: 'nonsense' } })).status, 403);
    assert.equal((await student.api.get(`${base()}/enrollments/`)).status, 403);
    assert.equal((await outsider.api.get(`${base()}/enrollments/`)).status, 404);
    const roster = await admin.api.get(`${base()}/enrollments/`);
    assert.equal(roster.body.find((m: { user: number }) => m.user === student.id).role, 'student');
    assert.equal(roster.body.find((m: { user: number }) => m.user === instructor.id).role, 'instructor');
  });

  it('previews a roster CSV (JSON body), refuses a bad one whole (400, every row), applies a multipart file', async () => {
    const before = await server.services.users.count();
    const bad = 'username,email,role\nroster_a,a@example.org,student\nroster b,,student\nroster_c,nope,professor\n';
    const preview = await instructor.api.post(`${base()}/roster/`, { json: { csv: bad }, query: { preview: 'true' } });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.preview, true);
    assert.deepEqual(preview.body.problems.map((p: { line: number; column: string }) => [p.line, p.column]), [[3, 'username'], [4, 'email'], [4, 'role']]);
    const refused = await instructor.api.post(`${base()}/roster/`, { json: { csv: bad } });
    assert.equal(refused.status, 400, refused.text);
    assert.deepEqual(attrs(refused), ['lines.3.username', 'lines.4.email', 'lines.4.role']);
    assert.equal(await server.services.users.count(), before, 'nothing written');
    assert.equal((await instructor.api.post(`${base()}/roster/`, { json: { csv: bad }, query: { preview: 'maybe' } })).status, 400);
    assert.deepEqual(attrs(await instructor.api.post(`${base()}/roster/`, { json: {} })), ['csv']);

    const form = new FormData();
    form.append('file', new Blob(['username,email,first_name,last_name,role\nroster_a,a@example.org,Ann,A,\n']), 'roster.csv');
    const applied = await instructor.api.post(`${base()}/roster/`, { multipart: form });
    assert.equal(applied.status, 200, applied.text);
    assert.deepEqual(applied.body.rows.map((r: { username: string; action: string }) => [r.username, r.action]), [['roster_a', 'create']]);
    assert.equal(typeof applied.body.rows[0].password, 'string');
    const signIn = await call(server.app, 'POST', '/api/core/token/', { json: { username: 'roster_a', password: applied.body.rows[0].password } });
    assert.equal(signIn.status, 200, signIn.text);
    assert.equal(await server.services.users.count(), before + 1);
  });
});

describe(`enrolment through Assay's API shows in every dialect that has the course, on ${engineUnderTest}`, () => {
  let server: TestServer;

  before(async () => {
    server = await autolabServer();
  });
  after(async () => server?.close());

  it('a student enrolled through /api/assay/v1 sees the course in Hive, ngshare and Autolab, and Devilry lists them as a related student', async () => {
    const root = await adminActor(server);
    const h = server.services.examination.hierarchy;
    const node = await h.createNode(root, { shortName: 'uni', longName: 'University' });
    const subject = await h.createSubject(root, { nodeId: node, shortName: 'inf100', longName: 'Programming' });
    const courseId = await h.createPeriod(root, { subjectId: subject, shortName: 'cross2024', longName: 'Cross 2024', startTime: '2020-01-01T00:00:00.000000Z', endTime: '2099-01-01T00:00:00.000000Z' });
    const slug = (await server.services.db.selectFrom('courses').select('slug').where('id', '=', courseId).executeTakeFirstOrThrow()).slug;
    const admin = await actorClient(server, 5);
    // A student made as `assay user create --clearance 1` makes one: no course, no number.
    const student = await makeUser(server, Clearance.student);

    const enrolled = await admin.api.post(`/api/assay/v1/courses/${courseId}/enrollments/`, { json: { usernames: [student.username], role: 'student' } });
    assert.equal(enrolled.status, 200, enrolled.text);

    const hive = client(server.app, (await call(server.app, 'POST', '/api/core/token/', { json: { username: student.username, password: 'correct horse battery staple' } })).body.access);
    const programs = await hive.get('/api/core/course/programs/');
    assert.equal(programs.status, 200, programs.text);
    assert.deepEqual(programs.body.map((p: { id: number }) => p.id), [courseId]);
    assert.equal((await hive.get('/api/core/management/users/me/')).body.program, courseId);
    const edited = await admin.api.patch(`/api/core/management/users/${student.id}/`, { json: { first_name: 'Edited' } });
    assert.equal(edited.status, 200, `Hive edits a student without a number: ${edited.text}`);

    const token = (await server.services.tokens.createApiToken(student.id, 'ngshare')).token;
    const ngshare = await call(server.app, 'GET', '/services/ngshare/courses/', { headers: { authorization: `token ${token}` } });
    assert.equal(ngshare.status, 200, ngshare.text);
    assert.deepEqual(ngshare.body, { success: true, courses: [slug] });

    const autolab = await api(server, await (await tokenMinter(server))(student.id)).get('/courses');
    assert.equal(autolab.status, 200, autolab.text);
    assert.deepEqual(autolab.body.map((c: { name: string; auth_level: string }) => [c.name, c.auth_level]), [[slug, 'student']]);

    const devilry = await devilryLogin(server, admin.username);
    const related = await devilry.get('/administrator/restfulsimplifiedrelatedstudent/', { filters: [{ field: 'period', comp: 'exact', value: courseId }], result_fieldgroups: ['user'] });
    assert.equal(related.status, 200, related.text);
    assert.deepEqual(related.body.items.map((r: { user__username: string }) => r.user__username), [student.username]);
  });
});
