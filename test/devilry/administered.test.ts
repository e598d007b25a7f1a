import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeUser } from '../helpers/fixtures.ts';
import { buildWorld, devilryLogin, fails, GROUPS, ids, ok } from './world.ts';
import type { DevilryClient, World } from './world.ts';

let w: World;
let root: DevilryClient;
/** An instructor of the world's period. */
let teacher: DevilryClient;
/** An instructor of another period. */
let stranger: DevilryClient;
let otherPeriod: number;

const url = (model: string) => `/administrator/restfulsimplified${model}/`;
const FORBIDDEN = { errormessages: ['Forbidden'] };

before(async () => {
  w = await buildWorld();
  const s = w.server.services;
  root = await devilryLogin(w.server, (await makeUser(w.server, 5)).username);
  const t = await makeUser(w.server, 3);
  const o = await makeUser(w.server, 3);
  const admin = { id: (await makeUser(w.server, 5)).id, username: 'x', clearance: 5 as const };
  otherPeriod = await s.examination.hierarchy.createPeriod(admin, { subjectId: w.hierarchy.subject, shortName: `other_${w.tag}`, longName: 'Other', startTime: null, endTime: null });
  const now = '2024-01-01T00:00:00.000000Z';
  await s.db.insertInto('enrollments').values({ course_id: w.hierarchy.period, user_id: t.id, role: 'instructor', created_at: now }).execute();
  await s.db.insertInto('enrollments').values({ course_id: otherPeriod, user_id: o.id, role: 'instructor', created_at: now }).execute();
  teacher = await devilryLogin(w.server, t.username);
  stranger = await devilryLogin(w.server, o.username);
});
after(() => w.server.close());

async function create(client: DevilryClient, model: string, body: Record<string, unknown>): Promise<number> {
  const res = await client.post(url(model), body);
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body, { ...body, id: res.body.id });
  return res.body.id as number;
}

const examinerGroupIds = async (username: string) => ids(await (await devilryLogin(w.server, username)).get(GROUPS, {}));

