import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AutolabRole, CourseDates } from '../../src/core/assessments/access.ts';
import { checkCourseAccess, courseState, roleInCourse } from '../../src/core/assessments/access.ts';
import type { AssessmentWindow } from '../../src/core/assessments/late-policy.ts';
import { chargeLateness, daysLate, extendedWindow, graceLedger, isClosed, isReleased } from '../../src/core/assessments/late-policy.ts';
import { formatAutolabTime, formatFloat, toAutolabJson, float } from '../../src/dialects/autolab/wire.ts';
import { readAutolabSettings } from '../../src/settings/autolab.ts';

const W: AssessmentWindow = { start_at: '2025-01-05T00:00:00.000000Z', due_at: '2025-01-20T23:59:00.000000Z', end_at: '2025-01-25T00:00:00.000000Z' };

describe('autolab wire: floats and date-times', () => {
  it('writes floats with a fractional part, integers and everything else as JSON does', () => {
    const cases: [number, string][] = [[10, '10.0'], [0, '0.0'], [-3, '-3.0'], [5.5, '5.5'], [0.1, '0.1'], [1e21, '1e+21'], [1e-7, '1e-7'], [Number.NaN, 'null']];
    for (const [n, text] of cases) assert.equal(formatFloat(n), text, String(n));
    assert.equal(
      toAutolabJson({ score: float(10), none: float(null), version: 3, list: [float(2), 'a', null, true], skip: undefined, nested: { 'k"ey': float(1.25) } }),
      '{"score":10.0,"none":null,"version":3,"list":[2.0,"a",null,true],"nested":{"k\\"ey":1.25}}',
    );
    assert.deepEqual(JSON.parse(toAutolabJson({ a: [float(1)], b: 'x\n' })), { a: [1], b: 'x\n' });
  });

  it('renders date-times with milliseconds and a numeric offset, never Z', () => {
    assert.equal(formatAutolabTime('2024-01-01T00:00:00.000000Z', 'UTC'), '2024-01-01T00:00:00.000+00:00');
    assert.equal(formatAutolabTime('2024-01-01T12:34:56.789999Z', 'UTC'), '2024-01-01T12:34:56.789+00:00');
    assert.equal(formatAutolabTime('2017-10-23T08:17:41.000000Z', 'America/New_York'), '2017-10-23T04:17:41.000-04:00');
    assert.equal(formatAutolabTime('2017-12-23T08:17:41.000000Z', 'America/New_York'), '2017-12-23T03:17:41.000-05:00');
    assert.equal(formatAutolabTime('2024-06-01T00:00:00.000000Z', 'Asia/Kolkata'), '2024-06-01T05:30:00.000+05:30');
    assert.equal(formatAutolabTime('2024-01-01T00:30:00.000000Z', 'Pacific/Auckland'), '2024-01-01T13:30:00.000+13:00');
  });

  it('reads its settings, refusing unknown zones', () => {
    assert.deepEqual(readAutolabSettings({}), { apiRequests: 10, apiWindowSeconds: 30, submitRequests: 4, submitWindowSeconds: 60, timeZone: 'UTC' });
    assert.equal(readAutolabSettings({ ASSAY_AUTOLAB_TIME_ZONE: 'Europe/Paris' }).timeZone, 'Europe/Paris');
    assert.throws(() => readAutolabSettings({ ASSAY_AUTOLAB_TIME_ZONE: 'Mars/Olympus' }), /ASSAY_AUTOLAB_TIME_ZONE/);
    assert.throws(() => readAutolabSettings({ ASSAY_AUTOLAB_API_REQUESTS: 'many' }), /ASSAY_AUTOLAB_API_REQUESTS/);
  });
});

