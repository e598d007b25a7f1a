import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { examinerGroupSpec } from '../../src/core/examination/groups.resource.ts';
import { buildWorld, devilryLogin, fails, GROUPS, ids, ok } from './world.ts';
import type { DevilryClient, World } from './world.ts';

let w: World;
let ex1: DevilryClient;
let ex2: DevilryClient;

before(async () => {
  w = await buildWorld();
  ex1 = await devilryLogin(w.server, w.users.ex1.username);
  ex2 = await devilryLogin(w.server, w.users.ex2.username);
});
after(() => w.server.close());

const search = (body: unknown) => ex1.get(GROUPS, body);
const failsWith = fails;

describe('visibility', () => {
  it('an examiner sees only the groups they examine, on published assignments', async () => {
    const { g1, g2, g3, g4, g5 } = w.groups;
    const res = await search({});
    assert.deepEqual(ids(res), [g1, g2, g4, g5]);
    assert.equal(res.body.total, 4);
    assert.deepEqual(ids(await ex2.get(GROUPS, {})), [g2, g3]);
  });

  it('a student sees the groups they are candidates in; a superuser sees every group', async () => {
    const alice = await devilryLogin(w.server, w.users.alice.username);
    assert.deepEqual(ids(await alice.get('/student/restfulsimplifiedassignmentgroup/', {})), [w.groups.g1, w.groups.g4]);
    const carol = await devilryLogin(w.server, w.users.carol.username);
    assert.deepEqual(ids(await carol.get('/student/restfulsimplifiedassignmentgroup/', {})), [w.groups.g2, w.groups.g6]);
    // A student is no examiner.
    assert.deepEqual(ids(await carol.get(GROUPS, {})), []);
    const { makeUser } = await import('../helpers/fixtures.ts');
    const root = await makeUser(w.server, 5);
    const admin = await devilryLogin(w.server, root.username);
    assert.deepEqual(ids(await admin.get('/administrator/restfulsimplifiedassignmentgroup/', {})), Object.values(w.groups));
  });

  it('reading a group the examiner may not see, or one that does not exist, is the same 403', async () => {
    const forbidden = { errormessages: ['Forbidden'] };
    failsWith(await ex1.get(`${GROUPS}${w.groups.g3}`), 403, forbidden);
    failsWith(await ex1.get(`${GROUPS}${w.groups.g6}`), 403, forbidden);
    failsWith(await ex1.get(`${GROUPS}999999`), 403, forbidden);
    failsWith(await ex1.get(`${GROUPS}abc`), 403, forbidden);
  });
});

