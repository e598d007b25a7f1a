import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { TestServer } from '../helpers/harness.ts';
import { makeUser } from '../helpers/fixtures.ts';
import type { Cast } from './course.ts';
import { makeAutolabCourse } from './course.ts';
import { api, autolabServer } from './fixture.ts';

const enc = encodeURIComponent;

describe('autolab: course_user_data and groups', () => {
  let server: TestServer;
  let cast: Cast;
  const clock = new ManualClock('2025-01-10T12:00:00Z');
  const cud = '/courses/sys/course_user_data';

  before(async () => {
    server = await autolabServer({ clock });
    cast = await makeAutolabCourse(server);
  });
  after(() => server.close());

  it('course_user_data: index sorted by email, show, errors', async () => {
    const inst = api(server, cast.instructor.token);
    const list = await inst.get(cud);
    assert.equal(list.status, 200);
    const emails = list.body.map((d: { email: string }) => d.email);
    assert.deepEqual(emails, [...emails].sort());
    assert.equal(emails.length, 5);
    const me = list.body.find((d: { email: string }) => d.email === cast.assistant.email);
    assert.deepEqual(me, {
      lecture: '',
      section: '',
      grade_policy: '',
      nickname: null,
      dropped: false,
      first_name: 'First',
      last_name: cast.assistant.username,
      email: cast.assistant.email,
      school: null,
      major: null,
      year: null,
      auth_level: 'course_assistant',
    });
    assert.deepEqual((await inst.get(`${cud}/${enc(cast.student.email)}`)).body.auth_level, 'student');
    const nobody = await inst.get(`${cud}/nobody%40example.com`);
    assert.deepEqual([nobody.status, nobody.body], [400, { error: 'Nonexistent user' }]);
    const outsider = await inst.get(`${cud}/${enc(cast.outsider.email)}`);
    assert.deepEqual([outsider.status, outsider.body], [404, { error: 'User is not in course' }]);
  });

  it('course_user_data: create (form body), update (query), destroy drops', async () => {
    const inst = api(server, cast.instructor.token);
    const newcomer = await makeUser(server, 1);
    await server.services.db.updateTable('users').set({ email: 'new.comer@example.com' }).where('id', '=', newcomer.id).execute();
    const base = { email: 'new.comer@example.com', lecture: 'L1', section: 'A' };
    assert.deepEqual((await inst.post(cud, { form: { email: 'x' } })).body, { error: "Required parameter 'lecture' not found" });
    assert.deepEqual((await inst.post(cud, { form: { ...base } })).body, { error: "Required parameter 'auth_level' not found" });
    assert.deepEqual((await inst.post(cud, { form: { ...base, email: 'ghost@example.com', auth_level: 'student' } })).body, { error: 'Nonexistent user' });
    assert.deepEqual((await inst.post(cud, { form: { ...base, email: cast.student.email, auth_level: 'student' } })).body, { error: 'User is already in the course' });
    const invalid = await inst.post(cud, { form: { ...base, auth_level: 'god' } });
    assert.deepEqual([invalid.status, invalid.body], [400, { error: 'Invalid auth_level' }]);
    assert.equal((await inst.get(`${cud}/new.comer%40example.com`)).status, 404, 'nothing written by a refused create');

    const created = await inst.post(cud, { form: { ...base, auth_level: 'course_assistant', nickname: 'Newt', grade_policy: 'standard', dropped: 'false' } });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(
      { ...created.body, first_name: undefined, last_name: undefined },
      { lecture: 'L1', section: 'A', grade_policy: 'standard', nickname: 'Newt', dropped: false, first_name: undefined, last_name: undefined, email: 'new.comer@example.com', school: null, major: null, year: null, auth_level: 'course_assistant' },
    );
    const token = await cast.mint(newcomer.id);
    assert.equal((await api(server, token).get('/courses')).body[0].auth_level, 'course_assistant');

    const badLevel = await inst.put(`${cud}/new.comer%40example.com?auth_level=owner&section=B`);
    assert.deepEqual([badLevel.status, badLevel.body], [400, { error: 'Invalid auth_level' }]);
    assert.equal((await inst.get(`${cud}/new.comer%40example.com`)).body.section, 'A', 'a refused update changes nothing');
    const updated = await inst.put(`${cud}/new.comer%40example.com?auth_level=instructor&section=B&lecture=L2`);
    assert.deepEqual([updated.body.auth_level, updated.body.section, updated.body.lecture, updated.body.nickname], ['instructor', 'B', 'L2', 'Newt']);
    const patched = await inst.patch(`${cud}/new.comer%40example.com?nickname=N`);
    assert.equal(patched.body.nickname, 'N');
    // Destroy drops (even with dropped=false), nothing else changes.
    const dropped = await inst.delete(`${cud}/new.comer%40example.com?dropped=false`);
    assert.equal(dropped.status, 200);
    assert.deepEqual({ ...dropped.body, dropped: undefined }, { ...patched.body, dropped: undefined });
    assert.equal(dropped.body.dropped, true);
    assert.equal((await inst.get(`${cud}/new.comer%40example.com`)).body.dropped, true);
    assert.deepEqual((await api(server, token).get('/courses')).body, []);
    // Un-dropping through update.
    assert.equal((await inst.put(`${cud}/new.comer%40example.com?dropped=false`)).body.dropped, false);
  });

  it('groups: need a group size above 1, cap the size, skip unknown and grouped people', async () => {
    const inst = api(server, cast.instructor.token);
    const groups = '/courses/sys/assessments/lab/groups';
    const body = { groups: [{ name: 'Pair A', group_members: [cast.student.email, cast.student2.email] }] };
    const single = await inst.post(groups, { json: body });
    assert.deepEqual([single.status, single.body], [400, { error: "Group size of assessment is currently 1, so you can't create group" }]);
    await inst.post('/courses/sys/assessments/lab/set_group_settings?group_size=2&allow_student_assign_group=false');
    assert.deepEqual((await inst.post(groups, { json: {} })).body, { error: "Required parameter 'groups' not found" });
    const tooBig = await inst.post(groups, { json: { groups: [{ group_members: [cast.student.email, cast.student2.email, cast.student3.email] }] } });
    assert.deepEqual([tooBig.status, tooBig.body], [400, { error: 'Cannot have groups with size more than group_size' }]);
    assert.deepEqual((await inst.get(groups)).body.groups, [], 'nothing written by a refused create');

    const created = await inst.post(groups, {
      json: {
        groups: [
          { name: 'Pair A', group_members: [cast.student.email, cast.student2.email] },
          { group_members: [cast.student.email, 'ghost@example.com'] },
          { group_members: [cast.student3.email, cast.outsider.email] },
        ],
      },
    });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.body.map((g: { name: string }) => g.name), ['Pair A', 'Unnamed Group']);
    assert.deepEqual(Object.keys(created.body[0]).sort(), ['created_at', 'id', 'name', 'updated_at']);
    assert.match(created.body[0].created_at, /^2025-01-10T12:00:00\.000\+00:00$/);

    const index = await inst.get(groups);
    assert.equal(index.body.group_size, 2);
    assert.equal(index.body.assessment.name, 'lab');
    assert.equal(index.body.groups[0].members, undefined);
    const withMembers = await inst.get(`${groups}?show_members=1`);
    const [a, b] = withMembers.body.groups;
    assert.deepEqual(a.members.map((m: { email: string }) => m.email).sort(), [cast.student.email, cast.student2.email].sort());
    assert.deepEqual(b.members.map((m: { email: string }) => m.email), [cast.student3.email]);
    assert.deepEqual(Object.keys(a.members[0]).sort(), ['course_user_datum_id', 'email', 'first_name', 'id', 'last_name', 'major', 'school', 'year']);
    assert.equal((await inst.get(`${groups}?show_members=off`)).body.groups[0].members, undefined);

    const one = await inst.get(`${groups}/${a.id}`);
    assert.deepEqual(one.body.members, a.members);
    const missing = await inst.get(`${groups}/99999`);
    assert.deepEqual([missing.status, missing.body], [404, { error: "Couldn't find group with id 99999" }]);
    const gone = await inst.delete(`${groups}/${b.id}`);
    assert.deepEqual(gone.body, { message: `Group ${b.id} successfully deleted` });
    const again = await inst.delete(`${groups}/${b.id}`);
    assert.deepEqual([again.status, again.body], [404, { error: `Couldn't find group ${b.id}` }]);
    // student3 is ungrouped and may join a new group.
    const regroup = await inst.post(groups, { json: { groups: [{ name: 'Solo', group_members: [cast.student3.email] }] } });
    assert.deepEqual(regroup.body.map((g: { name: string }) => g.name), ['Pair A', 'Solo']);
    // groups as JSON text in a form body works too; malformed is a clear 400.
    assert.equal((await inst.post(groups, { form: { groups: '[{"group_members": []}]' } })).status, 200);
    assert.equal((await inst.post(groups, { form: { groups: 'nope' } })).status, 400);
  });
});