describe('candidates', () => {
  it('are created by username or user id, searched with their field groups, moved, renamed and deleted', async () => {
    const { dave, carol } = w.users;
    const id = await create(root, 'candidate', { student: dave.username, candidate_id: 'D-1', assignment_group: w.groups.g4 });
    const byId = await create(teacher, 'candidate', { student: carol.id, assignment_group: w.groups.g5 });
    const found = ok(await root.get(url('candidate'), { filters: [{ field: 'assignment_group', comp: 'exact', value: w.groups.g4 }], result_fieldgroups: ['student'] }));
    const mine = found.body.items.find((i: { id: number }) => i.id === id);
    assert.deepEqual(mine, { id, student: dave.id, candidate_id: 'D-1', assignment_group: w.groups.g4, student__username: dave.username, student__email: `${dave.username}@example.com`, student__devilryuserprofile__full_name: 'Dave Zed' });
    assert.equal(found.body.total, 2);
    // The anonymous group now lists dave by his candidate id.
    const g4 = ok(await root.get(`${url('assignmentgroup')}${w.groups.g4}`, { result_fieldgroups: ['users'] })).body;
    assert.deepEqual(g4.candidates__identifier, ['A-17', 'D-1']);
    // Dave is also the world's candidate in g3.
    const zed = ids(await root.get(url('candidate'), { query: 'zed' }));
    assert.equal(zed.length, 2);
    assert.ok(zed.includes(id));

    fails(await root.put(`${url('candidate')}${id}`, { candidate_id: 'D-2' }), 200, { candidate_id: 'D-2', id });
    assert.equal(ok(await root.get(`${url('candidate')}${id}`)).body.candidate_id, 'D-2');
    fails(await teacher.put(`${url('candidate')}${id}`, { assignment_group: w.groups.g3 }), 400, {
      fielderrors: {},
      errormessages: ['Candidate with this Assignment group and Student already exists.'],
    });
    fails(await teacher.put(`${url('candidate')}${id}`, { assignment_group: w.groups.g1 }), 200, { assignment_group: w.groups.g1, id });
    const moved = ok(await root.get(`${url('candidate')}${id}`)).body;
    assert.deepEqual([moved.assignment_group, moved.candidate_id], [w.groups.g1, 'D-2']);
    const students = await devilryLogin(w.server, dave.username);
    assert.ok(ids(await students.get('/student/restfulsimplifiedassignmentgroup/', {})).includes(w.groups.g1));
    assert.ok(!ids(await students.get('/student/restfulsimplifiedassignmentgroup/', {})).includes(w.groups.g4));

    fails(await root.delete(`${url('candidate')}${byId}`), 200, { id: String(byId) });
    fails(await root.get(`${url('candidate')}${byId}`), 403, FORBIDDEN);
    const carolGroups = ids(await (await devilryLogin(w.server, carol.username)).get('/student/restfulsimplifiedassignmentgroup/', {}));
    assert.ok(!carolGroups.includes(w.groups.g5));
  });

  it('bad input is a 400 in Django\'s shape; duplicates are refused; nothing is written', async () => {
    const before = ok(await root.get(url('candidate'), {})).body.total;
    fails(await root.post(url('candidate'), { candidate_id: 'x' }), 400, {
      fielderrors: { assignment_group: ['This field is required.'], student: ['This field is required.'] },
      errormessages: [],
    });
    fails(await root.post(url('candidate'), { student: 'no-such-user', assignment_group: w.groups.g1 }), 400, { errormessages: ['Invalid username: no-such-user'] });
    fails(await root.post(url('candidate'), { student: 99999999, assignment_group: w.groups.g1 }), 400, {
      fielderrors: { student: ['Select a valid choice. That choice is not one of the available choices.'] },
      errormessages: [],
    });
    fails(await root.post(url('candidate'), { student: w.users.alice.username, assignment_group: w.groups.g1 }), 400, {
      fielderrors: {},
      errormessages: ['Candidate with this Assignment group and Student already exists.'],
    });
    fails(await root.post(url('candidate'), { student: w.users.dave.username, assignment_group: 99999999 }), 403, FORBIDDEN);
    assert.equal(ok(await root.get(url('candidate'), {})).body.total, before);
  });

  it('instructors of another period neither see nor change them; missing ids are 403', async () => {
    const anyId = ok(await root.get(url('candidate'), { limit: 1 })).body.items[0].id;
    assert.equal(ok(await stranger.get(url('candidate'), {})).body.total, 0);
    fails(await stranger.get(`${url('candidate')}${anyId}`), 403, FORBIDDEN);
    fails(await stranger.put(`${url('candidate')}${anyId}`, { candidate_id: 'z' }), 403, FORBIDDEN);
    fails(await stranger.delete(`${url('candidate')}${anyId}`), 403, FORBIDDEN);
    fails(await stranger.post(url('candidate'), { student: w.users.dave.username, assignment_group: w.groups.g1 }), 403, FORBIDDEN);
    fails(await root.put(`${url('candidate')}99999999`, { candidate_id: 'z' }), 403, FORBIDDEN);
    fails(await root.put(`${url('candidate')}${anyId}`, { id: anyId, name: 'z' }), 403, { errormessages: ['Field name can not be edited.'] });
    // An examiner's membership is not a candidate.
    const examinerId = ok(await root.get(url('examiner'), { limit: 1 })).body.items[0].id;
    if (!ok(await root.get(url('candidate'), { filters: [{ field: 'id', comp: 'exact', value: examinerId }] })).body.total) {
      fails(await root.get(`${url('candidate')}${examinerId}`), 403, FORBIDDEN);
    }
  });

  it('createmany is one transaction: one bad item writes nothing and reports each item', async () => {
    const before = ok(await root.get(url('candidate'), {})).body.total;
    const res = await root.post(url('candidate'), [
      { student: w.users.bob.username, assignment_group: w.groups.g3 },
      { assignment_group: w.groups.g3 },
    ]);
    fails(res, 400, [{ fielderrors: { student: ['This field is required.'] }, errormessages: [] }]);
    assert.equal(ok(await root.get(url('candidate'), {})).body.total, before);
    const forbidden = await root.post(url('candidate'), [
      { student: w.users.bob.username, assignment_group: w.groups.g3 },
      { student: w.users.bob.username, assignment_group: 99999999 },
    ]);
    fails(forbidden, 403, FORBIDDEN);
    assert.equal(ok(await root.get(url('candidate'), {})).body.total, before);
    const made = await root.post(url('candidate'), [{ student: w.users.bob.username, assignment_group: w.groups.g3 }]);
    assert.equal(made.status, 201, made.text);
    assert.equal(made.body.length, 1);
    const removed = ok(await root.delete(url('candidate'), made.body));
    assert.deepEqual(removed.body, { items: made.body, total: 1 });
  });
});

