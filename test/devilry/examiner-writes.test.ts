import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildWorld, devilryLogin, fails, GROUPS } from './world.ts';
import type { DevilryClient, World } from './world.ts';

let w: World;
let ex1: DevilryClient;

before(async () => {
  w = await buildWorld();
  ex1 = await devilryLogin(w.server, w.users.ex1.username);
});
after(() => w.server.close());

const group = async (id: number) => {
  const res = await ex1.get(`${GROUPS}${id}`, { result_fieldgroups: ['feedback'] });
  assert.equal(res.status, 200, res.text);
  return res.body;
};


const count = async (table: 'devilry_deadlines' | 'submissions' | 'feedback') =>
  Number((await w.server.services.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('deadlines, deliveries and feedback keep the group\'s derived fields', () => {
  it('a new deadline becomes the latest deadline; the answer echoes the body with the id (201)', async () => {
    const body = { assignment_group: w.groups.g5, deadline: '2024-05-01T23:59:00', text: 'Go' };
    const res = await ex1.post('/examiner/restfulsimplifieddeadline/', body);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body, { ...body, id: res.body.id });
    const g = await group(w.groups.g5);
    assert.equal(g.latest_deadline_id, res.body.id);
    assert.equal(g.latest_deadline_deadline, '2024-05-01T23:59:00');
    // An earlier deadline does not displace it.
    const earlier = await ex1.post('/examiner/restfulsimplifieddeadline/', { assignment_group: w.groups.g5, deadline: '2024-04-01T00:00:00' });
    assert.equal(earlier.status, 201);
    assert.equal((await group(w.groups.g5)).latest_deadline_id, res.body.id);
  });

  it('an examiner\'s delivery has number 0 and counts; feedback on it supersedes the older one', async () => {
    const before = await group(w.groups.g1);
    const delivery = await ex1.post('/examiner/restfulsimplifieddelivery/', { deadline: w.deadlines.d12, successful: true, delivery_type: 1 });
    assert.equal(delivery.status, 201, delivery.text);
    let g = await group(w.groups.g1);
    assert.equal(g.number_of_deliveries, before.number_of_deliveries + 1);
    assert.equal(g.latest_delivery_id, delivery.body.id);
    assert.equal(g.feedback, before.feedback);
    const fb = { delivery: delivery.body.id, grade: 'C', points: 60, is_passing_grade: true, rendered_view: '<p>ok</p>' };
    const feedback = await ex1.post('/examiner/restfulsimplifiedstaticfeedback/', fb);
    assert.equal(feedback.status, 201, feedback.text);
    assert.deepEqual(feedback.body, { ...fb, id: feedback.body.id });
    g = await group(w.groups.g1);
    assert.equal(g.feedback, feedback.body.id);
    assert.equal(g.feedback__grade, 'C');
    assert.equal(g.feedback__points, 60);
    const res = await ex1.get(GROUPS, { filters: [{ field: 'feedback__delivery__number', comp: 'exact', value: 0 }] });
    assert.deepEqual(res.body.items.map((i: { id: number }) => i.id), [w.groups.g1]);
    // Newer feedback on an older delivery supersedes too: the newest feedback wins.
    const again = await ex1.post('/examiner/restfulsimplifiedstaticfeedback/', { ...fb, delivery: w.deliveries.del11, grade: 'D', points: 40 });
    assert.equal(again.status, 201);
    assert.equal((await group(w.groups.g1)).feedback__grade, 'D');
    // Both feedbacks are in the course's audit trail: the examiner, the delivery, before and after.
    const trail = await w.server.services.db
      .selectFrom('audit_events')
      .select(['kind', 'actor_name', 'submission_id', 'field', 'before', 'after'])
      .where('submission_id', 'in', [delivery.body.id, w.deliveries.del11])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      trail.slice(-2).map((e) => [e.kind, e.actor_name, e.submission_id, e.field, JSON.parse(e.after)]),
      [
        ['grade', w.users.ex1.username, delivery.body.id, 'grade', { grade: 'C', points: 60, passing: true }],
        ['grade', w.users.ex1.username, w.deliveries.del11, 'grade', { grade: 'D', points: 40, passing: true }],
      ],
    );
    assert.equal(trail.at(-2)!.before, 'null');
    assert.deepEqual(JSON.parse(trail.at(-1)!.before), JSON.parse(trail.at(-3)!.after));
  });

  it('a student delivers on their own group, numbered after their earlier deliveries', async () => {
    const carol = await devilryLogin(w.server, w.users.carol.username);
    const res = await carol.post('/student/restfulsimplifieddelivery/', { deadline: w.deadlines.d21 });
    assert.equal(res.status, 201, res.text);
    const g = await group(w.groups.g2);
    assert.equal(g.number_of_deliveries, 2);
    assert.equal(g.latest_delivery_id, res.body.id);
    // Not on someone else's.
    fails(await carol.post('/student/restfulsimplifieddelivery/', { deadline: w.deadlines.d12 }), 403, { errormessages: ['Forbidden'] });
  });
});

