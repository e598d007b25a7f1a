import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildWorld, devilryLogin, ids, ok } from './world.ts';
import type { DevilryClient, World } from './world.ts';

let w: World;
let ex1: DevilryClient;
let ex2: DevilryClient;
let alice: DevilryClient;

before(async () => {
  w = await buildWorld();
  ex1 = await devilryLogin(w.server, w.users.ex1.username);
  ex2 = await devilryLogin(w.server, w.users.ex2.username);
  alice = await devilryLogin(w.server, w.users.alice.username);
});
after(() => w.server.close());

const url = (role: string, model: string) => `/${role}/restfulsimplified${model}/`;

describe('deadlines', () => {
  it('an examiner searches the deadlines of their groups, with the delivery count', async () => {
    const res = ok(await ex1.get(url('examiner', 'deadline'), {}));
    const { d11, d12, d21, d41 } = w.deadlines;
    assert.deepEqual(ids(res), [d11, d12, d21, d41]);
    assert.deepEqual(res.body.items[0], {
      id: d11, text: 'First', deadline: '2024-03-01T12:00:00', assignment_group: w.groups.g1, number_of_deliveries: 1, feedbacks_published: false,
    });
    assert.deepEqual(ids(await ex2.get(url('examiner', 'deadline'), {})), [d21]);
    assert.deepEqual(ids(await alice.get(url('student', 'deadline'), {})), [d11, d12, d41]);
  });

  it('filters, ordering, query words and field groups', async () => {
    const { d11, d12, d21, d41 } = w.deadlines;
    assert.deepEqual(ids(await ex1.get(url('examiner', 'deadline'), { filters: [{ field: 'deadline', comp: '>=', value: '2024-03-10T08:30:00' }], orderby: ['-deadline'] })), [d41, d12, d21]);
    assert.deepEqual(ids(await ex1.get(url('examiner', 'deadline'), { filters: [{ field: 'assignment_group__name', comp: 'icontains', value: 'group' }] })), [d11, d12]);
    assert.deepEqual(ids(await ex1.get(url('examiner', 'deadline'), { query: 'zzz' })), []);
    assert.deepEqual(ids(await ex1.get(url('examiner', 'deadline'), { query: 'solo' })), [d21]);
    assert.deepEqual(ids(await ex1.get(url('examiner', 'deadline'), { query: 'carol' })), [d21]);
    const res = ok(await ex1.get(url('examiner', 'deadline'), { filters: [{ field: 'id', comp: 'exact', value: d41 }], result_fieldgroups: ['assignment_group', 'assignment_group_users', 'assignment', 'period', 'subject'] }));
    const item = res.body.items[0];
    assert.equal(item.assignment_group__name, 'Anon A');
    assert.deepEqual(item.assignment_group__candidates__identifier, ['A-17']);
    assert.equal(item.assignment_group__parentnode__short_name, 'oblig2');
    assert.equal(item.assignment_group__parentnode__parentnode__long_name, 'Spring Term');
    assert.equal(item.assignment_group__parentnode__parentnode__parentnode__long_name, 'Programming Intro');
    assert.equal(res.body.total, 1);
  });

  it('read: a visible deadline; an invisible or missing one is 403', async () => {
    assert.equal(ok(await ex1.get(`${url('examiner', 'deadline')}${w.deadlines.d21}`)).body.deadline, '2024-03-10T08:30:00');
    for (const id of [w.deadlines.d11, 987654]) {
      const res = await ex2.get(`${url('examiner', 'deadline')}${id}`);
      assert.equal(res.status, 403);
      assert.deepEqual(res.body, { errormessages: ['Forbidden'] });
    }
  });
});