describe('examiners', () => {
  it('adding one lets the user examine the group; removing one takes it away', async () => {
    const { ex2 } = w.users;
    assert.ok(!(await examinerGroupIds(ex2.username)).includes(w.groups.g5));
    const id = await create(teacher, 'examiner', { user: ex2.username, assignmentgroup: w.groups.g5 });
    assert.ok((await examinerGroupIds(ex2.username)).includes(w.groups.g5));
    const item = ok(await root.get(`${url('examiner')}${id}`, { result_fieldgroups: ['user', 'assignmentgroup'] })).body;
    assert.deepEqual([item.user, item.assignmentgroup, item.user__username, item.assignmentgroup__name], [ex2.id, w.groups.g5, ex2.username, 'Anon B']);
    fails(await root.post(url('examiner'), { user: ex2.username, assignmentgroup: w.groups.g5 }), 400, {
      fielderrors: {},
      errormessages: ['Examiner with this Assignmentgroup and User already exists.'],
    });
    fails(await root.put(`${url('examiner')}${id}`, { assignmentgroup: 'x' }), 400, { fielderrors: { assignmentgroup: ['Enter a whole number.'] }, errormessages: [] });
    fails(await root.delete(`${url('examiner')}${id}`), 200, { id: String(id) });
    assert.ok(!(await examinerGroupIds(ex2.username)).includes(w.groups.g5));
    fails(await root.delete(`${url('examiner')}${id}`), 403, FORBIDDEN);
  });
});

describe('assignment group tags', () => {
  it('CRUD, reflected in the group\'s tags; duplicates refused', async () => {
    const id = await create(root, 'assignmentgrouptag', { assignment_group: w.groups.g3, tag: 'late' });
    const tagsOf = async () => ok(await root.get(`${url('assignmentgroup')}${w.groups.g3}`, { result_fieldgroups: ['tags'] })).body.tags__tag;
    assert.deepEqual(await tagsOf(), ['late']);
    fails(await root.post(url('assignmentgrouptag'), { assignment_group: w.groups.g3, tag: 'late' }), 400, {
      fielderrors: {},
      errormessages: ['Assignment group tag with this Assignment group and Tag already exists.'],
    });
    fails(await root.post(url('assignmentgrouptag'), { assignment_group: w.groups.g3, tag: 'x'.repeat(21) }), 400, {
      fielderrors: { tag: ['Ensure this value has at most 20 characters (it has 21).'] },
      errormessages: [],
    });
    fails(await root.put(`${url('assignmentgrouptag')}${id}`, { tag: 'early' }), 200, { tag: 'early', id });
    assert.deepEqual(await tagsOf(), ['early']);
    assert.deepEqual(
      ok(await root.get(url('assignmentgrouptag'), { query: 'early', result_fieldgroups: ['assignment_group'] })).body.items,
      [{ id, assignment_group: w.groups.g3, tag: 'early', assignment_group__name: 'Dave Alone', assignment_group__parentnode: w.hierarchy.a1, assignment_group__parentnode__short_name: 'oblig1' }],
    );
    assert.equal(ok(await stranger.get(url('assignmentgrouptag'), {})).body.total, 0);
    // updatemany is one transaction: a missing id rolls back the rename before it.
    const second = await create(root, 'assignmentgrouptag', { assignment_group: w.groups.g3, tag: 'second' });
    fails(await root.put(url('assignmentgrouptag'), [{ pk: second, tag: 'renamed' }, { pk: 99999999, tag: 'x' }]), 403, FORBIDDEN);
    assert.deepEqual(await tagsOf(), ['early', 'second']);
    const renamed = ok(await root.put(url('assignmentgrouptag'), [{ pk: second, tag: 'renamed' }]));
    assert.deepEqual(renamed.body, [second]);
    assert.deepEqual(await tagsOf(), ['early', 'renamed']);
    // Query-string mode and the ExtJS envelope work as for every resource.
    const extjs = ok(await root.get(`${url('assignmentgrouptag')}?filters=${encodeURIComponent(JSON.stringify([{ field: 'tag', comp: 'exact', value: 'renamed' }]))}`, undefined, { headers: { 'x-devilry-use-extjs': '1' } }));
    assert.deepEqual(extjs.body, { items: [{ id: second, assignment_group: w.groups.g3, tag: 'renamed' }], total: 1, success: true });
    fails(await root.delete(`${url('assignmentgrouptag')}${second}`), 200, { id: String(second) });
    fails(await stranger.delete(`${url('assignmentgrouptag')}${id}`), 403, FORBIDDEN);
    fails(await teacher.delete(`${url('assignmentgrouptag')}${id}`), 200, { id: String(id) });
    assert.deepEqual(await tagsOf(), []);
  });
});