describe('items and derived fields', () => {
  it('search returns the always-returned fields with the derived ones computed in SQL', async () => {
    const res = await search({ filters: [{ field: 'id', comp: 'exact', value: w.groups.g1 }] });
    assert.deepEqual(ok(res).body, {
      total: 1,
      items: [
        {
          id: w.groups.g1,
          name: 'Group One',
          is_open: true,
          parentnode: w.hierarchy.a1,
          feedback: w.feedback.f12,
          latest_delivery_id: w.deliveries.del12,
          latest_deadline_id: w.deadlines.d12,
          latest_deadline_deadline: '2024-03-15T12:00:00',
          number_of_deliveries: 2,
        },
      ],
    });
  });

  it('read answers the same item, derived fields included, with field groups on request', async () => {
    const res = ok(await ex1.get(`${GROUPS}${w.groups.g2}`));
    assert.equal(res.body.id, w.groups.g2);
    assert.equal(res.body.number_of_deliveries, 1);
    assert.equal(res.body.latest_deadline_deadline, '2024-03-10T08:30:00');
    const withGroups = ok(await ex1.get(`${GROUPS}${w.groups.g2}/`, { result_fieldgroups: ['feedback'] }));
    assert.equal(withGroups.body.feedback__grade, 'B');
  });

  it('every field group adds exactly its fields', async () => {
    for (const [group, fields] of Object.entries(examinerGroupSpec.fieldgroups)) {
      const res = ok(await search({ result_fieldgroups: [group] }));
      for (const item of res.body.items) assert.deepEqual(Object.keys(item), [...examinerGroupSpec.always, ...fields], group);
    }
  });

  it('field group values: feedback, its delivery, the hierarchy, users and tags', async () => {
    const res = ok(await search({ filters: [{ field: 'id', comp: 'exact', value: w.groups.g1 }], result_fieldgroups: Object.keys(examinerGroupSpec.fieldgroups) }));
    const item = res.body.items[0];
    const { alice, bob } = w.users;
    assert.deepEqual(item.candidates__identifier, [alice.username, bob.username]);
    assert.deepEqual(item.tags__tag, ['first', 'pair']);
    assert.deepEqual(item.candidates, [
      { identifier: alice.username, full_name: 'Alice Smith', email: `${alice.username}@example.com` },
      { identifier: bob.username, full_name: 'Bob Jones', email: `${bob.username}@example.com` },
    ]);
    assert.equal(item.feedback__points, 90);
    assert.equal(item.feedback__grade, 'A');
    assert.equal(item.feedback__is_passing_grade, true);
    assert.equal(item.feedback__rendered_view, '<p>Good work</p>');
    assert.equal(item.feedback__delivery__number, 2);
    assert.equal(item.feedback__delivery__time_of_delivery, '2024-03-10T09:15:30');
    assert.equal(item.feedback__delivery__delivery_type, 0);
    assert.equal(item.feedback__delivery__deadline, w.deadlines.d12);
    assert.equal(item.parentnode__long_name, 'Obligatory One');
    assert.equal(item.parentnode__short_name, 'oblig1');
    assert.equal(item.parentnode__anonymous, false);
    assert.equal(item.parentnode__delivery_types, 0);
    assert.equal(item.parentnode__publishing_time, '2024-01-10T00:00:00');
    assert.equal(item.parentnode__parentnode, w.hierarchy.period);
    assert.equal(item.parentnode__parentnode__long_name, 'Spring Term');
    assert.equal(item.parentnode__parentnode__short_name, `spring_${w.tag}`);
    assert.equal(item.parentnode__parentnode__parentnode, w.hierarchy.subject);
    assert.equal(item.parentnode__parentnode__parentnode__long_name, 'Programming Intro');
    assert.equal(item.parentnode__parentnode__parentnode__short_name, `inf1000_${w.tag}`);
  });

  it('anonymous assignments show candidate ids (or "candidate-id missing") and hide names and emails', async () => {
    const res = ok(await search({ filters: [{ field: 'parentnode', comp: 'exact', value: w.hierarchy.a2 }], result_fieldgroups: ['candidates', 'users'] }));
    assert.deepEqual(
      res.body.items.map((i: Record<string, unknown>) => [i.candidates__identifier, i.candidates]),
      [
        [['A-17'], [{ identifier: 'A-17', full_name: null, email: null }]],
        [['candidate-id missing'], [{ identifier: 'candidate-id missing', full_name: null, email: null }]],
      ],
    );
  });
});

describe('query words', () => {
  const cases: [string, () => number[]][] = [
    ['alice', () => [w.groups.g1]],
    ['SMITH', () => [w.groups.g1]],
    ['example.com', () => [w.groups.g1, w.groups.g2]],
    ['a-17', () => [w.groups.g4]],
    ['pair', () => [w.groups.g1]],
    ['obligatory two', () => [w.groups.g4, w.groups.g5]],
    ['programming group', () => [w.groups.g1]],
    ['spring', () => [w.groups.g1, w.groups.g2, w.groups.g4, w.groups.g5]],
    ['GROUP one', () => [w.groups.g1]],
    ['one carol', () => [w.groups.g2]],
    ['inf1000 solo', () => [w.groups.g2]],
    ['zzz', () => []],
    ['bob', () => [w.groups.g1]],
  ];
  for (const [query, expected] of cases) {
    it(`"${query}": every word matches some search field, case-insensitively`, async () => {
      assert.deepEqual(ids(await search({ query })), expected());
    });
  }
});

