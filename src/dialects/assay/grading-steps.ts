import type { JobOutcome, JobStep } from '../../grading/queue/index.ts';

/**
 * Assay's API names a job's timeline steps and outcome as it always has (the words Hive's
 * autocheck uses), so its clients read the same timeline whatever the engine calls the steps;
 * `Warning` (a grading contract warning, staff only) is its own.
 */
export const TIMELINE_ACTIONS = ['Handling', 'Built', 'Sending', 'Warning', 'Finished', 'Success', 'Error', 'No Check'] as const;
export const OUTCOMES = ['Success', 'Error', 'No Check'] as const;

const OUTCOME: Record<JobOutcome, (typeof OUTCOMES)[number]> = { success: 'Success', error: 'Error', no_check: 'No Check' };

const ACTION: Record<JobStep, (typeof TIMELINE_ACTIONS)[number]> = {
  started: 'Handling',
  queued: 'Handling',
  waiting: 'Handling',
  prepared: 'Built',
  running: 'Sending',
  warning: 'Warning',
  finished: 'Finished',
  ...OUTCOME,
};

export const outcomeName = (outcome: JobOutcome) => OUTCOME[outcome];
export const timelineAction = (step: JobStep) => ACTION[step];