describe('related students and examiners of a period', () => {
  it('are the period course\'s enrollments, with candidate ids and tags', async () => {
    const { alice, ex1 } = w.users;
    const student = await create(root, 'relatedstudent', { period: w.hierarchy.period, user: alice.username, candidate_id: 'c1', tags: 'a,b' });
    const examiner = await create(teacher, 'relatedexaminer', { period: w.hierarchy.period, user: ex1.id });
    const role = async (id: number) => (await w.server.services.db.selectFrom('enrollments').select('role').where('id', '=', id).executeTakeFirstOrThrow()).role;
    assert.deepEqual([await role(student), await role(examiner)], ['student', 'checker']);
    const rs = ok(await root.get(url('relatedstudent'), { query: 'smith', result_fieldgroups: ['user'] })).body.items;
    assert.deepEqual(rs, [
      { id: student, period: w.hierarchy.period, user: alice.id, candidate_id: 'c1', tags: 'a,b', user__username: alice.username, user__email: `${alice.username}@example.com`, user__devilryuserprofile__full_name: 'Alice Smith' },
    ]);
    // The period's instructor (the teacher) is a related examiner too.
    const examiners = ok(await teacher.get(url('relatedexaminer'), {})).body;
    assert.equal(examiners.total, 2);
    assert.ok(ids(await teacher.get(url('relatedexaminer'), {})).includes(examiner));
    fails(await root.get(`${url('relatedexaminer')}${student}`), 403, FORBIDDEN);

    fails(await root.post(url('relatedexaminer'), { period: w.hierarchy.period, user: alice.username }), 400, {
      fielderrors: { user: ['This user is already related to the period as a student.'] },
      errormessages: [],
    });
    fails(await root.post(url('relatedstudent'), { period: w.hierarchy.period, user: alice.username }), 400, {
      fielderrors: {},
      errormessages: ['Related student with this Period and User already exists.'],
    });
    fails(await root.post(url('relatedstudent'), { period: 99999999, user: alice.username }), 403, FORBIDDEN);
    fails(await stranger.post(url('relatedstudent'), { period: w.hierarchy.period, user: w.users.bob.username }), 403, FORBIDDEN);
    assert.equal(ok(await stranger.get(url('relatedstudent'), {})).body.total, 0);

    fails(await root.put(`${url('relatedstudent')}${student}`, { tags: 'c' }), 200, { tags: 'c', id: student });
    assert.equal(ok(await root.get(`${url('relatedstudent')}${student}`)).body.tags, 'c');
    fails(await root.put(`${url('relatedexaminer')}${examiner}`, { candidate_id: 'x' }), 403, { errormessages: ['Field candidate_id can not be edited.'] });
    fails(await root.delete(`${url('relatedexaminer')}${examiner}`), 200, { id: String(examiner) });
    fails(await root.get(`${url('relatedexaminer')}${examiner}`), 403, FORBIDDEN);
    // A deleted relation may be made again.
    const again = await create(root, 'relatedexaminer', { period: w.hierarchy.period, user: ex1.username, tags: 't' });
    assert.equal(ok(await root.get(`${url('relatedexaminer')}${again}`)).body.tags, 't');
  });
});