describe('deliveries and feedback', () => {
  it('deliveries of visible groups, with who delivered them', async () => {
    const { del11, del12, del21 } = w.deliveries;
    const res = ok(await ex1.get(url('examiner', 'delivery'), { result_fieldgroups: ['delivered_by', 'deadline', 'assignment_group', 'candidates'] }));
    assert.deepEqual(ids(res), [del11, del12, del21]);
    const first = res.body.items[0];
    assert.equal(first.number, 1);
    assert.equal(first.time_of_delivery, '2024-02-20T09:00:00');
    assert.equal(first.deadline, w.deadlines.d11);
    assert.equal(first.successful, true);
    assert.equal(first.delivery_type, 0);
    assert.equal(first.alias_delivery, null);
    assert.equal(first.delivered_by__identifier, w.users.alice.username);
    assert.equal(first.deadline__deadline, '2024-03-01T12:00:00');
    assert.equal(first.deadline__assignment_group, w.groups.g1);
    assert.deepEqual(first.deadline__assignment_group__candidates__identifier, [w.users.alice.username, w.users.bob.username]);
    assert.deepEqual(ids(await ex1.get(url('examiner', 'delivery'), { filters: [{ field: 'time_of_delivery', comp: '>', value: '2024-03-01T00:00:00' }] })), [del12, del21]);
    assert.deepEqual(ids(await ex2.get(url('examiner', 'delivery'), {})), [del21]);
    assert.deepEqual(ids(await alice.get(url('student', 'delivery'), { orderby: ['-number'] })), [del12, del11]);
  });

  it('static feedback: every version stays readable; filters on the period', async () => {
    const { f11, f12, f21 } = w.feedback;
    const res = ok(await ex1.get(url('examiner', 'staticfeedback'), { result_fieldgroups: ['delivery', 'assignment_group'] }));
    assert.deepEqual(ids(res), [f11, f12, f21]);
    const f = res.body.items[1];
    assert.equal(f.grade, 'A');
    assert.equal(f.points, 90);
    assert.equal(f.is_passing_grade, true);
    assert.equal(f.saved_by, w.users.ex1.id);
    assert.equal(f.save_timestamp, '2024-03-16T10:00:00');
    assert.equal(f.delivery, w.deliveries.del12);
    assert.equal(f.rendered_view, '<p>Good work</p>');
    assert.equal(f.delivery__number, 2);
    assert.equal(f.delivery__deadline__assignment_group__name, 'Group One');
    assert.deepEqual(
      ids(await ex1.get(url('examiner', 'staticfeedback'), { filters: [{ field: 'delivery__deadline__assignment_group__parentnode__parentnode__start_time', comp: 'exact', value: '2024-01-01T00:00:00' }, { field: 'points', comp: '<', value: 80 }] })),
      [f11, f21],
    );
    assert.deepEqual(ids(await alice.get(url('student', 'staticfeedback'), {})), [f11, f12]);
    const bad = await ex1.get(url('examiner', 'staticfeedback'), { filters: [{ field: 'points', comp: 'exact', value: 'many' }] });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { errormessages: ['Value has invalid type for field points: many'] });
  });
});

describe('the hierarchy above the groups', () => {
  it('assignments, periods and subjects with a visible group below them', async () => {
    const { a1, a2, a3, period, subject, node } = w.hierarchy;
    const res = ok(await ex1.get(url('examiner', 'assignment'), { result_fieldgroups: ['period', 'subject'] }));
    assert.deepEqual(ids(res), [a1, a2]);
    assert.deepEqual(res.body.items[1], {
      id: a2, parentnode: period, short_name: 'oblig2', long_name: 'Obligatory Two', publishing_time: '2024-01-10T00:00:00', delivery_types: 0, anonymous: true, scale_points_percent: 100,
      parentnode__short_name: `spring_${w.tag}`, parentnode__long_name: 'Spring Term', parentnode__start_time: '2024-01-01T00:00:00', parentnode__end_time: '2024-06-30T00:00:00',
      parentnode__parentnode: subject, parentnode__parentnode__short_name: `inf1000_${w.tag}`, parentnode__parentnode__long_name: 'Programming Intro',
    });
    // The unpublished assignment is the student's to see, not the examiner's.
    const carol = await devilryLogin(w.server, w.users.carol.username);
    assert.deepEqual(ids(await carol.get(url('student', 'assignment'), {})), [a1, a3]);
    assert.deepEqual(ids(await ex1.get(url('examiner', 'assignment'), { query: 'two' })), [a2]);
    assert.deepEqual(ids(await ex1.get(url('examiner', 'assignment'), { filters: [{ field: 'anonymous', comp: 'exact', value: false }] })), [a1]);
    const p = ok(await alice.get(url('student', 'period'), { result_fieldgroups: ['subject'] }));
    assert.deepEqual(p.body.items, [{
      id: period, parentnode: subject, short_name: `spring_${w.tag}`, long_name: 'Spring Term', start_time: '2024-01-01T00:00:00', end_time: '2024-06-30T00:00:00',
      parentnode__short_name: `inf1000_${w.tag}`, parentnode__long_name: 'Programming Intro',
    }]);
    assert.deepEqual(ok(await ex2.get(url('examiner', 'subject'), {})).body.items, [{ id: subject, parentnode: node, short_name: `inf1000_${w.tag}`, long_name: 'Programming Intro' }]);
    assert.equal(ok(await ex1.get(`${url('examiner', 'subject')}${subject}`)).body.long_name, 'Programming Intro');
  });

  it('someone with no group below sees none of it', async () => {
    const { makeUser } = await import('../helpers/fixtures.ts');
    const stranger = await devilryLogin(w.server, (await makeUser(w.server, 1)).username);
    for (const model of ['assignment', 'period', 'subject']) {
      assert.deepEqual(ok(await stranger.get(url('examiner', model), {})).body, { items: [], total: 0 });
      assert.deepEqual(ok(await stranger.get(url('student', model), {})).body, { items: [], total: 0 });
    }
    const res = await stranger.get(`${url('student', 'period')}${w.hierarchy.period}`);
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { errormessages: ['Forbidden'] });
  });
});
