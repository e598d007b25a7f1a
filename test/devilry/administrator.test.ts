import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { makeUser } from '../helpers/fixtures.ts';
import { devilryLogin, fails, ids, ok } from './world.ts';
import type { DevilryClient } from './world.ts';

let server: TestServer;
let root: DevilryClient;
let staff: DevilryClient;
let examiner: { username: string };
let student: { username: string };

before(async () => {
  server = await startTestServer();
  root = await devilryLogin(server, (await makeUser(server, 5)).username);
  staff = await devilryLogin(server, (await makeUser(server, 3)).username);
  examiner = await makeUser(server, 2);
  student = await makeUser(server, 1);
});
after(() => server.close());

const url = (model: string) => `/administrator/restfulsimplified${model}/`;

async function create(model: string, body: Record<string, unknown>): Promise<number> {
  const res = await root.post(url(model), body);
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body, { ...body, id: res.body.id });
  return res.body.id as number;
}

describe('a superuser builds the hierarchy', () => {
  it('node → subject → period → assignment → group, then sees it through every search', async () => {
    const node = await create('node', { short_name: 'uni', long_name: 'University' });
    const subject = await create('subject', { parentnode: node, short_name: 'adm101', long_name: 'Administration' });
    const period = await create('period', { parentnode: subject, short_name: 'adm-fall', long_name: 'Fall', start_time: '2024-08-01T00:00:00', end_time: '2024-12-20T00:00:00' });
    const assignment = await create('assignment', { parentnode: period, short_name: 'a1', long_name: 'First', publishing_time: '2024-08-15T00:00:00', anonymous: false });
    const group = await create('assignmentgroup', {
      parentnode: assignment,
      name: 'Team',
      candidates: [{ student: student.username, candidate_id: '7' }],
      examiners: [examiner.username],
      tags: ['x'],
    });
    const groups = ok(await root.get(url('assignmentgroup'), { result_fieldgroups: ['users', 'tags', 'subject'] }));
    assert.deepEqual(ids(groups), [group]);
    assert.deepEqual(groups.body.items[0].candidates__identifier, [student.username]);
    assert.deepEqual(groups.body.items[0].tags__tag, ['x']);
    assert.equal(groups.body.items[0].parentnode__parentnode__parentnode, subject);
    assert.deepEqual(ids(await root.get(url('assignment'), {})), [assignment]);
    assert.deepEqual(ids(await root.get(url('period'), {})), [period]);
    assert.deepEqual(ids(await root.get(url('subject'), {})), [subject]);
    // The examiner named on the group now finds it.
    const ex = await devilryLogin(server, examiner.username);
    assert.deepEqual(ids(await ex.get('/examiner/restfulsimplifiedassignmentgroup/', {})), [group]);
  });

  it('validation errors, unknown users and missing parents are 400s; nothing is written', async () => {
    fails(await root.post(url('subject'), { long_name: 'x' }), 400, {
      fielderrors: { short_name: ['This field is required.'], parentnode: ['This field is required.'] },
      errormessages: [],
    });
    fails(await root.post(url('assignment'), { parentnode: 1, short_name: 'b', publishing_time: 'later' }), 400, {
      fielderrors: { publishing_time: ['Enter a valid date/time.'] },
      errormessages: [],
    });
    const before = ok(await root.get(url('assignmentgroup'), {})).body.total;
    fails(await root.post(url('assignmentgroup'), { parentnode: 1, examiners: ['nobody-such'] }), 400, { errormessages: ['Invalid username: nobody-such'] });
    fails(await root.post(url('assignmentgroup'), { parentnode: 1, examiners: 'bob' }), 400, { fielderrors: { examiners: ['Enter a list of values.'] }, errormessages: [] });
    const orphan = await root.post(url('subject'), { parentnode: 987654, short_name: 'orphan' });
    assert.equal(orphan.status, 400, orphan.text);
    assert.equal(ok(await root.get(url('assignmentgroup'), {})).body.total, before);
  });

  it('only superusers build; a student\'s file upload is not implemented yet', async () => {
    fails(await staff.post(url('node'), { short_name: 'n' }), 403, { errormessages: ['Forbidden'] });
    assert.equal(ok(await root.get(url('node'), { query: 'university' })).body.total, 1);
    assert.equal(ok(await staff.get(url('node'), {})).body.total, 0);
    fails(await root.delete(`${url('subject')}987654`), 403, { errormessages: ['Forbidden'] });
    fails(await staff.put(`${url('subject')}1`, { long_name: 'x' }), 403, { errormessages: ['Forbidden'] });
    fails(await root.post('/student/restfulsimplifiedfilemeta/', { delivery: 1, filename: 'a.txt' }), 501, { errormessages: ['Not implemented'] });
  });
});