describe('key-value resources', () => {
  it('period application key-values: CRUD, unique per period, application and key', async () => {
    const id = await create(root, 'periodapplicationkeyvalue', { period: w.hierarchy.period, application: 'app', key: 'k', value: 'v' });
    fails(await root.post(url('periodapplicationkeyvalue'), { period: w.hierarchy.period, application: 'app', key: 'k' }), 400, {
      fielderrors: {},
      errormessages: ['Period application key value with this Period, Application and Key already exists.'],
    });
    fails(await root.post(url('periodapplicationkeyvalue'), { period: w.hierarchy.period }), 400, {
      fielderrors: { application: ['This field is required.'], key: ['This field is required.'] },
      errormessages: [],
    });
    fails(await teacher.put(`${url('periodapplicationkeyvalue')}${id}`, { value: 'w' }), 200, { value: 'w', id });
    assert.deepEqual(ok(await root.get(`${url('periodapplicationkeyvalue')}${id}`)).body, { id, period: w.hierarchy.period, application: 'app', key: 'k', value: 'w' });
    assert.equal(ok(await stranger.get(url('periodapplicationkeyvalue'), {})).body.total, 0);
    fails(await stranger.get(`${url('periodapplicationkeyvalue')}${id}`), 403, FORBIDDEN);
    const other = await create(stranger, 'periodapplicationkeyvalue', { period: otherPeriod, application: 'app', key: 'k' });
    fails(await root.put(`${url('periodapplicationkeyvalue')}${other}`, { period: w.hierarchy.period }), 400, {
      fielderrors: {},
      errormessages: ['Period application key value with this Period, Application and Key already exists.'],
    });
    fails(await root.delete(`${url('periodapplicationkeyvalue')}${id}`), 200, { id: String(id) });
    fails(await root.delete(`${url('periodapplicationkeyvalue')}${id}`), 403, FORBIDDEN);
  });

  it('related student key-values: students read their own readable ones only', async () => {
    const { bob, carol } = w.users;
    const bobRel = await create(root, 'relatedstudent', { period: w.hierarchy.period, user: bob.username });
    const carolRel = await create(root, 'relatedstudent', { period: w.hierarchy.period, user: carol.username });
    const shown = await create(root, 'relatedstudentkeyvalue', { relatedstudent: bobRel, application: 'grades', key: 'total', value: '42', student_can_read: true });
    const hidden = await create(root, 'relatedstudentkeyvalue', { relatedstudent: bobRel, application: 'grades', key: 'note', value: 'lazy' });
    const carols = await create(root, 'relatedstudentkeyvalue', { relatedstudent: carolRel, application: 'grades', key: 'total', value: '7', student_can_read: true });
    const bobClient = await devilryLogin(w.server, bob.username);
    const mine = ok(await bobClient.get('/student/restfulsimplifiedrelatedstudentkeyvalue/', {})).body;
    assert.deepEqual(mine, { items: [{ id: shown, relatedstudent: bobRel, application: 'grades', key: 'total', value: '42', student_can_read: true }], total: 1 });
    fails(await bobClient.get(`/student/restfulsimplifiedrelatedstudentkeyvalue/${hidden}`), 403, FORBIDDEN);
    fails(await bobClient.get(`/student/restfulsimplifiedrelatedstudentkeyvalue/${carols}`), 403, FORBIDDEN);
    assert.equal(ok(await bobClient.get(`/student/restfulsimplifiedrelatedstudentkeyvalue/${shown}`)).body.value, '42');
    fails(await bobClient.post('/student/restfulsimplifiedrelatedstudentkeyvalue/', { relatedstudent: bobRel }), 405, {
      errormessages: ['Method not supported for this resource'],
    });
    fails(await root.put(`${url('relatedstudentkeyvalue')}${hidden}`, { student_can_read: 'maybe' }), 400, {
      fielderrors: { student_can_read: ["'maybe' value must be either True or False."] },
      errormessages: [],
    });
    fails(await root.put(`${url('relatedstudentkeyvalue')}${hidden}`, { student_can_read: true }), 200, { student_can_read: true, id: hidden });
    assert.equal(ok(await bobClient.get('/student/restfulsimplifiedrelatedstudentkeyvalue/', {})).body.total, 2);
    // Deleting the related student takes its values along.
    fails(await root.delete(`${url('relatedstudent')}${carolRel}`), 200, { id: String(carolRel) });
    fails(await root.get(`${url('relatedstudentkeyvalue')}${carols}`), 403, FORBIDDEN);
    const removed = ok(await root.delete(`${url('relatedstudentkeyvalue')}?deletedata_in_qrystring=1&pks=${JSON.stringify([shown, hidden])}`));
    assert.deepEqual(removed.body, { items: [shown, hidden], total: 2 });
    assert.equal(ok(await bobClient.get('/student/restfulsimplifiedrelatedstudentkeyvalue/', {})).body.total, 0);
  });
});

