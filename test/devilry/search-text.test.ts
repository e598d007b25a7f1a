/**
 * Query words and identifier filters read each group's search texts (migration 0031), which
 * triggers keep: every write of a name, tag, candidate, candidate id or user shows in the next
 * search, whichever way it was made.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeUser } from '../helpers/fixtures.ts';
import { buildWorld, devilryLogin, fails, GROUPS, ids } from './world.ts';
import type { DevilryClient, World } from './world.ts';

let w: World;
let ex1: DevilryClient;
let root: DevilryClient;

const url = (model: string) => `/administrator/restfulsimplified${model}/`;

before(async () => {
  w = await buildWorld();
  ex1 = await devilryLogin(w.server, w.users.ex1.username);
  root = await devilryLogin(w.server, (await makeUser(w.server, 5)).username);
});
after(() => w.server.close());

const found = async (query: string) => ids(await ex1.get(GROUPS, { query }));
const byIdentifier = async (comp: string, value: string) => ids(await ex1.get(GROUPS, { filters: [{ field: 'candidates__identifier', comp, value }] }));

async function create(model: string, body: Record<string, unknown>): Promise<number> {
  const res = await root.post(url(model), body);
  assert.equal(res.status, 201, res.text);
  return res.body.id as number;
}

describe('search texts follow every write', () => {
  it('a group renamed', async () => {
    const { g2 } = w.groups;
    assert.deepEqual(await found('quokka'), []);
    fails(await root.put(`${url('assignmentgroup')}${g2}`, { name: 'Quokka Corner' }), 200, { name: 'Quokka Corner', id: g2 });
    assert.deepEqual(await found('QUOKKA'), [g2]);
    assert.deepEqual(await found('solo'), [g2], 'the tag still matches');
    fails(await root.put(`${url('assignmentgroup')}${g2}`, { name: 'Solo Carol' }), 200, { name: 'Solo Carol', id: g2 });
    assert.deepEqual(await found('quokka'), []);
  });

  it('tags added, renamed and removed', async () => {
    const { g1, g5 } = w.groups;
    const tag = await create('assignmentgrouptag', { assignment_group: g5, tag: 'wombat' });
    assert.deepEqual(await found('wombat'), [g5], 'a tag matches on an anonymous assignment too');
    fails(await root.put(`${url('assignmentgrouptag')}${tag}`, { tag: 'numbat' }), 200, { tag: 'numbat', id: tag });
    assert.deepEqual(await found('wombat'), []);
    assert.deepEqual(await found('numbat'), [g5]);
    fails(await root.put(`${url('assignmentgrouptag')}${tag}`, { assignment_group: g1 }), 200, { assignment_group: g1, id: tag });
    assert.deepEqual(await found('numbat'), [g1], 'a tag moved leaves its old group');
    fails(await root.delete(`${url('assignmentgrouptag')}${tag}`), 200, { id: String(tag) });
    assert.deepEqual(await found('numbat'), []);
  });

  it('candidates added, given a candidate id, moved and removed', async () => {
    const { g1, g2, g4, g5 } = w.groups;
    const { dave } = w.users;
    assert.deepEqual(await found('zed'), [], 'dave is a candidate only in a group ex1 does not examine');
    const id = await create('candidate', { student: dave.username, assignment_group: g2 });
    assert.deepEqual(await found('zed'), [g2]);
    assert.deepEqual(await byIdentifier('icontains', dave.username.toUpperCase()), [g2]);
    // Moved to an anonymous assignment: found by candidate id only, not by name.
    fails(await root.put(`${url('candidate')}${id}`, { assignment_group: g5 }), 200, { assignment_group: g5, id });
    assert.deepEqual(await found('zed'), []);
    assert.deepEqual(await byIdentifier('icontains', dave.username), []);
    fails(await root.put(`${url('candidate')}${id}`, { candidate_id: 'Z-99' }), 200, { candidate_id: 'Z-99', id });
    assert.deepEqual(await found('z-99'), [g5]);
    assert.deepEqual(await byIdentifier('exact', 'Z-99'), [g5]);
    // Bob in g5 still has no candidate id: g5 is "candidate-id missing" until he gets one.
    assert.deepEqual(await byIdentifier('exact', 'none'), [g5]);
    assert.deepEqual(await found('missing'), [g5]);
    fails(await root.put(`${url('candidate')}${id}`, { candidate_id: 'Z-100' }), 200, { candidate_id: 'Z-100', id });
    assert.deepEqual(await found('z-99'), []);
    fails(await root.delete(`${url('candidate')}${id}`), 200, { id: String(id) });
    assert.deepEqual(await found('z-100'), []);
    assert.deepEqual(await found('a-17'), [g4]);
    assert.deepEqual(await found('smith'), [g1], "alice is found by name where the assignment is not anonymous");
  });

  it('a user renamed, through any path (here straight in the table)', async () => {
    const { g1, g2 } = w.groups;
    const { carol } = w.users;
    const users = () => w.server.services.db.updateTable('users').where('id', '=', carol.id);
    await users().set({ first_name: 'Caroline', last_name: 'Platypus', email: 'cp@zoo.example' }).execute();
    assert.deepEqual(await found('platypus'), [g2]);
    assert.deepEqual(await found('zoo.example'), [g2]);
    assert.deepEqual(await found('quux'), []);
    assert.deepEqual(await found('example.com'), [g1], 'carol no longer has an example.com address');
    await users().set({ first_name: 'Carol', last_name: 'Quux', email: `${carol.username}@example.com` }).execute();
    assert.deepEqual(await found('platypus'), []);
    assert.deepEqual(await found('quux'), [g2]);
  });
});

describe('matching stays literal and case-insensitive', () => {
  it('% and _ in a word match themselves only', async () => {
    const { g1, g2 } = w.groups;
    fails(await root.put(`${url('assignmentgroup')}${g1}`, { name: '50%_Off' }), 200, { name: '50%_Off', id: g1 });
    try {
      assert.deepEqual(await found('%'), [g1]);
      assert.deepEqual(await found('%_'), [g1]);
      assert.deepEqual(await found('0%_o'), [g1]);
      assert.deepEqual(await found('50_'), []);
      assert.deepEqual(await found('5%'), []);
      assert.deepEqual(await byIdentifier('icontains', '%'), []);
      assert.deepEqual(await found('solo'), [g2]);
    } finally {
      fails(await root.put(`${url('assignmentgroup')}${g1}`, { name: 'Group One' }), 200, { name: 'Group One', id: g1 });
    }
  });

  it('a word never matches across two values of a group', async () => {
    // g1's name "Group One" and tags "first", "pair": no word spans two of them.
    assert.deepEqual(await found('onefirst'), []);
    assert.deepEqual(await found('one first'), [w.groups.g1]);
    assert.deepEqual(await found('firstpair'), []);
  });
});
