import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AssignmentStatus } from '../../src/core/assignments/status-flow.ts';
import type { PathStep, QueueRule } from '../../src/core/queues/path.ts';
import { chooseCurrent, effectiveQueueId, stepPassed, walkPath } from '../../src/core/queues/path.ts';
import { byExerciseOrder } from '../../src/core/queues/flatten.ts';

const step = (exerciseId: number, rule: QueueRule, continueOnRedo = false): PathStep => ({ exerciseId, rule, continueOnRedo });
const S = (entries: [number, AssignmentStatus][]) => new Map(entries);

describe('queue path: when a step is passed', () => {
  const none = undefined;
  // [rule, continue_on_redo, status, passed]
  const table: [QueueRule, boolean, AssignmentStatus | undefined, boolean][] = [
    ['Wait For Submitted', false, none, false],
    ['Wait For Submitted', false, 'New', false],
    ['Wait For Submitted', false, 'Work In Progress', false],
    ['Wait For Submitted', false, 'Submitted', true],
    ['Wait For Submitted', false, 'AutoChecked', true],
    ['Wait For Submitted', false, 'Done', true],
    ['Wait For Submitted', false, 'Redo', false],
    ['Wait For Submitted', true, 'Redo', true],
    ['Wait For AutoChecks', false, 'New', false],
    ['Wait For AutoChecks', false, 'Submitted', false],
    ['Wait For AutoChecks', false, 'AutoChecked', true],
    ['Wait For AutoChecks', false, 'Done', true],
    ['Wait For AutoChecks', false, 'Redo', false],
    ['Wait For AutoChecks', true, 'Redo', true],
    ['Wait For Done', false, 'Submitted', false],
    ['Wait For Done', false, 'AutoChecked', false],
    ['Wait For Done', false, 'Done', true],
    ['Wait For Done', false, 'Redo', false],
    ['Wait For Done', true, 'Redo', true],
    ['Wait For Done', true, 'Work In Progress', false],
    ['Choose', false, none, false],
    ['Choose', false, 'Work In Progress', false],
    ['Choose', false, 'Submitted', true],
    ['Choose', false, 'AutoChecked', true],
    ['Choose', false, 'Done', true],
    ['Choose', false, 'Redo', false],
    ['Choose', true, 'Redo', true],
  ];
  for (const [rule, redo, status, passed] of table) {
    it(`${rule}${redo ? ' (continue_on_redo)' : ''} with ${status ?? 'no assignment'} → ${passed ? 'passed' : 'held'}`, () => {
      assert.equal(stepPassed(step(1, rule, redo), status), passed);
    });
  }
});