describe('deliveries updated by administrators and students', () => {
  it('an administrator marks one unsuccessful; a student only marks their own successful', async () => {
    const { del11, del21 } = w.deliveries;
    fails(await teacher.put(`${url('delivery')}${del11}`, { successful: false, delivery_type: 1 }), 200, { successful: false, delivery_type: 1, id: del11 });
    const read = ok(await root.get(`${url('delivery')}${del11}`)).body;
    assert.deepEqual([read.successful, read.delivery_type], [false, 1]);
    fails(await stranger.put(`${url('delivery')}${del11}`, { successful: true }), 403, FORBIDDEN);

    const alice = await devilryLogin(w.server, w.users.alice.username);
    fails(await alice.put(`/student/restfulsimplifieddelivery/${del11}`, { successful: true }), 200, { successful: true, id: del11 });
    assert.equal(ok(await root.get(`${url('delivery')}${del11}`)).body.successful, true);
    fails(await alice.put(`/student/restfulsimplifieddelivery/${del11}`, { delivery_type: 0 }), 403, { errormessages: ['Field delivery_type can not be edited.'] });
    fails(await alice.put(`/student/restfulsimplifieddelivery/${del21}`, { successful: true }), 403, FORBIDDEN);
    fails(await alice.put(`/student/restfulsimplifieddelivery/${del11}`, { successful: 'perhaps' }), 400, {
      fielderrors: { successful: ["'perhaps' value must be either True or False."] },
      errormessages: [],
    });
  });
});

describe('nodes and subjects are deleted with everything below them', () => {
  it('a subject takes its periods along; a node its child nodes and their subjects', async () => {
    const node = await create(root, 'node', { short_name: `top${w.tag}` });
    const child = await create(root, 'node', { short_name: 'child', parentnode: node });
    const subject = await create(root, 'subject', { parentnode: child, short_name: `s1${w.tag}` });
    const period = await create(root, 'period', { parentnode: subject, short_name: 'p' });
    const assignment = await create(root, 'assignment', { parentnode: period, short_name: 'a', publishing_time: '2024-01-01T00:00:00' });
    await create(root, 'assignmentgroup', { parentnode: assignment, candidates: [w.users.dave.username] });
    const lone = await create(root, 'subject', { parentnode: node, short_name: `s2${w.tag}` });
    const lonePeriod = await create(root, 'period', { parentnode: lone, short_name: 'lp' });

    fails(await teacher.delete(`${url('subject')}${lone}`), 403, FORBIDDEN);
    fails(await root.delete(`${url('subject')}${lone}`), 200, { id: String(lone) });
    fails(await root.get(`${url('period')}${lonePeriod}`), 403, FORBIDDEN);
    fails(await root.get(`${url('subject')}${lone}`), 403, FORBIDDEN);

    fails(await root.delete(`${url('node')}${node}`), 200, { id: String(node) });
    for (const [model, id] of [['node', node], ['node', child], ['subject', subject], ['period', period], ['assignment', assignment]] as const) {
      fails(await root.get(`${url(model)}${id}`), 403, FORBIDDEN);
    }
    fails(await root.delete(`${url('node')}${node}`), 403, FORBIDDEN);
    // The world's own hierarchy is untouched.
    assert.equal(ok(await root.get(`${url('subject')}${w.hierarchy.subject}`)).body.id, w.hierarchy.subject);
  });
});
