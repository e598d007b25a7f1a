import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autoCheckApplies, statusChangeFor, studentStatus } from '../../src/core/assignments/status-flow.ts';
import type { AssignmentResponseType, AssignmentStatus } from '../../src/core/assignments/status-flow.ts';

describe('assignment status flow', () => {
  const table: [AssignmentResponseType, { passed: boolean; autodone: boolean } | undefined, AssignmentStatus | null, number, number, number][] = [
    ['Comment', undefined, null, 0, 0, 0],
    ['Work In Progress', undefined, 'Work In Progress', 0, 0, 0],
    ['Submission', undefined, 'Submitted', 1, 0, 0],
    ['AutoCheck', undefined, 'AutoChecked', 0, 1, 0],
    ['AutoCheck', { passed: true, autodone: false }, 'AutoChecked', 0, 1, 0],
    ['AutoCheck', { passed: false, autodone: true }, 'AutoChecked', 0, 1, 0],
    ['AutoCheck', { passed: true, autodone: true }, 'Done', 0, 1, 0],
    ['Redo', undefined, 'Redo', 0, 1, 1],
    ['Done', undefined, 'Done', 0, 1, 1],
  ];
  for (const [type, verdict, status, submissions, totalChecks, manualChecks] of table) {
    it(`${type}${verdict ? ` (passed=${verdict.passed}, autodone=${verdict.autodone})` : ''} → ${status ?? 'unchanged'}`, () => {
      assert.deepEqual(statusChangeFor(type, verdict), { status, submissions, totalChecks, manualChecks });
    });
  }

  it('lets a late autocheck move only an assignment still waiting for it', () => {
    const applies = (['New', 'Work In Progress', 'Redo', 'Submitted', 'AutoChecked', 'Done'] as const).filter(autoCheckApplies);
    assert.deepEqual(applies, ['Submitted', 'AutoChecked']);
  });

  it('shows the student the held-back status when staff set one', () => {
    assert.equal(studentStatus('Done', null), 'Done');
    assert.equal(studentStatus('Done', 'Submitted'), 'Submitted');
  });
});
