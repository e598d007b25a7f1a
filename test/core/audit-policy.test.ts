import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Actor, ClearanceLevel, CourseRole } from '../../src/core/actor.ts';
import { auditPolicy } from '../../src/core/audit/policy.ts';

const CLEARANCES: ClearanceLevel[] = [1, 2, 3, 5];
const ROLES: (CourseRole | null)[] = [null, 'student', 'checker', 'instructor'];
const actor = (clearance: ClearanceLevel): Actor => ({ id: 100 + clearance, username: `c${clearance}`, clearance });

describe("who reads a course's audit trail (auditPolicy)", () => {
  it('staff and admins read every course’s; instructors their course’s; checkers and students none; non-members do not see the course', () => {
    // Rows: the actor's clearance; columns: their role in the course (none, student, checker, instructor).
    const reads: Record<ClearanceLevel, boolean[]> = {
      1: [false, false, false, true],
      2: [false, false, false, true],
      3: [true, true, true, true],
      5: [true, true, true, true],
    };
    const sees: Record<ClearanceLevel, boolean[]> = {
      1: [false, true, true, true],
      2: [false, true, true, true],
      3: [true, true, true, true],
      5: [true, true, true, true],
    };
    for (const c of CLEARANCES) {
      assert.deepEqual(ROLES.map((r) => auditPolicy.canReadTrail(actor(c), r)), reads[c], `clearance ${c} reads`);
      assert.deepEqual(ROLES.map((r) => auditPolicy.seesCourse(actor(c), r)), sees[c], `clearance ${c} sees`);
    }
  });
});