describe('autolab late policy', () => {
  it('counts started days late after the due date plus the late slack', () => {
    const cases: [at: string, slack: number, days: number][] = [
      ['2025-01-20T23:59:00Z', 0, 0],
      ['2025-01-20T23:59:01Z', 0, 1],
      ['2025-01-20T23:59:01Z', 60, 0],
      ['2025-01-21T00:00:00Z', 60, 0],
      ['2025-01-21T00:00:01Z', 60, 1],
      // The slack forgives each day's boundary, not only the due date's (upstream's days_late).
      ['2025-01-21T23:59:30Z', 60, 1],
      ['2025-01-22T00:00:00Z', 60, 1],
      ['2025-01-22T00:00:01Z', 60, 2],
      ['2025-01-21T23:59:00Z', 0, 1],
      ['2025-01-21T23:59:01Z', 0, 2],
      ['2025-01-24T00:00:00Z', 0, 4],
      ['2025-01-10T00:00:00Z', 0, 0],
    ];
    for (const [at, slack, days] of cases) assert.equal(daysLate(W, at, slack), days, `${at} slack ${slack}`);
    assert.equal(daysLate({ ...W, due_at: null }, '2030-01-01T00:00:00Z', 0), 0);
  });

  it('charges grace days within the assessment’s cap and what the course has left', () => {
    const cases: [late: number, max: number, left: number, grace: number, penalty: number][] = [
      [0, 2, 5, 0, 0],
      [1, 2, 5, 1, 0],
      [3, 2, 5, 2, 1],
      [3, 5, 1, 1, 2],
      [2, 0, 5, 0, 2],
      [2, 2, 0, 0, 2],
    ];
    for (const [late, max, left, grace, penalty] of cases) assert.deepEqual(chargeLateness(late, max, left), { daysLate: late, graceDays: grace, penaltyDays: penalty }, `${late}/${max}/${left}`);
  });

  it('spends a course’s grace days in due-date order', () => {
    const at = (due: string, handin: string | null, id: number, max = 3) => ({ exerciseId: id, window: { start_at: null, due_at: due, end_at: null }, maxGraceDays: max, lastHandinAt: handin });
    const ledger = graceLedger(
      [at('2025-03-01T00:00:00Z', '2025-03-03T00:00:00Z', 3), at('2025-01-01T00:00:00Z', '2025-01-02T12:00:00Z', 1), at('2025-02-01T00:00:00Z', null, 2), at('2025-04-01T00:00:00Z', '2025-04-02T00:00:00Z', 4)],
      3,
      0,
    );
    assert.deepEqual([1, 2, 3, 4].map((id) => ledger.get(id)), [
      { daysLate: 2, graceDays: 2, penaltyDays: 0 },
      { daysLate: 0, graceDays: 0, penaltyDays: 0 },
      { daysLate: 2, graceDays: 1, penaltyDays: 1 },
      { daysLate: 1, graceDays: 0, penaltyDays: 1 },
    ]);
  });

  it('moves due and end dates by an extension, or removes the end', () => {
    assert.deepEqual(extendedWindow(W, null), W);
    assert.deepEqual(extendedWindow(W, { days: 2, infinite: false }), { start_at: W.start_at, due_at: '2025-01-22T23:59:00.000000Z', end_at: '2025-01-27T00:00:00.000000Z' });
    assert.deepEqual(extendedWindow(W, { days: 0, infinite: true }), { ...W, end_at: null });
    const cases: [now: string, window: AssessmentWindow, closed: boolean][] = [
      ['2025-01-25T00:00:00Z', W, false],
      ['2025-01-25T00:00:00.000001Z', W, true],
      ['2025-01-26T00:00:00Z', extendedWindow(W, { days: 2, infinite: false }), false],
      ['2099-01-01T00:00:00Z', extendedWindow(W, { days: 0, infinite: true }), false],
    ];
    for (const [now, window, closed] of cases) assert.equal(isClosed(window, now), closed, now);
    // Upstream's end_at includes the course's late slack.
    assert.equal(isClosed(W, '2025-01-25T00:01:00Z', 60), false);
    assert.equal(isClosed(W, '2025-01-25T00:01:00.000001Z', 60), true);
    assert.equal(isReleased(W, '2025-01-04T23:59:59Z'), false);
    assert.equal(isReleased(W, '2025-01-05T00:00:00Z'), true);
    assert.equal(isReleased({ ...W, start_at: null }, '2000-01-01T00:00:00Z'), true);
  });
});

describe('autolab access policy', () => {
  const now = '2025-03-01T00:00:00.000000Z';
  const course: CourseDates = { start_at: '2025-01-01T00:00:00.000000Z', end_at: '2025-06-01T00:00:00.000000Z', disabled: false, disable_on_end: false };

  it('names course states', () => {
    const cases: [Partial<CourseDates>, string][] = [
      [{}, 'current'],
      [{ disabled: true }, 'disabled'],
      [{ start_at: '2025-04-01T00:00:00.000000Z' }, 'upcoming'],
      [{ end_at: '2025-02-01T00:00:00.000000Z' }, 'completed'],
      [{ end_at: '2025-02-01T00:00:00.000000Z', disable_on_end: true }, 'disabled'],
      [{ start_at: null, end_at: null }, 'current'],
    ];
    for (const [patch, state] of cases) assert.equal(courseState({ ...course, ...patch }, now), state, JSON.stringify(patch));
  });

  it('maps roles and checks membership, disabled course, scope, then role, in that order', () => {
    const student = { id: 7, username: 's', clearance: 1 as const };
    assert.equal(roleInCourse(student, 'student', null), 'student');
    assert.equal(roleInCourse(student, 'checker', null), 'course_assistant');
    assert.equal(roleInCourse(student, null, 7), null, 'a student named checker is still not a member');
    assert.equal(roleInCourse({ ...student, clearance: 2 }, null, 7), 'course_assistant');
    assert.equal(roleInCourse({ ...student, clearance: 5 }, null, null), 'instructor');
    const check = (role: AutolabRole | null, disabled: boolean, scopes: string[], needs?: 'instructor') =>
      checkCourseAccess(role, { ...course, disabled }, now, { scopes, required: 'user_courses', ...(needs ? { needs } : {}) })?.details.reason ?? null;
    const cases: [ReturnType<typeof check>, string | null][] = [
      [check(null, true, []), 'course_not_found'],
      [check('student', true, []), 'course_disabled'],
      [check('course_assistant', true, ['user_courses']), 'course_disabled'],
      [check('instructor', true, []), 'scope_missing'],
      [check('student', false, ['user_courses'], 'instructor'), 'not_instructor'],
      [check('instructor', false, ['user_courses'], 'instructor'), null],
      [check('student', false, ['user_courses']), null],
    ];
    for (const [got, want] of cases) assert.equal(got, want);
  });
});