describe('filters: every comparison on every field type', () => {
  const T = (s: string) => s;
  const cases: [string, string, unknown, () => number[]][] = [
    // integers (plain, derived, real-valued points)
    ['number_of_deliveries', 'exact', 2, () => [w.groups.g1]],
    ['number_of_deliveries', 'iexact', '1', () => [w.groups.g2]],
    ['number_of_deliveries', '<', 1, () => [w.groups.g4, w.groups.g5]],
    ['number_of_deliveries', '>', 0, () => [w.groups.g1, w.groups.g2]],
    ['number_of_deliveries', '<=', 1, () => [w.groups.g2, w.groups.g4, w.groups.g5]],
    ['number_of_deliveries', '>=', 1, () => [w.groups.g1, w.groups.g2]],
    ['number_of_deliveries', 'contains', '2', () => [w.groups.g1]],
    ['number_of_deliveries', 'icontains', 2, () => [w.groups.g1]],
    ['number_of_deliveries', 'startswith', '1', () => [w.groups.g2]],
    ['number_of_deliveries', 'endswith', '0', () => [w.groups.g4, w.groups.g5]],
    ['feedback__points', '>=', 80, () => [w.groups.g1]],
    ['feedback__points', '<', 80, () => [w.groups.g2]],
    ['feedback__points', 'exact', 'none', () => [w.groups.g4, w.groups.g5]],
    ['feedback__points', 'contains', '9', () => [w.groups.g1]],
    ['feedback__points', 'endswith', '5', () => [w.groups.g2]],
    ['feedback', 'exact', null, () => [w.groups.g4, w.groups.g5]],
    ['feedback__delivery__number', 'exact', 2, () => [w.groups.g1]],
    ['feedback__delivery__delivery_type', 'exact', 0, () => [w.groups.g1, w.groups.g2]],
    ['parentnode__delivery_types', 'exact', 0, () => [w.groups.g1, w.groups.g2, w.groups.g4, w.groups.g5]],
    // booleans
    ['is_open', 'exact', false, () => [w.groups.g5]],
    ['is_open', 'exact', 'yes', () => [w.groups.g1, w.groups.g2, w.groups.g4]],
    ['is_open', 'iexact', 'TRUE', () => [w.groups.g1, w.groups.g2, w.groups.g4]],
    ['is_open', '<', true, () => [w.groups.g5]],
    ['is_open', '>=', true, () => [w.groups.g1, w.groups.g2, w.groups.g4]],
    ['is_open', 'icontains', 'FAL', () => [w.groups.g5]],
    ['is_open', 'startswith', 't', () => [w.groups.g1, w.groups.g2, w.groups.g4]],
    ['feedback__is_passing_grade', 'exact', true, () => [w.groups.g1, w.groups.g2]],
    ['feedback__is_passing_grade', 'exact', 'None', () => [w.groups.g4, w.groups.g5]],
    // text
    ['feedback__grade', 'exact', 'A', () => [w.groups.g1]],
    ['feedback__grade', 'exact', 'a', () => []],
    ['feedback__grade', 'iexact', 'a', () => [w.groups.g1]],
    ['feedback__grade', 'contains', 'B', () => [w.groups.g2]],
    ['feedback__grade', 'contains', 'b', () => []],
    ['feedback__grade', 'icontains', 'b', () => [w.groups.g2]],
    ['feedback__grade', '<', 'B', () => [w.groups.g1]],
    ['feedback__grade', '>=', 'B', () => [w.groups.g2]],
    ['parentnode__long_name', 'startswith', 'Obligatory T', () => [w.groups.g4, w.groups.g5]],
    ['parentnode__long_name', 'startswith', 'obligatory', () => []],
    ['parentnode__long_name', 'endswith', 'One', () => [w.groups.g1, w.groups.g2]],
    ['parentnode__short_name', 'iexact', 'OBLIG2', () => [w.groups.g4, w.groups.g5]],
    ['parentnode__parentnode__long_name', 'exact', 'Spring Term', () => [w.groups.g1, w.groups.g2, w.groups.g4, w.groups.g5]],
    ['parentnode__parentnode__parentnode__long_name', 'icontains', 'programming', () => [w.groups.g1, w.groups.g2, w.groups.g4, w.groups.g5]],
    // date-times (to the second)
    ['latest_deadline_deadline', 'exact', T('2024-03-15T12:00:00'), () => [w.groups.g1]],
    ['latest_deadline_deadline', '<', '2024-03-15T12:00:00', () => [w.groups.g2]],
    ['latest_deadline_deadline', '<=', '2024-03-15T12:00:00', () => [w.groups.g1, w.groups.g2]],
    ['latest_deadline_deadline', '>', '2024-03-10T08:30:00', () => [w.groups.g1, w.groups.g4]],
    ['latest_deadline_deadline', '>=', '2024-03-10T08:30:00', () => [w.groups.g1, w.groups.g2, w.groups.g4]],
    ['latest_deadline_deadline', 'exact', 'none', () => [w.groups.g5]],
    ['latest_deadline_deadline', 'startswith', '2024-03', () => [w.groups.g1, w.groups.g2]],
    ['latest_deadline_deadline', 'contains', 'T08:30', () => [w.groups.g2]],
    ['latest_deadline_deadline', 'endswith', '00:00', () => [w.groups.g1, w.groups.g4]],
    ['latest_deadline_deadline', 'endswith', '30:00', () => [w.groups.g2]],
    ['feedback__delivery__time_of_delivery', 'exact', '2024-03-10T09:15:30', () => [w.groups.g1]],
    ['feedback__delivery__time_of_delivery', '<', '2024-03-10T00:00:00', () => [w.groups.g2]],
    ['parentnode__parentnode__start_time', 'exact', '2024-01-01T00:00:00', () => [w.groups.g1, w.groups.g2, w.groups.g4, w.groups.g5]],
    ['parentnode__parentnode__end_time', '<', '2024-06-30T00:00:00', () => []],
    // to-many and ids up the hierarchy
    ['candidates__identifier', 'startswith', 'bob_', () => [w.groups.g1]],
    ['candidates__identifier', 'exact', 'candidate-id missing', () => [w.groups.g5]],
    // "none" names a missing candidate id (devilry.md §5.2), in any case.
    ['candidates__identifier', 'exact', 'none', () => [w.groups.g5]],
    ['candidates__identifier', 'iexact', ' None ', () => [w.groups.g5]],
    ['candidates__identifier', 'icontains', 'NONE', () => [w.groups.g5]],
    ['candidates__identifier', 'icontains', 'a-1', () => [w.groups.g4]],
    ['candidates__identifier', 'endswith', '17', () => [w.groups.g4]],
    ['parentnode', 'exact', () => w.hierarchy.a2, () => [w.groups.g4, w.groups.g5]],
  ];
  for (const [field, comp, value, expected] of cases) {
    it(`${field} ${comp} ${JSON.stringify(typeof value === 'function' ? 'id' : value)}`, async () => {
      const v = typeof value === 'function' ? (value as () => number)() : value;
      assert.deepEqual(ids(await search({ filters: [{ field, comp, value: v }] })), expected());
    });
  }

  it('filters on every id up the hierarchy', async () => {
    const all = [w.groups.g1, w.groups.g2, w.groups.g4, w.groups.g5];
    const { period, subject, node } = w.hierarchy;
    for (const [field, value] of [['parentnode__parentnode', period], ['parentnode__parentnode__parentnode', subject], ['parentnode__parentnode__parentnode__parentnode', node]] as const) {
      assert.deepEqual(ids(await search({ filters: [{ field, comp: 'exact', value }] })), all, field);
    }
    assert.deepEqual(ids(await search({ filters: [{ field: 'candidates__identifier', comp: 'exact', value: w.users.alice.username }] })), [w.groups.g1]);
    assert.deepEqual(ids(await search({ filters: [{ field: 'feedback', comp: 'exact', value: w.feedback.f21 }] })), [w.groups.g2]);
  });

  it('filters combine with AND; an empty value is ignored', async () => {
    const res = await search({
      filters: [
        { field: 'is_open', comp: 'exact', value: true },
        { field: 'number_of_deliveries', comp: '<', value: 2 },
        { field: 'feedback__grade', comp: 'exact', value: ' ' },
      ],
    });
    assert.deepEqual(ids(res), [w.groups.g2, w.groups.g4]);
  });
});