describe('bad writes change nothing', () => {
  it('validation errors are 400 with fielderrors', async () => {
    const before = await count('feedback');
    fails(await ex1.post('/examiner/restfulsimplifiedstaticfeedback/', { delivery: 'x', grade: 'a very long grade text', points: -1 }), 400, {
      fielderrors: {
        delivery: ['Enter a whole number.'],
        grade: ['Ensure this value has at most 12 characters (it has 22).'],
        points: ['Ensure this value is greater than or equal to 0.'],
      },
      errormessages: [],
    });
    fails(await ex1.post('/examiner/restfulsimplifiedstaticfeedback/', {}), 400, {
      fielderrors: { delivery: ['This field is required.'], grade: ['This field is required.'], points: ['This field is required.'] },
      errormessages: [],
    });
    fails(await ex1.post('/examiner/restfulsimplifieddeadline/', { assignment_group: w.groups.g1, deadline: 'soon' }), 400, {
      fielderrors: { deadline: ['Enter a valid date/time.'] },
      errormessages: [],
    });
    fails(await ex1.post('/examiner/restfulsimplifieddelivery/', { deadline: w.deadlines.d11, successful: 'perhaps' }), 400, {
      fielderrors: { successful: ["'perhaps' value must be either True or False."] },
      errormessages: [],
    });
    assert.equal(await count('feedback'), before);
  });

  it('writing on a group the examiner may not see, or on a missing one, is the same 403', async () => {
    const deadlines = await count('devilry_deadlines');
    const submissions = await count('submissions');
    const feedback = await count('feedback');
    const forbidden = { errormessages: ['Forbidden'] };
    fails(await ex1.post('/examiner/restfulsimplifieddeadline/', { assignment_group: w.groups.g3, deadline: '2024-05-01T00:00:00' }), 403, forbidden);
    fails(await ex1.post('/examiner/restfulsimplifieddeadline/', { assignment_group: 987654, deadline: '2024-05-01T00:00:00' }), 403, forbidden);
    fails(await ex1.post('/examiner/restfulsimplifieddelivery/', { deadline: 987654 }), 403, forbidden);
    const ex2 = await devilryLogin(w.server, w.users.ex2.username);
    fails(await ex2.post('/examiner/restfulsimplifiedstaticfeedback/', { delivery: w.deliveries.del12, grade: 'A', points: 1 }), 403, forbidden);
    assert.deepEqual([await count('devilry_deadlines'), await count('submissions'), await count('feedback')], [deadlines, submissions, feedback]);
  });

  it('feedback is create-only for examiners', async () => {
    const res = await ex1.put('/examiner/restfulsimplifiedstaticfeedback/1', { grade: 'A' });
    fails(res, 405, { errormessages: ['Method not supported for this resource'] });
    assert.equal(res.headers.allow, 'GET');
  });
});

describe('resources not built yet answer 501 in Devilry\'s shape', () => {
  const cases: [string, string][] = [
    ['POST', '/student/restfulsimplifiedfilemeta/'],
  ];
  for (const [method, url] of cases) {
    it(`${method} ${url}`, async () => {
      const client = url.startsWith('/student') ? await devilryLogin(w.server, w.users.alice.username) : ex1;
      const res = await (method === 'GET' ? client.get : method === 'POST' ? client.post : client.put)(url, {});
      fails(res, 501, { errormessages: ['Not implemented'] });
    });
  }

  it('bulk delete needs a JSON list of ids', async () => {
    fails(await ex1.delete('/examiner/restfulsimplifieddeadline/', { a: 1 }), 400, { errormessages: ['Requires "pks" as a JSON encoded array.'] });
    fails(await ex1.delete('/examiner/restfulsimplifieddeadline/?deletedata_in_qrystring=1'), 400, {
      errormessages: ['The querystring must contain a JSON encoded array of primary-keys in the "pks" attribute.'],
    });
  });
});

