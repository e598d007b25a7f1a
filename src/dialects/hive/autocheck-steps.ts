import type { JobStep } from '../../grading/queue/index.ts';

/** Hive's `autocheck_statuses[].action` names, in the order a run goes through them. */
export const AUTOCHECK_ACTIONS = ['Handling', 'No Check', 'Built', 'Finished', 'Sending', 'Error', 'Success'] as const;
export type AutocheckAction = (typeof AUTOCHECK_ACTIONS)[number];

/** The grading engine's timeline steps in Hive's words: every way into or back to a worker is `Handling`. */
const HIVE_ACTION: Record<Exclude<JobStep, 'warning'>, AutocheckAction> = {
  started: 'Handling',
  queued: 'Handling',
  waiting: 'Handling',
  prepared: 'Built',
  running: 'Sending',
  finished: 'Finished',
  success: 'Success',
  error: 'Error',
  no_check: 'No Check',
};

/** A `warning` step (staff only, with no Hive word) is left out of Hive's timeline. */
export const autocheckAction = (step: Exclude<JobStep, 'warning'>): AutocheckAction => HIVE_ACTION[step];