describe('ordering', () => {
  const cases: [string[], () => number[]][] = [
    [['name'], () => [w.groups.g4, w.groups.g5, w.groups.g1, w.groups.g2]],
    [['-name'], () => [w.groups.g2, w.groups.g1, w.groups.g5, w.groups.g4]],
    [['id'], () => [w.groups.g1, w.groups.g2, w.groups.g4, w.groups.g5]],
    [['-id'], () => [w.groups.g5, w.groups.g4, w.groups.g2, w.groups.g1]],
    [['latest_deadline_deadline'], () => [w.groups.g5, w.groups.g2, w.groups.g1, w.groups.g4]],
    [['-latest_deadline_deadline'], () => [w.groups.g4, w.groups.g1, w.groups.g2, w.groups.g5]],
    [['number_of_deliveries'], () => [w.groups.g4, w.groups.g5, w.groups.g2, w.groups.g1]],
    [['-number_of_deliveries'], () => [w.groups.g1, w.groups.g2, w.groups.g5, w.groups.g4]],
    [['is_open'], () => [w.groups.g5, w.groups.g1, w.groups.g2, w.groups.g4]],
    [['feedback'], () => [w.groups.g4, w.groups.g5, w.groups.g1, w.groups.g2]],
    [['latest_delivery_id'], () => [w.groups.g4, w.groups.g5, w.groups.g1, w.groups.g2]],
    [['-latest_deadline_id'], () => [w.groups.g4, w.groups.g2, w.groups.g1, w.groups.g5]],
    [['parentnode', '-name'], () => [w.groups.g2, w.groups.g1, w.groups.g5, w.groups.g4]],
    [['-candidates__email', 'id'], () => [w.groups.g2, w.groups.g1, w.groups.g4, w.groups.g5]],
    [['candidates__full_name'], () => [w.groups.g4, w.groups.g5, w.groups.g1, w.groups.g2]],
    [['bogus', '-name'], () => [w.groups.g2, w.groups.g1, w.groups.g5, w.groups.g4]],
    [['feedback__points'], () => [w.groups.g1, w.groups.g2, w.groups.g4, w.groups.g5]],
  ];
  for (const [orderby, expected] of cases) {
    it(`orderby ${JSON.stringify(orderby)}`, async () => assert.deepEqual(ids(await search({ orderby })), expected()));
  }

  it('fields from a requested field group become orderable', async () => {
    const { g1, g2, g4, g5 } = w.groups;
    assert.deepEqual(ids(await search({ orderby: ['feedback__points'], result_fieldgroups: ['feedback'] })), [g4, g5, g2, g1]);
    assert.deepEqual(ids(await search({ orderby: ['-feedback__grade'], result_fieldgroups: ['feedback'] })), [g2, g1, g5, g4]);
    assert.deepEqual(ids(await search({ orderby: ['-parentnode__short_name', 'name'], result_fieldgroups: ['assignment'] })), [g4, g5, g1, g2]);
    assert.deepEqual(ids(await search({ orderby: ['-tags__tag'], result_fieldgroups: ['tags'] })), [g2, g1, g5, g4]);
  });

  it('candidates__identifier orders by each group\'s smallest identifier', async () => {
    const res = ok(await search({ orderby: ['candidates__identifier'], result_fieldgroups: ['users'] }));
    const firsts = res.body.items.map((i: { candidates__identifier: string[] }) => i.candidates__identifier[0]);
    assert.deepEqual(firsts, [...firsts].sort((a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});

describe('paging', () => {
  const cases: [Record<string, unknown>, (all: number[]) => number[]][] = [
    [{ limit: 2 }, (a) => a.slice(0, 2)],
    [{ start: 2, limit: 2 }, (a) => a.slice(2, 4)],
    [{ start: 3 }, (a) => a.slice(3)],
    [{ start: 4 }, () => []],
    [{ start: 100, limit: 5 }, () => []],
    [{ limit: 0 }, () => []],
    [{ start: '1', limit: '1' }, (a) => a.slice(1, 2)],
  ];
  for (const [params, expected] of cases) {
    it(`${JSON.stringify(params)}: the page, and the total before paging`, async () => {
      const all = ids(await search({}));
      const res = await search(params);
      assert.deepEqual(ids(res), expected(all));
      assert.equal(res.body.total, 4);
    });
  }

  it('limit defaults to 50', async () => {
    const h = w.server.services.examination.hierarchy;
    const { adminActor } = await import('../helpers/fixtures.ts');
    const admin = await adminActor(w.server);
    const exercise = await h.createAssignment(admin, {
      periodId: w.hierarchy.period, shortName: 'many', longName: 'Many Groups', publishingTime: '2024-01-01T00:00:00.000000Z', anonymous: false, deliveryTypes: 0, scalePointsPercent: 100,
    });
    for (let i = 0; i < 52; i++) await h.createGroup(admin, { assignmentId: exercise, name: `bulk ${i}`, examiners: [w.users.ex2.username] });
    const res = ok(await ex2.get(GROUPS, { filters: [{ field: 'parentnode', comp: 'exact', value: exercise }] }));
    assert.equal(res.body.items.length, 50);
    assert.equal(res.body.total, 52);
  });

  it('exact_number_of_results checks the total (and passes when it matches)', async () => {
    failsWith(await search({ exact_number_of_results: 1 }), 400, { errormessages: ['Expected 1, got 4.'] });
    failsWith(await search({ exact_number_of_results: 4, limit: 1 }), 200, ok(await search({ limit: 1 })).body);
    assert.deepEqual(ids(await search({ query: 'pair', exact_number_of_results: 1 })), [w.groups.g1]);
  });
});

describe('transports', () => {
  it('a JSON body on GET, labelled as a form (devilryrestfullib) or as JSON', async () => {
    assert.deepEqual(ids(await search({ query: 'pair' })), [w.groups.g1]);
    const asJson = await ex1.get(GROUPS, { query: 'pair' }, { headers: { 'content-type': 'application/json' } });
    assert.deepEqual(ids(asJson), [w.groups.g1]);
    const unlabelled = await ex1.get(GROUPS, undefined, { raw: JSON.stringify({ query: 'pair' }) });
    assert.deepEqual(ids(unlabelled), [w.groups.g1]);
  });

  it('an empty body is {}', async () => {
    assert.equal(ok(await ex1.get(GROUPS)).body.total, 4);
    assert.equal(ok(await ex1.get(GROUPS, '')).body.total, 4);
  });

  it('the query string with getdata_in_qrystring (lists JSON-encoded); the body is then ignored', async () => {
    const q = new URLSearchParams({
      getdata_in_qrystring: '1',
      filters: JSON.stringify([{ field: 'is_open', comp: 'exact', value: true }]),
      orderby: JSON.stringify(['-name']),
      result_fieldgroups: JSON.stringify(['feedback']),
      limit: '2',
      query: 'o',
    });
    const res = ok(await ex1.get(`${GROUPS}?${q}`, 'not json at all'));
    assert.deepEqual(ids(res), [w.groups.g2, w.groups.g1]);
    assert.equal(res.body.total, 3);
    assert.equal(res.body.items[0].feedback__grade, 'B');
    // Malformed lists fall back to their defaults.
    assert.equal(ok(await ex1.get(`${GROUPS}?getdata_in_qrystring&filters=%5Boops&orderby=7`)).body.total, 4);
    // Read too.
    assert.equal(ok(await ex1.get(`${GROUPS}${w.groups.g1}?getdata_in_qrystring=1&result_fieldgroups=${encodeURIComponent('["tags"]')}`)).body.tags__tag.length, 2);
  });

  it('ExtJS: the header selects the query string, `filter`/`sort` aliases and the success wrapper', async () => {
    const extjs = { headers: { 'x-devilry-use-extjs': 'true' } };
    const q = new URLSearchParams({ filter: JSON.stringify([{ property: 'is_open', value: false }]), sort: JSON.stringify([{ property: 'name', direction: 'DESC' }]) });
    const res = ok(await ex1.get(`${GROUPS}?${q}`, undefined, extjs));
    assert.deepEqual(res.body, { items: res.body.items, total: 1, success: true });
    assert.equal(res.body.items[0].id, w.groups.g5);
    const read = ok(await ex1.get(`${GROUPS}${w.groups.g5}`, undefined, extjs));
    assert.equal(read.body.success, true);
    assert.equal(read.body.items.id, w.groups.g5);
    const bad = await ex1.get(`${GROUPS}?limit=-1`, undefined, extjs);
    failsWith(bad, 400, { fielderrors: { limit: ['Ensure this value is greater than or equal to 0.'] }, errormessages: [], success: false });
  });
});

describe('errors', () => {
  it('an unknown filter field, comparison or field group is a 400 with errormessages', async () => {
    const unknownField = await search({ filters: [{ field: 'password', comp: 'exact', value: 'x' }] });
    assert.equal(unknownField.status, 400);
    assert.match(unknownField.body.errormessages[0], /^Invalid filter fieldname password in: \{"field":"password","comp":"exact","value":"x"\}\. Available filter fieldnames: id, parentnode, /);
    failsWith(await search({ filters: [{ field: 'id', comp: 'like', value: 1 }] }), 400, {
      errormessages: ['Invalid filter: {"field":"id","comp":"like","value":1}. like is not a supported "comp".'],
    });
    const badGroup = await search({ result_fieldgroups: ['secrets'] });
    assert.equal(badGroup.status, 400);
    assert.match(badGroup.body.errormessages[0], /^Invalid result_fieldgroups: secrets\. Available fieldgroups: users, tags, /);
    failsWith(await search({ filters: [{ comp: 'exact', value: 1 }] }), 400, { errormessages: ['Invalid filter: {"comp":"exact","value":1}. No "field" specified.'] });
    failsWith(await search({ filters: ['x'] }), 400, { errormessages: ['Invalid filter: "x"'] });
  });

  it('ill-typed filter values are a 400, never a 500', async () => {
    const bad: [string, unknown][] = [
      ['feedback__points', 'ninety'],
      ['id', '1; DROP TABLE users'],
      ['number_of_deliveries', { $gt: 1 }],
      ['latest_deadline_deadline', 'yesterday'],
      ['latest_deadline_deadline', 20240101],
      ['is_open', 3],
      ['parentnode', 1e300],
      ['feedback__points', [1, 2]],
    ];
    for (const [field, value] of bad) {
      const res = await search({ filters: [{ field, comp: 'exact', value }] });
      assert.equal(res.status, 400, `${field} ${JSON.stringify(value)}: ${res.text}`);
      assert.match(res.body.errormessages[0], new RegExp(`^Value has invalid type for field ${field}: `));
    }
  });

  it('bad paging parameters are 400 with fielderrors', async () => {
    failsWith(await search({ limit: -1 }), 400, { fielderrors: { limit: ['Ensure this value is greater than or equal to 0.'] }, errormessages: [] });
    failsWith(await search({ start: 'first' }), 400, { fielderrors: { start: ['Enter a whole number.'] }, errormessages: [] });
  });

  it('a start or limit past 2^53 is a 400 "A number is out of range." on both engines; 2^53-1 still pages', async () => {
    const outOfRange = (field: string) => ({ fielderrors: { [field]: ['A number is out of range.'] }, errormessages: [] });
    for (const value of [1e20, '100000000000000000000', '9223372036854775808', 2 ** 63, 2 ** 53]) {
      failsWith(await search({ start: value }), 400, outOfRange('start'));
      failsWith(await search({ limit: value }), 400, outOfRange('limit'));
    }
    failsWith(await ex1.get(`${GROUPS}?getdata_in_qrystring=1&start=9223372036854775808`), 400, outOfRange('start'));
    failsWith(await ex1.get(`${GROUPS}?getdata_in_qrystring=1&limit=-9223372036854775808`), 400, {
      fielderrors: { limit: ['Ensure this value is greater than or equal to 0.'] },
      errormessages: [],
    });
    // Every resource's search reads its paging the same way.
    failsWith(await ex1.get('/examiner/restfulsimplifieddeadline/', { limit: 1e20 }), 400, outOfRange('limit'));
    failsWith(await ex1.get('/examiner/restfulsimplifiedperiod/', { start: '9223372036854775808' }), 400, outOfRange('start'));
    const largest = ok(await search({ start: Number.MAX_SAFE_INTEGER, limit: Number.MAX_SAFE_INTEGER }));
    assert.deepEqual(largest.body.items, []);
    assert.equal(largest.body.total, 4);
  });

  it('invalid JSON is a 400 "Bad request data"; a body that is not an object too', async () => {
    const res = await ex1.get(GROUPS, '{"query": ');
    assert.equal(res.status, 400);
    assert.match(res.body.errormessages[0], /^Bad request data: .+\. Perhaps you meant to send GET data as a querystring\? In that case, add getdata_in_qrystring=1 to your querystring\.$/);
    assert.equal((await ex1.get(GROUPS, [1, 2])).status, 400);
    assert.equal((await ex1.put(`${GROUPS}${w.groups.g1}`, '{bad')).status, 400);
  });

  it('no login is a 403 with a JSON body; an unknown resource or role path is a 404', async () => {
    const { devilryClient } = await import('./world.ts');
    const anonymous = devilryClient(w.server, null);
    failsWith(await anonymous.get(GROUPS, {}), 403, { errormessages: ['Authentication required'] });
    failsWith(await devilryClient(w.server, 'sessionid=assay_forged').get(GROUPS, {}), 403, { errormessages: ['Authentication required'] });
    failsWith(await ex1.get('/examiner/restfulsimplifiednode/', {}), 404, { errormessages: ['Not found'] });
    failsWith(await ex1.get('/examiner/restfulsimplifiedassignmentgroup/1/extra', {}), 404, { errormessages: ['Not found'] });
    failsWith(await ex1.get('/examiner/somethingelse', {}), 404, { errormessages: ['Not found'] });
  });

  it('a method the resource does not have is a 405 with Allow', async () => {
    const res = await ex1.delete(`${GROUPS}${w.groups.g1}`, {});
    failsWith(res, 405, { errormessages: ['Method not supported for this resource'] });
    assert.equal(res.headers.allow, 'GET, PUT');
    const post = await ex1.post(GROUPS, { name: 'x' });
    failsWith(post, 405, { errormessages: ['Method not supported for this resource'] });
    assert.equal(post.headers.allow, 'GET, PUT');
    failsWith(await ex1.patch(`${GROUPS}${w.groups.g1}`, {}), 405, { errormessages: ['Method not supported for this resource'] });
    const student = await devilryLogin(w.server, w.users.alice.username);
    failsWith(await student.put(`/student/restfulsimplifiedassignmentgroup/${w.groups.g1}`, { is_open: false }), 405, { errormessages: ['Method not supported for this resource'] });
  });

  it('an operation not built yet is a 501; a method the role lacks is a 405', async () => {
    const student = await devilryLogin(w.server, w.users.alice.username);
    failsWith(await student.post('/student/restfulsimplifiedfilemeta/', {}), 501, { errormessages: ['Not implemented'] });
    const { makeUser } = await import('../helpers/fixtures.ts');
    const admin = await devilryLogin(w.server, (await makeUser(w.server, 5)).username);
    // Administrators have no update on deadlines, but search/read exist: the GET forms are only for missing S/R.
    failsWith(await admin.put('/administrator/restfulsimplifieddeadline/1', {}), 405, { errormessages: ['Method not supported for this resource'] });
  });
});

describe('examiner update of a group', () => {
  it('only is_open may change; the answer echoes the submitted object with the id', async () => {
    const res = ok(await ex1.put(`${GROUPS}${w.groups.g4}`, { is_open: false }));
    assert.deepEqual(res.body, { is_open: false, id: w.groups.g4 });
    assert.equal(ok(await ex1.get(`${GROUPS}${w.groups.g4}`)).body.is_open, false);
    ok(await ex1.put(`${GROUPS}${w.groups.g4}/`, { is_open: true }));
    assert.equal(ok(await ex1.get(`${GROUPS}${w.groups.g4}`)).body.is_open, true);
  });

  it('any other field is a 403 naming it; nothing is written', async () => {
    failsWith(await ex1.put(`${GROUPS}${w.groups.g4}`, { is_open: false, name: 'Renamed' }), 403, { errormessages: ['Field name can not be edited.'] });
    const item = ok(await ex1.get(`${GROUPS}${w.groups.g4}`)).body;
    assert.equal(item.name, 'Anon A');
    assert.equal(item.is_open, true);
  });

  it('an invisible or missing group is the same 403; a bad value is a 400 with fielderrors', async () => {
    failsWith(await ex1.put(`${GROUPS}${w.groups.g3}`, { is_open: false }), 403, { errormessages: ['Forbidden'] });
    failsWith(await ex1.put(`${GROUPS}424242`, { is_open: false }), 403, { errormessages: ['Forbidden'] });
    failsWith(await ex1.put(`${GROUPS}${w.groups.g1}`, { is_open: 'maybe' }), 400, { fielderrors: { is_open: ["'is_open' value must be either True or False."] }, errormessages: [] });
  });

  it('bulk update: all or nothing, in one transaction', async () => {
    const { g1, g2, g3 } = w.groups;
    failsWith(await ex1.put(GROUPS, [{ pk: g1, is_open: false }, { pk: g3, is_open: false }]), 403, { errormessages: ['Forbidden'] });
    assert.equal(ok(await ex1.get(`${GROUPS}${g1}`)).body.is_open, true);
    failsWith(await ex1.put(GROUPS, [{ pk: g1, is_open: 'x' }, { is_open: true }, { pk: g2, is_open: true }]), 400, [
      { fielderrors: { is_open: ["'is_open' value must be either True or False."] }, errormessages: [] },
      { fielderrors: { pk: ['This field is required.'] }, errormessages: [] },
    ]);
    failsWith(await ex1.put(GROUPS, [{ pk: g1, is_open: false }, { pk: g2, is_open: false }]), 200, [g1, g2]);
    assert.deepEqual(ids(await search({ filters: [{ field: 'is_open', comp: 'exact', value: false }] })), [g1, g2, w.groups.g5]);
    failsWith(await ex1.put(GROUPS, [{ pk: g1, is_open: true }, { pk: g2, is_open: true }]), 200, [g1, g2]);
    failsWith(await ex1.put(GROUPS, { pk: g1 }), 400, { errormessages: ['Bad request data: Expected a JSON array. Perhaps you meant to send GET data as a querystring? In that case, add getdata_in_qrystring=1 to your querystring.'] });
  });
});

