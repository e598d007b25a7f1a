import type { BaseServices } from '../services.ts';

/** Autolab's assessments: late policy, grace days, extensions, groups, per-problem scores. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AssessmentServices {}

export function buildAssessmentServices(_base: BaseServices): AssessmentServices {
  return {};
}