describe('examiner updates and deletes', () => {
  it('a deadline\'s text, time and publishing flag change; the group follows its latest deadline', async () => {
    const created = await ex1.post('/examiner/restfulsimplifieddeadline/', { assignment_group: w.groups.g2, deadline: '2024-05-10T10:00:00' });
    assert.equal(created.status, 201);
    const id = created.body.id as number;
    const res = await ex1.put(`/examiner/restfulsimplifieddeadline/${id}`, { text: 'Moved', deadline: '2024-02-01T10:00:00', feedbacks_published: true });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { text: 'Moved', deadline: '2024-02-01T10:00:00', feedbacks_published: true, id });
    const read = await ex1.get(`/examiner/restfulsimplifieddeadline/${id}`);
    assert.equal(read.body.text, 'Moved');
    assert.equal(read.body.feedbacks_published, true);
    assert.equal((await group(w.groups.g2)).latest_deadline_id, w.deadlines.d21);
    fails(await ex1.put(`/examiner/restfulsimplifieddeadline/${id}`, { number_of_deliveries: 3 }), 403, { errormessages: ['Field number_of_deliveries can not be edited.'] });
    fails(await ex1.put(`/examiner/restfulsimplifieddeadline/${id}`, { deadline: 'tomorrow' }), 400, { fielderrors: { deadline: ['Enter a valid date/time.'] }, errormessages: [] });
    fails(await ex1.put(`/examiner/restfulsimplifieddeadline/${id}`, { assignment_group: w.groups.g3 }), 403, { errormessages: ['Forbidden'] });
    // Deleted while it has no deliveries; the answer names the id as the URL did.
    fails(await ex1.delete(`/examiner/restfulsimplifieddeadline/${id}`), 200, { id: String(id) });
    fails(await ex1.get(`/examiner/restfulsimplifieddeadline/${id}`), 403, { errormessages: ['Forbidden'] });
  });

  it('a deadline with deliveries is not deleted', async () => {
    const before = await count('devilry_deadlines');
    fails(await ex1.delete(`/examiner/restfulsimplifieddeadline/${w.deadlines.d11}`), 403, { errormessages: ['Forbidden'] });
    assert.equal(await count('devilry_deadlines'), before);
  });

  it('a delivery\'s success and type change; its deadline only within its group', async () => {
    const id = w.deliveries.del21;
    const res = await ex1.put(`/examiner/restfulsimplifieddelivery/${id}`, { successful: false, delivery_type: 1 });
    assert.equal(res.status, 200, res.text);
    const read = await ex1.get(`/examiner/restfulsimplifieddelivery/${id}`);
    assert.equal(read.body.successful, false);
    assert.equal(read.body.delivery_type, 1);
    fails(await ex1.put(`/examiner/restfulsimplifieddelivery/${id}`, { deadline: w.deadlines.d11 }), 400, {
      fielderrors: { deadline: ["The deadline must belong to the delivery's group."] },
      errormessages: [],
    });
    fails(await ex1.put(`/examiner/restfulsimplifieddelivery/${id}`, { number: 5 }), 403, { errormessages: ['Field number can not be edited.'] });
    const ex2 = await devilryLogin(w.server, w.users.ex2.username);
    fails(await ex2.put(`/examiner/restfulsimplifieddelivery/${w.deliveries.del11}`, { successful: false }), 403, { errormessages: ['Forbidden'] });
  });
});

