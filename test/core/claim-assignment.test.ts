import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GROUP_CLAIM, OWN_CLAIM, claimAssignment } from '../../src/core/assignments/claim.ts';
import { makeCourseTree, makeExercise, makeUser } from '../helpers/fixtures.ts';
import type { TestServer } from '../helpers/harness.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';

const NOW = '2024-05-01T09:30:00.000000Z';

describe(`claiming an assignment for a submitter, on ${engineUnderTest}`, () => {
  let server: TestServer;
  const db = () => server.services.db;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  /** An exercise with one group assignment, owned by `owner`, whose candidates are `owner` and `member`. */
  async function groupOf() {
    const { module } = await makeCourseTree(server);
    const exercise = await makeExercise(server, module.id);
    const [owner, member] = [await makeUser(server, 1), await makeUser(server, 1)];
    const group = await db().transaction().execute((trx) => claimAssignment(trx, { exerciseId: exercise.id, userId: owner.id, now: NOW }, GROUP_CLAIM));
    await db().insertInto('assignment_members').values({ assignment_id: group, user_id: member.id, role: 'candidate' }).execute();
    return { exerciseId: exercise.id, owner: owner.id, member: member.id, group };
  }

  const claim = (exerciseId: number, userId: number, rules: typeof GROUP_CLAIM) =>
    db().transaction().execute((trx) => claimAssignment(trx, { exerciseId, userId, now: NOW }, rules));

  const counts = async (exerciseId: number) =>
    (await db().selectFrom('assignments').select(['user_id', 'submission_count']).where('exercise_id', '=', exerciseId).orderBy('id').execute()).map((r) => [
      r.user_id,
      r.submission_count,
    ]);

  it('with group rules, a candidate submits into their group; the owner into the same one', async () => {
    const g = await groupOf();
    assert.equal(await claim(g.exerciseId, g.member, GROUP_CLAIM), g.group);
    assert.equal(await claim(g.exerciseId, g.owner, GROUP_CLAIM), g.group);
    assert.deepEqual(await counts(g.exerciseId), [[g.owner, 3]]);
  });

  it("with own-only rules (the nbgrader exchange), a candidate gets an assignment of their own, candidate of it alone", async () => {
    const g = await groupOf();
    const own = await claim(g.exerciseId, g.member, OWN_CLAIM);
    assert.notEqual(own, g.group);
    assert.equal(await claim(g.exerciseId, g.member, OWN_CLAIM), own);
    assert.deepEqual(await counts(g.exerciseId), [
      [g.owner, 1],
      [g.member, 2],
    ]);
    const members = await db().selectFrom('assignment_members').select(['user_id', 'role']).where('assignment_id', '=', own).execute();
    assert.deepEqual(members, [{ user_id: g.member, role: 'candidate' }]);
    // Once they own one, group rules pick it first.
    assert.equal(await claim(g.exerciseId, g.member, GROUP_CLAIM), own);
  });

  it('two first submissions at once end in one assignment', async () => {
    const { module } = await makeCourseTree(server);
    const exercise = await makeExercise(server, module.id);
    const user = await makeUser(server, 1);
    const ids = await Promise.all([claim(exercise.id, user.id, OWN_CLAIM), claim(exercise.id, user.id, GROUP_CLAIM)]);
    assert.equal(ids[0], ids[1]);
    assert.deepEqual(await counts(exercise.id), [[user.id, 2]]);
  });
});