describe('a superuser changes and removes the hierarchy', () => {
  it('updates each level; deletes a group, an assignment and a period with all below', async () => {
    const node = await create('node', { short_name: 'n2', long_name: 'Two' });
    const subject = await create('subject', { parentnode: node, short_name: 'upd101', long_name: 'Before' });
    const period = await create('period', { parentnode: subject, short_name: 'upd-p', long_name: 'P' });
    const assignment = await create('assignment', { parentnode: period, short_name: 'u1', long_name: 'U', publishing_time: '2024-01-01T00:00:00' });
    const group = await create('assignmentgroup', { parentnode: assignment, name: 'G', examiners: [examiner.username] });

    fails(await root.put(`${url('subject')}${subject}`, { long_name: 'After' }), 200, { long_name: 'After', id: subject });
    assert.equal(ok(await root.get(`${url('subject')}${subject}`)).body.long_name, 'After');
    fails(await root.put(`${url('period')}${period}`, { start_time: '2024-01-01T00:00:00', end_time: '2024-06-01T00:00:00' }), 200, {
      start_time: '2024-01-01T00:00:00', end_time: '2024-06-01T00:00:00', id: period,
    });
    assert.equal(ok(await root.get(`${url('period')}${period}`)).body.end_time, '2024-06-01T00:00:00');
    fails(await root.put(`${url('assignment')}${assignment}`, { anonymous: true, long_name: 'Anon' }), 200, { anonymous: true, long_name: 'Anon', id: assignment });
    const a = ok(await root.get(`${url('assignment')}${assignment}`)).body;
    assert.deepEqual([a.anonymous, a.long_name], [true, 'Anon']);
    fails(await root.put(`${url('assignmentgroup')}${group}`, { name: 'Renamed', is_open: false }), 200, { name: 'Renamed', is_open: false, id: group });
    const g = ok(await root.get(`${url('assignmentgroup')}${group}`)).body;
    assert.deepEqual([g.name, g.is_open], ['Renamed', false]);
    fails(await root.put(`${url('node')}${node}`, { short_name: 'n3' }), 200, { short_name: 'n3', id: node });

    fails(await root.put(`${url('assignment')}${assignment}`, { parentnode: 1 }), 403, { errormessages: ['Field parentnode can not be edited.'] });
    fails(await root.put(`${url('assignment')}${assignment}`, { publishing_time: 'never' }), 400, { fielderrors: { publishing_time: ['Enter a valid date/time.'] }, errormessages: [] });
    fails(await root.put(`${url('subject')}987654`, { long_name: 'x' }), 403, { errormessages: ['Forbidden'] });

    fails(await root.delete(`${url('assignmentgroup')}${group}`), 200, { id: String(group) });
    fails(await root.get(`${url('assignmentgroup')}${group}`), 403, { errormessages: ['Forbidden'] });
    fails(await root.delete(`${url('assignment')}${assignment}`), 200, { id: String(assignment) });
    fails(await root.delete(`${url('period')}${period}`), 200, { id: String(period) });
    fails(await root.get(`${url('period')}${period}`), 403, { errormessages: ['Forbidden'] });
    fails(await root.delete(`${url('period')}${period}`), 403, { errormessages: ['Forbidden'] });
  });
});

describe('period short names', () => {
  it('a period short_name is unique within its subject, not across subjects', async () => {
    const node = await create('node', { short_name: 'psn', long_name: 'Period names' });
    const s1 = await create('subject', { parentnode: node, short_name: 'psn101', long_name: 'One' });
    const s2 = await create('subject', { parentnode: node, short_name: 'psn102', long_name: 'Two' });
    const p1 = await create('period', { parentnode: s1, short_name: 'spring', long_name: 'Spring One' });
    const p2 = await create('period', { parentnode: s2, short_name: 'spring', long_name: 'Spring Two' });
    const a2 = await create('assignment', { parentnode: p2, short_name: 'a1', long_name: 'First', publishing_time: '2024-01-01T00:00:00' });
    const g2 = await create('assignmentgroup', { parentnode: a2, name: 'G', examiners: [examiner.username] });
    fails(await root.post(url('period'), { parentnode: s1, short_name: 'spring' }), 400, { errormessages: ['This object already exists.'] });

    for (const [period, subject] of [[p1, s1], [p2, s2]]) {
      const read = ok(await root.get(`${url('period')}${period}`, { result_fieldgroups: ['subject'] })).body;
      assert.deepEqual([read.short_name, read.parentnode], ['spring', subject]);
    }
    const both = ok(await root.get(url('period'), { filters: [{ field: 'short_name', comp: 'exact', value: 'spring' }] }));
    assert.deepEqual(ids(both), [p1, p2]);
    assert.deepEqual(ids(await root.get(url('period'), { query: 'spring psn102', result_fieldgroups: ['subject'] })), [p2]);
    const assignment = ok(await root.get(`${url('assignment')}${a2}`, { result_fieldgroups: ['period'] })).body;
    assert.equal(assignment.parentnode__short_name, 'spring');
    const ex = await devilryLogin(server, examiner.username);
    const group = ok(await ex.get('/examiner/restfulsimplifiedassignmentgroup/', { query: 'spring', result_fieldgroups: ['period'] }));
    assert.deepEqual(ids(group), [g2]);
    assert.equal(group.body.items[0].parentnode__parentnode__short_name, 'spring');

    // Renaming and moving keep the rule: free names are fine, a name the subject has is a 400.
    fails(await root.put(`${url('period')}${p2}`, { short_name: 'autumn' }), 200, { short_name: 'autumn', id: p2 });
    assert.equal(ok(await root.get(`${url('period')}${p2}`)).body.short_name, 'autumn');
    const p3 = await create('period', { parentnode: s2, short_name: 'spring', long_name: 'Spring Three' });
    fails(await root.put(`${url('period')}${p3}`, { short_name: 'autumn' }), 400, { errormessages: ['This object already exists.'] });
    fails(await root.put(`${url('period')}${p1}`, { parentnode: s2 }), 400, { errormessages: ['This object already exists.'] });
    assert.equal(ok(await root.get(`${url('period')}${p1}`)).body.parentnode, s1);
  });
});
