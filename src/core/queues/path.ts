import type { AssignmentStatus } from '../assignments/status-flow.ts';

/**
 * The student's path through a queue: a pure function of the flattened queue and the student's
 * assignment states, so every rule is tested on its own (test/core/queue-path.test.ts).
 *
 * Semantics (hive.md §6.6 leaves them open; these are Assay's):
 * - The queue is flattened first (flatten.ts): disabled items are dropped, a nested queue becomes
 *   its own items with their own rules, a module item becomes the module's exercises (those with
 *   any of the item's tags when it has tags), each with the module item's rule.
 * - Items are walked in order; the walk stops at the first item (or Choose group) that is not
 *   passed. What it stopped at is open: its exercises are `current_assignment_options`.
 * - `Wait For Submitted` / `Wait For AutoChecks` / `Wait For Done`: the next item opens only when
 *   this item's assignment reached that stage (Submitted ⊂ AutoChecked ⊂ Done:
 *   Submitted is reached by Submitted, AutoChecked and Done; AutoChecks by AutoChecked and Done;
 *   Done only by Done).
 * - `Choose`: a run of consecutive Choose items opens together and the student picks the order;
 *   the run is passed when every exercise in it has been handed in (Submitted, AutoChecked or
 *   Done). The options are the run's exercises not handed in yet.
 * - `continue_on_redo`: a Redo counts as reached (for every rule); without it a Redo holds the
 *   student on that item until it reaches the stage again.
 * - An item without an assignment is never passed: the student reaches it first.
 * - The status used is the real one, not what staff chose to show the student.
 * - An exercise that appears twice shares its one assignment (assignments are unique per
 *   student and exercise).
 */
export type QueueRule = 'Choose' | 'Wait For Submitted' | 'Wait For AutoChecks' | 'Wait For Done';
export const QUEUE_RULES = ['Choose', 'Wait For Submitted', 'Wait For AutoChecks', 'Wait For Done'] as const;

/** One exercise of a flattened queue with the rule that governs leaving it. */
export interface PathStep {
  exerciseId: number;
  rule: QueueRule;
  continueOnRedo: boolean;
}

export interface PathState {
  /** Exercises open now, in queue order, without repeats; empty when the queue is finished. */
  options: number[];
  /** Exercises reached so far (passed ones and the open ones), in queue order, without repeats. */
  reached: number[];
  finished: boolean;
}

const STAGE: Record<AssignmentStatus, number> = { New: 0, 'Work In Progress': 0, Redo: 0, Submitted: 1, AutoChecked: 2, Done: 3 };
const NEEDED: Record<Exclude<QueueRule, 'Choose'>, number> = { 'Wait For Submitted': 1, 'Wait For AutoChecks': 2, 'Wait For Done': 3 };

/** Whether an assignment in `status` lets the student past a step with `rule`. */
export function stepPassed(step: PathStep, status: AssignmentStatus | undefined): boolean {
  if (status === undefined) return false;
  if (status === 'Redo') return step.continueOnRedo;
  const needed = step.rule === 'Choose' ? 1 : NEEDED[step.rule];
  return STAGE[status] >= needed;
}

const uniq = (ids: number[]): number[] => [...new Set(ids)];

export function walkPath(steps: readonly PathStep[], statuses: ReadonlyMap<number, AssignmentStatus>): PathState {
  const reached: number[] = [];
  let i = 0;
  while (i < steps.length) {
    let end = i + 1;
    if (steps[i]!.rule === 'Choose') while (end < steps.length && steps[end]!.rule === 'Choose') end++;
    const group = steps.slice(i, end);
    reached.push(...group.map((s) => s.exerciseId));
    const open = group.filter((s) => !stepPassed(s, statuses.get(s.exerciseId)));
    if (open.length > 0) return { options: uniq(open.map((s) => s.exerciseId)), reached: uniq(reached), finished: false };
    i = end;
  }
  return { options: [], reached: uniq(reached), finished: true };
}

export interface QueueChoice {
  queue_id: number | null;
  user_queue_id: number | null;
  override_queue_id: number | null;
  disable_queue: boolean;
  disable_user_queue: boolean;
}

/** The queue a student follows: the override, else the user queue, else the class queue, each unless disabled. */
export function effectiveQueueId(u: QueueChoice): number | null {
  if (u.override_queue_id !== null) return u.override_queue_id;
  if (u.user_queue_id !== null && !u.disable_user_queue) return u.user_queue_id;
  if (u.queue_id !== null && !u.disable_queue) return u.queue_id;
  return null;
}

/** The current assignment stays the student's pick while it is open; otherwise the first option. */
export function chooseCurrent<T>(options: readonly T[], picked: T | null): T | null {
  if (picked !== null && options.includes(picked)) return picked;
  return options[0] ?? null;
}