describe('bulk operations, each in one transaction', () => {
  const DEADLINES = '/examiner/restfulsimplifieddeadline/';

  it('createmany answers the new ids; deletemany the deleted ones, from the body or the query string', async () => {
    const res = await ex1.post(DEADLINES, [
      { assignment_group: w.groups.g4, deadline: '2024-06-01T00:00:00' },
      { assignment_group: w.groups.g5, deadline: '2024-06-02T00:00:00', text: 'b' },
    ]);
    assert.equal(res.status, 201, res.text);
    const [a, b] = res.body as number[];
    assert.equal((await group(w.groups.g4)).latest_deadline_id, a);
    assert.equal((await group(w.groups.g5)).latest_deadline_id, b);
    fails(await ex1.delete(DEADLINES, [a]), 200, { items: [a], total: 1 });
    fails(await ex1.delete(`${DEADLINES}?deletedata_in_qrystring=1&pks=${encodeURIComponent(JSON.stringify([b]))}`), 200, { items: [b], total: 1 });
    assert.equal((await group(w.groups.g4)).latest_deadline_id, w.deadlines.d41);
  });

  it('an invalid item: 400 with one entry per invalid item, and nothing written', async () => {
    const before = await count('devilry_deadlines');
    fails(await ex1.post(DEADLINES, [{ assignment_group: w.groups.g4, deadline: '2024-06-01T00:00:00' }, { assignment_group: w.groups.g4 }, 'x']), 400, [
      { fielderrors: { deadline: ['This field is required.'] }, errormessages: [] },
      { fielderrors: {}, errormessages: ['Each item must be a JSON object.'] },
    ]);
    assert.equal(await count('devilry_deadlines'), before);
  });

  it('a forbidden item rolls back the items before it', async () => {
    const before = await count('devilry_deadlines');
    fails(await ex1.post(DEADLINES, [{ assignment_group: w.groups.g4, deadline: '2024-06-01T00:00:00' }, { assignment_group: w.groups.g3, deadline: '2024-06-01T00:00:00' }]), 403, {
      errormessages: ['Forbidden'],
    });
    fails(await ex1.delete(DEADLINES, [w.deadlines.d41, w.deadlines.d11]), 403, { errormessages: ['Forbidden'] });
    assert.equal(await count('devilry_deadlines'), before);
    assert.equal((await group(w.groups.g4)).latest_deadline_id, w.deadlines.d41);
  });
});

describe('deleting deliveries and feedback', () => {
  it('an examiner deletes a delivery (and its feedback); the group\'s derived fields follow', async () => {
    const delivery = await ex1.post('/examiner/restfulsimplifieddelivery/', { deadline: w.deadlines.d41 });
    assert.equal(delivery.status, 201);
    const fb = await ex1.post('/examiner/restfulsimplifiedstaticfeedback/', { delivery: delivery.body.id, grade: 'E', points: 1 });
    assert.equal((await group(w.groups.g4)).feedback, fb.body.id);
    fails(await ex1.delete(`/examiner/restfulsimplifieddelivery/${delivery.body.id}`), 200, { id: String(delivery.body.id) });
    const g = await group(w.groups.g4);
    assert.deepEqual([g.feedback, g.latest_delivery_id, g.number_of_deliveries], [null, null, 0]);
    fails(await ex1.get(`/examiner/restfulsimplifiedstaticfeedback/${fb.body.id}`), 403, { errormessages: ['Forbidden'] });
    const ex2 = await devilryLogin(w.server, w.users.ex2.username);
    fails(await ex2.delete(`/examiner/restfulsimplifieddelivery/${w.deliveries.del11}`), 403, { errormessages: ['Forbidden'] });
  });

  it('a superuser deletes feedback; the older feedback is the group\'s again', async () => {
    const { makeUser } = await import('../helpers/fixtures.ts');
    const root = await devilryLogin(w.server, (await makeUser(w.server, 5)).username);
    const newest = (await group(w.groups.g2)).feedback as number;
    const older = await ex1.post('/examiner/restfulsimplifiedstaticfeedback/', { delivery: w.deliveries.del21, grade: 'Z', points: 0 });
    assert.equal((await group(w.groups.g2)).feedback, older.body.id);
    fails(await root.delete('/administrator/restfulsimplifiedstaticfeedback/', [older.body.id]), 200, { items: [older.body.id], total: 1 });
    assert.equal((await group(w.groups.g2)).feedback, newest);
    // Deleting the delivery's newest feedback changes its grade back: in the audit trail, by the superuser.
    const [entry] = await w.server.services.db.selectFrom('audit_events').select(['actor_id', 'submission_id', 'before', 'after']).orderBy('id', 'desc').limit(1).execute();
    assert.equal(entry!.submission_id, w.deliveries.del21);
    assert.deepEqual(JSON.parse(entry!.before), { grade: 'Z', points: 0, passing: false });
    assert.notEqual(entry!.after, entry!.before);
    fails(await ex1.delete(`/examiner/restfulsimplifiedstaticfeedback/${newest}`), 405, { errormessages: ['Method not supported for this resource'] });
  });
});
