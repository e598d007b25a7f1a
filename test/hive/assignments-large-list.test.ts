import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { makeCast, makeExercise } from '../helpers/fixtures.ts';

interface Row {
  id: number;
  exercise: number;
  is_subscribed: boolean;
  notifications: { id: number; from_user: number | null; comment: string }[];
}

/**
 * A list of more assignments than the subscriptions and nested notifications are looked up by id
 * for (500): they are then read for the reader in one query and kept for the listed assignments.
 * Both ways must answer the same, and only the reader's unread notifications on listed assignments.
 */
describe('hive GET /assignments/ over 500 assignments: subscriptions and nested notifications', () => {
  let server: TestServer;
  let cast: Awaited<ReturnType<typeof makeCast>>;
  let checkerId: number;
  const ids: number[] = [];
  let exerciseIds: number[];
  let foreignId: number;

  before(async () => {
    server = await startTestServer();
    cast = await makeCast(server, 'Large A', 'Large B');
    checkerId = cast.A.checker.id;
    const db = server.services.db;
    const now = server.services.clock.now();
    exerciseIds = [(await makeExercise(server, cast.A.module.id)).id, (await makeExercise(server, cast.A.module.id)).id];
    const students = Array.from({ length: 260 }, (_, i) => ({
      username: `large_${i}`,
      first_name: 'Large',
      last_name: String(i),
      clearance: 1,
      number: 700_000 + i,
      program_id: cast.A.program.id,
      status_date: now,
      created_at: now,
    }));
    const userIds = (await db.insertInto('users').values(students).returning('id').execute()).map((r) => r.id);
    const rows = userIds.flatMap((user_id) => exerciseIds.map((exercise_id) => ({ exercise_id, user_id, status: 'New', last_staff_updated: now, created_at: now, updated_at: now })));
    for (let i = 0; i < rows.length; i += 200) ids.push(...(await db.insertInto('assignments').values(rows.slice(i, i + 200)).returning('id').execute()).map((r) => r.id));
    // An assignment of program B: its notification for the checker is not in A's list.
    const bExercise = await makeExercise(server, cast.B.module.id);
    foreignId = (await db.insertInto('assignments').values({ exercise_id: bExercise.id, user_id: userIds[0]!, status: 'New', last_staff_updated: now, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id;
    for (const id of [ids[10]!, ids[515]!]) assert.equal((await cast.checkerA.put(`/api/core/assignments/${id}/subscribe/`)).status, 200);
    const note = (assignment_id: number, for_user_id: number, comment: string, was_read = false) => ({ for_user_id, from_user_id: userIds[1]!, assignment_id, comment, was_read, created_at: now });
    await db
      .insertInto('notifications')
      .values([
        note(ids[3]!, checkerId, 'unread on 3'),
        note(ids[517]!, checkerId, 'unread on 517'),
        note(ids[517]!, checkerId, 'second on 517'),
        note(ids[5]!, checkerId, 'read on 5', true),
        note(ids[7]!, userIds[2]!, 'someone else’s on 7'),
        note(foreignId, checkerId, 'on program B'),
      ])
      .execute();
  });
  after(() => server.close());

  it('marks the subscribed ones and nests the reader’s unread notifications, as the by-id lookup does', async () => {
    const res = await cast.checkerA.get('/api/core/assignments/');
    assert.equal(res.status, 200, res.text);
    const list = res.body as Row[];
    assert.deepEqual(list.map((a) => a.id), ids);
    assert.deepEqual(list.filter((a) => a.is_subscribed).map((a) => a.id), [ids[10], ids[515]]);
    const nested = list.filter((a) => a.notifications.length > 0).map((a) => [a.id, a.notifications.map((n) => n.comment)]);
    assert.deepEqual(nested, [[ids[3], ['unread on 3']], [ids[517], ['unread on 517', 'second on 517']]]);
    // The list is written by JSON.stringify; the single assignment by the schema's serializer: the same wire.
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    for (const id of [ids[3]!, ids[10]!, ids[517]!]) {
      const one = await cast.checkerA.get(`/api/core/assignments/${id}/`);
      assert.equal(one.status, 200, one.text);
      assert.equal(JSON.stringify(list.find((a) => a.id === id)), one.text);
    }
    // Fewer than 500 (one exercise's 260): looked up by id; the same answer for those rows.
    for (const exerciseId of exerciseIds) {
      const small = await cast.checkerA.get(`/api/core/assignments/?exercise__id=${exerciseId}`);
      assert.equal(small.status, 200, small.text);
      assert.deepEqual(small.body, list.filter((a) => a.exercise === exerciseId));
    }
  });
});
