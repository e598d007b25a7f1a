import type { BaseServices } from '../services.ts';

/** INGInious' tasks: problems, answers, graded submissions, task.yaml import. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TaskServices {}

export function buildTaskServices(_base: BaseServices): TaskServices {
  return {};
}
