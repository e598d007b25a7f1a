import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { up } from '../../src/db/migrations/0021_engine_timeline_steps.ts';
import { makeCourseTree, makeExercise } from '../helpers/fixtures.ts';
import type { TestServer } from '../helpers/harness.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';

const NOW = '2024-05-01T09:30:00.000000Z';

describe(`migration 0021: stored timelines in the engine's words, on ${engineUnderTest}`, () => {
  let server: TestServer;
  const db = () => server.services.db;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  /** A finished job as a server before 0021 stored it: Hive's step names and outcome. */
  async function oldJob(outcome: string, steps: [string, string | null][], extra = ''): Promise<number> {
    const { module } = await makeCourseTree(server);
    const exercise = await makeExercise(server, module.id);
    const job = await db()
      .insertInto('grading_jobs')
      .values({
        course_id: exercise.course_id,
        exercise_id: exercise.id,
        kind: 'rerun',
        status: 'done',
        payload: '{}',
        result: `{"outcome":"${outcome}","summary":"a \\"outcome\\":\\"Success\\" in text"${extra}}`,
        created_at: NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [action, payload] of steps) await db().insertInto('grading_job_events').values({ job_id: job.id, time: NOW, action, payload }).execute();
    return job.id;
  }

  const timeline = async (jobId: number) =>
    (await db().selectFrom('grading_job_events').select(['action', 'payload']).where('job_id', '=', jobId).orderBy('id').execute()).map((e) => [e.action, e.payload]);

  it("renames every step and outcome, telling Handling's three meanings apart by their payload", async () => {
    const passed = await oldJob('Success', [
      ['Handling', 'attempt 1 of 3 by w1'],
      ['Handling', 'waiting: the sandbox is unavailable'],
      ['Handling', 'queued again: the worker stopped'],
      ['Error', 'attempt 1 of 3 failed, queued again: boom'],
      ['Handling', 'attempt 2 of 3 by w2'],
      ['Built', 'native grader'],
      ['Sending', null],
      ['Finished', null],
      ['Success', 'success, 1/1 tests passed'],
    ], ',"grade":{"outcome":"success"}');
    const unchecked = await oldJob('No Check', [['Finished', null], ['No Check', 'This exercise has no automatic check.']]);
    const broken = await oldJob('Error', [['Finished', null], ['Error', 'staff error']]);

    await up(db() as unknown as Kysely<unknown>, engineUnderTest);

    assert.deepEqual(await timeline(passed), [
      ['started', 'attempt 1 of 3 by w1'],
      ['waiting', 'waiting: the sandbox is unavailable'],
      ['queued', 'queued again: the worker stopped'],
      ['error', 'attempt 1 of 3 failed, queued again: boom'],
      ['started', 'attempt 2 of 3 by w2'],
      ['prepared', 'native grader'],
      ['running', null],
      ['finished', null],
      ['success', 'success, 1/1 tests passed'],
    ]);
    assert.deepEqual((await timeline(unchecked)).map(([a]) => a), ['finished', 'no_check']);
    assert.deepEqual((await timeline(broken)).map(([a]) => a), ['finished', 'error']);
    const results = new Map<number, unknown>();
    for (const id of [passed, unchecked, broken]) {
      const job = await server.services.grading.get(id);
      results.set(id, job?.result);
    }
    // The outcome member is renamed; text that only looks like one, and a grade's own outcome, are not.
    assert.deepEqual(results.get(passed), { outcome: 'success', summary: 'a "outcome":"Success" in text', grade: { outcome: 'success' } });
    assert.equal((results.get(unchecked) as { outcome: string }).outcome, 'no_check');
    assert.equal((results.get(broken) as { outcome: string }).outcome, 'error');

    // A second run changes nothing.
    await up(db() as unknown as Kysely<unknown>, engineUnderTest);
    assert.deepEqual((await timeline(passed)).map(([a]) => a), ['started', 'waiting', 'queued', 'error', 'started', 'prepared', 'running', 'finished', 'success']);
  });
});
