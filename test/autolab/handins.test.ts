import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { TestServer } from '../helpers/harness.ts';
import { client } from '../helpers/http.ts';
import { login } from '../helpers/fixtures.ts';
import type { Cast } from './course.ts';
import { makeAutolabCourse } from './course.ts';
import { ALL_SCOPES, api, autolabServer, handin } from './fixture.ts';

const HW1 = '/courses/sys/assessments/hw1';
const enc = encodeURIComponent;

describe('autolab: submitting, late policy, submissions and scores', () => {
  let server: TestServer;
  let cast: Cast;
  const clock = new ManualClock('2025-01-10T12:00:00Z');
  let admin: { id: number; username: string; clearance: 5 };
  let hw1: number;
  let lab: number;

  before(async () => {
    server = await autolabServer({ clock, env: { ASSAY_MAX_UPLOAD_BYTES: String(2 * 1024 * 1024) } });
    cast = await makeAutolabCourse(server);
    admin = { id: cast.admin.id, username: cast.admin.username, clearance: 5 };
    const ids = await server.services.db.selectFrom('exercises').select(['id', 'slug']).execute();
    hw1 = ids.find((e) => e.slug === 'hw1')!.id;
    lab = ids.find((e) => e.slug === 'lab')!.id;
  });
  after(() => server.close());

  const submit = (token: string, body: FormData, url = HW1) => api(server, token).post(`${url}/submit`, { multipart: body });
  const count = async () => Number((await server.services.db.selectFrom('submissions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('refuses bad handins with upstream’s errors, in upstream’s order, writing nothing', async () => {
    const t = cast.student.token;
    const other = new FormData();
    other.append('comment', 'hi');
    assert.deepEqual((await submit(t, other)).body, { error: "Required parameter 'submission' not found" });
    const noFile = new FormData();
    noFile.append('submission[notes]', 'hi');
    assert.deepEqual((await submit(t, noFile)).body, { error: "Required parameter 'submission['file']' not found" });

    await server.services.assessments.catalog.configureAssessment(admin, hw1, { disable_handins: true });
    const disabled = await submit(t, handin(''));
    assert.deepEqual([disabled.status, disabled.body], [403, { error: 'Handins for this assessment is disabled' }]);
    await server.services.assessments.catalog.configureAssessment(admin, hw1, { disable_handins: false });
    const blank = await submit(t, handin(''));
    assert.deepEqual([blank.status, blank.body], [403, { error: 'Submission was blank' }]);
    await server.services.assessments.catalog.configureAssessment(admin, hw1, { max_size_mb: 1 });
    const large = await submit(t, handin(Buffer.alloc(1024 * 1024 + 1, 'x')));
    assert.deepEqual([large.status, large.body], [403, { error: 'Submission is larger than the max allowed size (1 MB) - please remove any unnecessary logfiles and binaries.' }]);
    // Over the server's own upload limit: the same answer (the file is never stored).
    const huge = await submit(t, handin(Buffer.alloc(3 * 1024 * 1024, 'x')));
    assert.deepEqual([huge.status, huge.body], [403, large.body]);
    await server.services.assessments.catalog.configureAssessment(admin, hw1, { embedded_quiz: true });
    assert.deepEqual((await submit(t, handin('x'))).body, { error: 'Assessment is an embedded quiz' });
    await server.services.assessments.catalog.configureAssessment(admin, hw1, { embedded_quiz: false });
    assert.equal(await count(), 0);
  });

  it('numbers versions per student and names the file after the handin filename', async () => {
    const first = await submit(cast.student.token, handin('int main() {}'));
    assert.equal(first.status, 200, first.text);
    assert.equal(first.text, '{"version":1,"filename":"1_handin"}');
    await server.services.assessments.catalog.configureAssessment(admin, hw1, { handin_filename: 'bits.c' });
    assert.deepEqual((await submit(cast.student.token, handin('v2'))).body, { version: 2, filename: '2_bits.c' });
    assert.deepEqual((await submit(cast.student2.token, handin('other'))).body, { version: 1, filename: '1_bits.c' });
    const stored = await server.services.db.selectFrom('tree_entries').select('path').execute();
    assert.ok(stored.some((e) => e.path === 'bits.c'));

    const mine = await api(server, cast.student.token).get(`${HW1}/submissions`);
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.body, [
      { version: 2, filename: '2_bits.c', created_at: '2025-01-10T12:00:00.000+00:00', scores: {} },
      { version: 1, filename: '1_bits.c', created_at: '2025-01-10T12:00:00.000+00:00', scores: {} },
    ]);
  });

  it('limits students to max_submissions; instructors are exempt', async () => {
    assert.equal((await submit(cast.student.token, handin('v3'))).status, 200);
    const fourth = await submit(cast.student.token, handin('v4'));
    assert.deepEqual([fourth.status, fourth.body], [403, { error: 'You have reached the maximum number of submissions for this assessment' }]);
    for (let i = 1; i <= 4; i++) assert.deepEqual((await submit(cast.instructor.token, handin(`i${i}`))).body.version, i);
  });

  it('closes handins at the end date, except for students with an extension', async () => {
    // Tokens live two hours: each step mints fresh ones at the clock's new time.
    const student2 = () => cast.student2.tokenWith(ALL_SCOPES);
    const staff = async () => client(server.app, await login(server, cast.instructor.username));
    const url = `/api/assay/v1/exercises/${hw1}/extensions/`;
    clock.set('2025-01-22T10:00:00Z'); // late, before the end: still accepted
    assert.equal((await submit(await student2(), handin('late'))).status, 200);
    clock.set('2025-01-26T10:00:00Z');
    const closed = await submit(await student2(), handin('too late'));
    assert.deepEqual([closed.status, closed.body], [403, { error: 'The end date of this assessment has passed' }]);
    assert.equal((await submit(await cast.assistant.tokenWith(ALL_SCOPES), handin('staff'))).status, 200);

    // The extension endpoint (Assay's own, Hive's envelope).
    const refused = await client(server.app, await login(server, cast.student2.username)).put(`${url}${cast.student2.id}/`, { json: { days: 9 } });
    assert.equal(refused.status, 403);
    const bad = await (await staff()).put(`${url}${cast.student2.id}/`, { json: { days: -1 } });
    assert.equal(bad.status, 400);
    const given = await (await staff()).put(`${url}${cast.student2.id}/`, { json: { days: 2 } });
    assert.equal(given.status, 200, given.text);
    assert.deepEqual({ ...given.body, created_at: undefined, updated_at: undefined }, {
      user: cast.student2.id, username: cast.student2.username, email: cast.student2.email, days: 2, infinite: false, created_at: undefined, updated_at: undefined,
    });
    assert.equal((await submit(await student2(), handin('extended'))).status, 200);
    clock.set('2025-01-27T00:00:01Z');
    const ended = { error: 'The end date of this assessment has passed' };
    assert.deepEqual((await submit(await student2(), handin('past the extension'))).body, ended);
    await (await staff()).put(`${url}${cast.student2.id}/`, { form: { infinite: 'true' } });
    assert.deepEqual((await (await staff()).get(url)).body.map((x: { days: number; infinite: boolean }) => [x.days, x.infinite]), [[0, true]]);
    // No end any more: only the submission limit (3, all used) stops them now.
    assert.deepEqual((await submit(await student2(), handin('whenever'))).body, { error: 'You have reached the maximum number of submissions for this assessment' });
    assert.equal((await (await staff()).delete(`${url}${cast.student2.id}/`)).status, 204);
    assert.equal((await (await staff()).delete(`${url}${cast.student2.id}/`)).status, 404);
    assert.deepEqual((await submit(await student2(), handin('closed again'))).body, ended);
    clock.set('2025-01-10T12:00:00Z');
  });

  it('update_latest: checks everything before writing, floats in the answer, group scores', async () => {
    const inst = api(server, cast.instructor.token);
    const url = (email: string) => `${HW1}/scores/${enc(email)}/update_latest`;
    assert.deepEqual((await inst.put(url(cast.student.email))).body, { error: "Required parameter 'problems' not found" });
    assert.deepEqual((await inst.put(`${url(cast.student.email)}?problems=${enc('{oops')}`)).body, { error: "Parameter 'problems' must be a JSON object" });
    const stranger = await inst.put(`${url(cast.outsider.email)}?problems=${enc('{"Style":1}')}`);
    assert.deepEqual([stranger.status, stranger.body], [400, { error: `User with email ${cast.outsider.email} not found in course.` }]);
    assert.deepEqual((await inst.put(`${url(cast.student3.email)}?problems=${enc('{"Style":1}')}`)).body, { error: `User with email ${cast.student3.email} has no submission for this assessment.` });

    const set = await inst.put(`${url(cast.student.email)}?problems=${enc('{"Correctness":10,"Style":4.5}')}`);
    assert.equal(set.status, 200, set.text);
    assert.equal(set.text, `{"${cast.student.email}":{"Correctness":10.0,"Style":4.5}}`);
    // One unknown problem: nothing changes at all.
    const unknown = await inst.put(`${url(cast.student.email)}?problems=${enc('{"Correctness":0,"Nope":1}')}`);
    assert.deepEqual([unknown.status, unknown.body], [400, { error: "Problem 'Nope' not found in this assessment" }]);
    const notNumber = await inst.put(`${url(cast.student.email)}?problems=${enc('{"Correctness":"ten"}')}`);
    assert.deepEqual([notNumber.status, notNumber.body], [400, { error: 'Unable to update Correctness score' }]);
    const scores = await inst.get(`${HW1}/scores/${enc(cast.student.email)}`);
    assert.equal(scores.text, '{"1":{},"2":{},"3":{"Correctness":10.0,"Style":4.5}}');
    // A JSON body may carry problems as an object.
    const partial = await inst.put(url(cast.student.email), { json: { problems: { Style: 5 } } });
    assert.equal(partial.text, `{"${cast.student.email}":{"Correctness":10.0,"Style":5.0}}`);

    const all = await inst.get(`${HW1}/scores`);
    assert.equal(all.status, 200);
    assert.deepEqual(Object.keys(all.body).sort(), [cast.assistant.email, cast.instructor.email, cast.student.email, cast.student2.email].sort());
    assert.match(all.text, new RegExp(`"${cast.student.email.replace(/\./g, '\\.')}":\\{"1":\\{\\},"2":\\{\\},"3":\\{"Correctness":10\\.0,"Style":5\\.0\\}\\}`));

    // Students see their released scores as floats, unreleased ones as "unreleased".
    const own = await api(server, cast.student.token).get(`${HW1}/submissions`);
    assert.match(own.text, /"scores":\{"Correctness":10\.0,"Style":5\.0\}/);
    const staff = client(server.app, await login(server, cast.instructor.username));
    const release = `/api/assay/v1/exercises/${hw1}/autolab/release/`;
    assert.equal((await staff.post(release, { json: { released: 'maybe' } })).status, 400);
    assert.equal((await client(server.app, await login(server, cast.student.username)).post(release, { json: { released: true } })).status, 403);
    assert.equal((await staff.post(release, { json: { released: false } })).status, 200);
    assert.deepEqual((await api(server, cast.student.token).get(`${HW1}/submissions`)).body[0].scores, { Correctness: 'unreleased', Style: 'unreleased' });
    assert.match((await api(server, cast.student.token).get(`${HW1}/submissions`)).text, /"scores":\{"Correctness":"unreleased","Style":"unreleased"\}/);
    assert.equal((await inst.get(`${HW1}/scores/${enc(cast.student.email)}`)).body['3'].Style, 5, 'instructors see raw scores');
    assert.equal((await staff.post(release, { form: { released: 'true' } })).status, 200);

    // A group handin goes to every member; update_group_scores reaches them all.
    const inLab = '/courses/sys/assessments/lab';
    await inst.post(`${inLab}/set_group_settings?group_size=2&allow_student_assign_group=false`);
    await inst.post(`${inLab}/groups`, { json: { groups: [{ name: 'Pair', group_members: [cast.student.email, cast.student2.email] }] } });
    assert.deepEqual((await submit(cast.student.token, handin('pair work'), inLab)).body, { version: 1, filename: '1_handin' });
    assert.deepEqual((await api(server, cast.student2.token).get(`${inLab}/submissions`)).body.map((s: { version: number }) => s.version), [1]);
    const solo = await inst.put(`${inLab}/scores/${enc(cast.student.email)}/update_latest?problems=${enc('{"Score":50}')}&update_group_scores=false`);
    assert.deepEqual(Object.keys(solo.body), [cast.student.email]);
    const group = await inst.put(`${inLab}/scores/${enc(cast.student2.email)}/update_latest?problems=${enc('{"Score":80}')}&update_group_scores=true`);
    assert.equal(group.status, 200, group.text);
    assert.deepEqual(group.body, { [cast.student2.email]: { Score: 80 }, [cast.student.email]: { Score: 80 } });
    assert.match(group.text, /"Score":80\.0/);
    // Each score written is in the course's audit trail, with the instructor and the value before.
    const trail = await server.services.db.selectFrom('audit_events').select(['kind', 'before', 'after', 'actor_id']).where('field', '=', 'Score').orderBy('id').execute();
    assert.deepEqual(trail.map((e) => `${e.kind} ${e.before}->${e.after}`).sort(), ['grade 50->80', 'grade null->50', 'grade null->80']);
    assert.equal(new Set(trail.map((e) => e.actor_id)).size, 1);
    void lab;
  });

  it('feedback: errors in upstream’s order', async () => {
    const me = api(server, cast.student.token);
    assert.deepEqual((await me.get(`${HW1}/submissions/1/feedback`)).body, { error: "Required parameter 'problem' not found" });
    const problem = await me.get(`${HW1}/submissions/1/feedback?problem=Nope`);
    assert.deepEqual([problem.status, problem.body], [404, { error: 'Problem named Nope does not exist for hw1' }]);
    const version = await me.get(`${HW1}/submissions/9/feedback?problem=Style`);
    assert.deepEqual([version.status, version.body], [404, { error: 'Submission version 9 does not exist for hw1' }]);
    // student3 has no submission 1 of their own (another student's version 1 is not theirs).
    const others = await api(server, cast.student3.token).get(`${HW1}/submissions/1/feedback?problem=Style`);
    assert.deepEqual(others.body, { error: 'Submission version 1 does not exist for hw1' });
    const none = await me.get(`${HW1}/submissions/1/feedback?problem=Style`);
    assert.deepEqual([none.status, none.body], [404, { error: 'Score for Style of submission version 1 of hw1 does not exist' }]);
  });

  it('reports grace days and penalty days per submitter (Assay endpoint)', async () => {
    await server.services.programs.update(admin, cast.courseId, { late_slack: 0, grace_days: 1 });
    await server.services.assessments.catalog.configureAssessment(admin, hw1, { max_grace_days: 2 });
    const url = `/api/assay/v1/exercises/${hw1}/lateness/`;
    const staff = client(server.app, await login(server, cast.instructor.username));
    const all = await staff.get(url);
    assert.equal(all.status, 200, all.text);
    const of = (id: number) => all.body.find((x: { user: number }) => x.user === id);
    // student2's latest handin came on 01-26 10:00: six started days past 01-20 23:59.
    assert.deepEqual(of(cast.student2.id), {
      user: cast.student2.id, username: cast.student2.username, email: cast.student2.email,
      days_late: 6, grace_days: 1, penalty_days: 5, grace_days_left: 0, extension: null,
    });
    assert.deepEqual([of(cast.student.id).days_late, of(cast.student.id).grace_days, of(cast.student.id).grace_days_left], [0, 0, 1]);
    // A student sees their own line only.
    const own = await client(server.app, await login(server, cast.student2.username)).get(url);
    assert.deepEqual(own.body.map((x: { user: number }) => x.user), [cast.student2.id]);
  });

  it('refuses a group handin when a group mate has used up the submissions', async () => {
    const inst = api(server, cast.instructor.token);
    await inst.post(`${HW1}/set_group_settings?group_size=2&allow_student_assign_group=false`);
    const made = await inst.post(`${HW1}/groups`, { json: { groups: [{ name: 'Late pair', group_members: [cast.student3.email, cast.student.email] }] } });
    assert.equal(made.status, 200, made.text);
    const refused = await submit(cast.student3.token, handin('together'));
    assert.deepEqual([refused.status, refused.body], [403, { error: 'A member of your group has reached the submission limit for this assessment' }]);
    assert.deepEqual((await api(server, cast.student3.token).get(`${HW1}/submissions`)).body, []);
  });
});
