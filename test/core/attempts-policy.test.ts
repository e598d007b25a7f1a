import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Actor, ClearanceLevel } from '../../src/core/actor.ts';
import { assignmentPolicy } from '../../src/core/assignments/policy.ts';
import type { CoreAction } from '../../src/core/attempts.ts';
import { assertMayAttempt, ATTEMPT_TABLES, mayAttempt } from '../../src/core/attempts.ts';
import { classPolicy } from '../../src/core/classes/policy.ts';
import { coursePolicy } from '../../src/core/courses/policy.ts';
import { AssayError } from '../../src/core/errors.ts';
import { notificationPolicy } from '../../src/core/notifications/policy.ts';
import { queuePolicy } from '../../src/core/queues/policy.ts';
import { schedulePolicy } from '../../src/core/schedule/policy.ts';

const CLEARANCES: ClearanceLevel[] = [1, 2, 3, 5];
const actor = (clearance: ClearanceLevel): Actor => ({ id: 100 + clearance, username: `c${clearance}`, clearance });
/** Which clearances (student, checker, staff, admin) a rule lets through. */
const through = (rule: (a: Actor) => boolean): boolean[] => CLEARANCES.map((c) => rule(actor(c)));

const CHECKER_UP = [false, true, true, true];
const STAFF_UP = [false, false, true, true];

describe('who may attempt each core action (view-level permissions)', () => {
  // One row per action: [student, checker, staff, admin]. Hive's clients see `false` as an early 403.
  const table: Record<CoreAction, boolean[]> = {
    'assignments.create': CHECKER_UP,
    'assignments.update': CHECKER_UP,
    'assignments.delete': CHECKER_UP,
    'assignments.lock': CHECKER_UP,
    'assignments.latest': CHECKER_UP,
    'responses.rerunAutochecks': CHECKER_UP,
    'classes.write': STAFF_UP,
    'classes.setQueue': STAFF_UP,
    'classes.setLesson': STAFF_UP,
    'classes.autoSeat': STAFF_UP,
    'classes.unassignOverrideQueues': STAFF_UP,
    'seating.write': STAFF_UP,
    'tags.write': STAFF_UP,
    'programs.write': CHECKER_UP,
    'subjects.write': CHECKER_UP,
    'modules.write': CHECKER_UP,
    'exercises.write': CHECKER_UP,
    'exercises.notifyStudents': CHECKER_UP,
    'fields.write': CHECKER_UP,
    'fields.topResults': CHECKER_UP,
    'help.latest': CHECKER_UP,
    'help.bulkRespond': CHECKER_UP,
    'help.update': CHECKER_UP,
    'help.delete': CHECKER_UP,
    'help.lock': CHECKER_UP,
    'help.topResponses': CHECKER_UP,
    'users.create': STAFF_UP,
    'users.update': STAFF_UP,
    'users.delete': STAFF_UP,
    'notifications.create': CHECKER_UP,
    'queues.read': CHECKER_UP,
    'queues.write': STAFF_UP,
    'lessons.read': CHECKER_UP,
    'lessons.write': STAFF_UP,
    'lessonRules.write': STAFF_UP,
    'colors.write': STAFF_UP,
    'events.write': STAFF_UP,
    'kiosk.read': CHECKER_UP,
    'dailyReview.create': STAFF_UP,
  };

  it('answers every clearance for every action as the table says', () => {
    for (const [action, want] of Object.entries(table) as [CoreAction, boolean[]][]) {
      assert.deepEqual(through((a) => mayAttempt(a, action)), want, action);
    }
  });

  it('has exactly one row per action, each owned by one area', () => {
    const owned = Object.values(ATTEMPT_TABLES).flatMap((t) => Object.keys(t));
    assert.equal(new Set(owned).size, owned.length, 'an action is named by two areas');
    assert.deepEqual(owned.sort(), Object.keys(table).sort());
  });

  it('refuses with a core forbidden error', () => {
    assert.throws(() => assertMayAttempt(actor(1), 'queues.read'), (e: unknown) => e instanceof AssayError && e.kind === 'forbidden');
    assert.doesNotThrow(() => assertMayAttempt(actor(2), 'queues.read'));
  });
});

describe('area policies (the rules services and early checks share)', () => {
  const rules: [string, (a: Actor) => boolean, boolean[]][] = [
    ['courses: staff side', coursePolicy.onStaffSide, CHECKER_UP],
    ['courses: manages every course', coursePolicy.managesEveryCourse, STAFF_UP],
    ['courses: creates programs', coursePolicy.mayCreateProgram, STAFF_UP],
    ['courses: manages tags', coursePolicy.mayManageTags, STAFF_UP],
    ['courses: opens a course (instructing none)', (a) => coursePolicy.mayCreateCourse(a, false), STAFF_UP],
    // An instructor enrolment elsewhere lets a checker-clearance account open one; a student's never does.
    ['courses: opens a course (instructing one)', (a) => coursePolicy.mayCreateCourse(a, true), CHECKER_UP],
    ['classes: reads', classPolicy.mayRead, CHECKER_UP],
    ['classes: manages', classPolicy.mayManage, STAFF_UP],
    ['assignments: grades', assignmentPolicy.mayGrade, CHECKER_UP],
    ['schedule: reads planning', schedulePolicy.mayReadPlanning, CHECKER_UP],
    ['schedule: sees every event', schedulePolicy.seesEveryEvent, CHECKER_UP],
    ['schedule: plans', schedulePolicy.mayPlan, STAFF_UP],
    ['queues: reads', queuePolicy.mayRead, CHECKER_UP],
    ['queues: manages', queuePolicy.mayManage, STAFF_UP],
    ['notifications: sends by hand', notificationPolicy.maySend, CHECKER_UP],
  ];
  for (const [name, rule, want] of rules) {
    it(name, () => assert.deepEqual(through(rule), want));
  }
});
