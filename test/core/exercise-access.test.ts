import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PatbasPolicy } from '../../src/core/courses/exercise-access.ts';
import { mayDownloadHandout, mayDownloadSolution, maySeeSolution, PATBAS_POLICIES } from '../../src/core/courses/exercise-access.ts';

const student = { staffSide: false, done: false };
const doneStudent = { staffSide: false, done: true };
const grader = { staffSide: true, done: false };

describe('exercise file rules', () => {
  it('lets the grading side see every solution, students per the Patbas policy', () => {
    const table: Record<PatbasPolicy, [boolean, boolean, boolean]> = {
      // [student before Done, student after Done, grading side]
      Never: [false, false, true],
      'Staff Only': [false, false, true],
      'On Done': [false, true, true],
      Always: [true, true, true],
    };
    assert.deepEqual(Object.keys(table).sort(), [...PATBAS_POLICIES].sort());
    for (const [patbas, want] of Object.entries(table) as [PatbasPolicy, boolean[]][]) {
      assert.deepEqual([student, doneStudent, grader].map((v) => maySeeSolution(v, { patbas })), want, patbas);
      // With downloads allowed, downloading follows seeing.
      assert.deepEqual([student, doneStudent, grader].map((v) => mayDownloadSolution(v, { patbas, download: true, patbas_download: true })), want, patbas);
      // Without, only the grading side downloads.
      assert.deepEqual([student, doneStudent, grader].map((v) => mayDownloadSolution(v, { patbas, download: true, patbas_download: false })), [false, false, true], patbas);
    }
  });

  it('keeps the handout from students only when downloading is off', () => {
    assert.equal(mayDownloadHandout(student, { download: true }), true);
    assert.equal(mayDownloadHandout(student, { download: false }), false);
    assert.equal(mayDownloadHandout(grader, { download: false }), true);
  });
});