describe('queue path: walking a queue', () => {
  const table: { name: string; steps: PathStep[]; statuses: [number, AssignmentStatus][]; options: number[]; reached: number[]; finished: boolean }[] = [
    { name: 'an empty queue is finished', steps: [], statuses: [], options: [], reached: [], finished: true },
    {
      name: 'a fresh queue opens its first item only',
      steps: [step(1, 'Wait For Submitted'), step(2, 'Wait For Submitted')],
      statuses: [],
      options: [1],
      reached: [1],
      finished: false,
    },
    {
      name: 'Wait For Submitted: a submission opens the next item',
      steps: [step(1, 'Wait For Submitted'), step(2, 'Wait For Done'), step(3, 'Wait For Done')],
      statuses: [[1, 'Submitted']],
      options: [2],
      reached: [1, 2],
      finished: false,
    },
    {
      name: 'Wait For AutoChecks: a submission is not enough',
      steps: [step(1, 'Wait For AutoChecks'), step(2, 'Wait For Done')],
      statuses: [[1, 'Submitted']],
      options: [1],
      reached: [1],
      finished: false,
    },
    {
      name: 'Wait For AutoChecks: an automatic check opens the next item',
      steps: [step(1, 'Wait For AutoChecks'), step(2, 'Wait For Done')],
      statuses: [[1, 'AutoChecked']],
      options: [2],
      reached: [1, 2],
      finished: false,
    },
    {
      name: 'Wait For Done holds on AutoChecked',
      steps: [step(1, 'Wait For Done'), step(2, 'Wait For Done')],
      statuses: [[1, 'AutoChecked']],
      options: [1],
      reached: [1],
      finished: false,
    },
    {
      name: 'Redo holds without continue_on_redo',
      steps: [step(1, 'Wait For Submitted'), step(2, 'Wait For Submitted')],
      statuses: [[1, 'Redo']],
      options: [1],
      reached: [1],
      finished: false,
    },
    {
      name: 'Redo counts as reached with continue_on_redo',
      steps: [step(1, 'Wait For Done', true), step(2, 'Wait For Submitted')],
      statuses: [[1, 'Redo']],
      options: [2],
      reached: [1, 2],
      finished: false,
    },
    {
      name: 'Choose: a run of Choose items opens together',
      steps: [step(1, 'Choose'), step(2, 'Choose'), step(3, 'Choose'), step(4, 'Wait For Done')],
      statuses: [],
      options: [1, 2, 3],
      reached: [1, 2, 3],
      finished: false,
    },
    {
      name: 'Choose: handed-in items leave the options, the run holds until all are handed in',
      steps: [step(1, 'Choose'), step(2, 'Choose'), step(3, 'Choose'), step(4, 'Wait For Done')],
      statuses: [[2, 'Submitted'], [3, 'Done']],
      options: [1],
      reached: [1, 2, 3],
      finished: false,
    },
    {
      name: 'Choose: the run passed opens the next item',
      steps: [step(1, 'Choose'), step(2, 'Choose'), step(3, 'Wait For Done'), step(4, 'Choose')],
      statuses: [[1, 'Submitted'], [2, 'AutoChecked']],
      options: [3],
      reached: [1, 2, 3],
      finished: false,
    },
    {
      name: 'Choose: a Redo is open again without continue_on_redo',
      steps: [step(1, 'Choose'), step(2, 'Choose', true), step(3, 'Wait For Done')],
      statuses: [[1, 'Redo'], [2, 'Redo']],
      options: [1],
      reached: [1, 2],
      finished: false,
    },
    {
      name: 'a Wait item splits two Choose runs',
      steps: [step(1, 'Choose'), step(2, 'Wait For Submitted'), step(3, 'Choose'), step(4, 'Choose')],
      statuses: [[1, 'Done'], [2, 'Submitted']],
      options: [3, 4],
      reached: [1, 2, 3, 4],
      finished: false,
    },
    {
      name: 'every item passed: finished',
      steps: [step(1, 'Wait For Done'), step(2, 'Choose'), step(3, 'Wait For Submitted')],
      statuses: [[1, 'Done'], [2, 'Submitted'], [3, 'Done']],
      options: [],
      reached: [1, 2, 3],
      finished: true,
    },
    {
      name: 'a later item passed does not skip an earlier one',
      steps: [step(1, 'Wait For Done'), step(2, 'Wait For Done')],
      statuses: [[2, 'Done']],
      options: [1],
      reached: [1],
      finished: false,
    },
    {
      name: 'an exercise twice shares its assignment',
      steps: [step(1, 'Wait For Submitted'), step(2, 'Wait For Submitted'), step(1, 'Wait For Done')],
      statuses: [[1, 'Submitted'], [2, 'Submitted']],
      options: [1],
      reached: [1, 2],
      finished: false,
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      assert.deepEqual(walkPath(t.steps, S(t.statuses)), { options: t.options, reached: t.reached, finished: t.finished });
    });
  }
});

describe('queue path: the effective queue', () => {
  const base = { queue_id: 1, user_queue_id: 2, override_queue_id: 3, disable_queue: false, disable_user_queue: false };
  const table: [string, Partial<typeof base>, number | null][] = [
    ['the override wins', {}, 3],
    ['the override wins even with both disables', { disable_queue: true, disable_user_queue: true }, 3],
    ['then the user queue', { override_queue_id: null as never }, 2],
    ['then the queue when the user queue is disabled', { override_queue_id: null as never, disable_user_queue: true }, 1],
    ['then the queue when there is no user queue', { override_queue_id: null as never, user_queue_id: null as never }, 1],
    ['nothing when the queue is disabled too', { override_queue_id: null as never, disable_user_queue: true, disable_queue: true }, null],
    ['nothing without queues', { override_queue_id: null as never, user_queue_id: null as never, queue_id: null as never }, null],
  ];
  for (const [name, patch, expected] of table) it(name, () => assert.equal(effectiveQueueId({ ...base, ...patch }), expected));
});

describe('queue path: the current assignment', () => {
  it('keeps the pick while it is open', () => assert.equal(chooseCurrent([5, 6], 6), 6));
  it('moves to the first option when the pick is not open', () => assert.equal(chooseCurrent([5, 6], 9), 5));
  it('takes the first option without a pick', () => assert.equal(chooseCurrent([5, 6], null), 5));
  it('is null without options', () => assert.equal(chooseCurrent([], 4), null));
});

describe('queue path: module exercise order', () => {
  it('compares numeric orders as numbers, others as text, then ids', () => {
    const rows = [
      { id: 1, order: '10' },
      { id: 2, order: '2' },
      { id: 3, order: '2' },
      { id: 4, order: 'b' },
      { id: 5, order: 'a' },
    ];
    assert.deepEqual([...rows].sort(byExerciseOrder).map((r) => r.id).slice(0, 3), [2, 3, 1]);
    assert.deepEqual([rows[3]!, rows[4]!].sort(byExerciseOrder).map((r) => r.id), [5, 4]);
  });
});
