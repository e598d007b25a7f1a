import type { BaseServices } from '../services.ts';

/** Devilry's hierarchy: periods, assignment groups with candidates and examiners, deadlines, deliveries, feedback. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ExaminationServices {}

export function buildExaminationServices(_base: BaseServices): ExaminationServices {
  return {};
}
