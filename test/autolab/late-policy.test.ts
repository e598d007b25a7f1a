import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { isAssayError } from '../../src/core/errors.ts';
import type { TestServer } from '../helpers/harness.ts';
import { login } from '../helpers/fixtures.ts';
import { client } from '../helpers/http.ts';
import { COURSE_YAML, HW1_YAML } from './course.ts';
import type { Person } from './fixture.ts';
import { api, autolabServer, handin, person, syncCourse, tokenMinter } from './fixture.ts';

const HW1 = '/courses/late/assessments/hw1';

/** hw1 is due 2025-01-20T23:59:00Z and ends 2025-01-25T00:00:00Z (see course.ts). */
describe("autolab: a course's grace_days and late_slack, set in course.yaml and spent as upstream spends them", () => {
  const clock = new ManualClock('2025-01-10T12:00:00Z');
  let server: TestServer;
  let courseId: number;
  let hw1: number;
  let student: Person;
  let instructor: Person;
  let mint: Awaited<ReturnType<typeof tokenMinter>>;
  /** A fresh token: OAuth access tokens live two hours, and the clock moves by days here. */
  const submit = async (text: string) => api(server, await mint(student.id)).post(`${HW1}/submit`, { multipart: handin(text) });

  const sync = (extra: string) => syncCourse(server, 'late', `${extra}${COURSE_YAML}`, [{ slug: 'hw1', yaml: HW1_YAML }]);

  before(async () => {
    server = await autolabServer({ clock });
    courseId = await sync('grace_days: 2\nlate_slack: 300\n');
    hw1 = (await server.services.db.selectFrom('exercises').select('id').where('slug', '=', 'hw1').executeTakeFirstOrThrow()).id;
    mint = await tokenMinter(server);
    student = await person(server, mint, { courseId, role: 'student' });
    instructor = await person(server, mint, { courseId, role: 'instructor' });
    await server.services.assessments.catalog.configureAssessment({ id: instructor.id, username: instructor.username, clearance: 5 }, hw1, { max_grace_days: 2 });
  });
  after(async () => server?.close());

  it('reads them from course.yaml, keeps them when course.yaml leaves them out, and refuses bad ones', async () => {
    const listed = async () => (await api(server, instructor.token).get('/courses')).body.find((c: { name: string }) => c.name === 'late');
    assert.deepEqual([(await listed()).grace_days, (await listed()).late_slack], [2, 300]);
    await sync('');
    assert.deepEqual([(await listed()).grace_days, (await listed()).late_slack], [2, 300], 'absent keys change nothing');
    await assert.rejects(sync('grace_days: -1\nlate_slack: 86400\n'), (e) => {
      assert.ok(isAssayError(e));
      const problems = (e.details as { syncProblems: { key: string }[] }).syncProblems.map((p) => p.key);
      assert.deepEqual(problems, ['grace_days', 'late_slack']);
      return true;
    });
  });

  it('forgives late_slack seconds past each day boundary, and closes handins at the end date plus late_slack', async () => {
    // A day and 2 minutes late: upstream charges 1 day (the slack forgives the second day's first 5 minutes).
    clock.set('2025-01-22T00:01:00Z');
    assert.equal((await submit('late')).status, 200);
    const staff = client(server.app, await login(server, instructor.username));
    const [line] = (await staff.get(`/api/assay/v1/exercises/${hw1}/lateness/`)).body;
    assert.deepEqual([line.days_late, line.grace_days, line.penalty_days, line.grace_days_left], [1, 1, 0, 1]);

    clock.set('2025-01-25T00:04:59Z');
    const withinSlack = await submit('last minute');
    assert.equal(withinSlack.status, 200, withinSlack.text);
    clock.set('2025-01-25T00:05:01Z');
    const closed = await submit('too late');
    assert.deepEqual([closed.status, closed.body], [403, { error: 'The end date of this assessment has passed' }]);
  });
});
