import type { Db } from '../../db/database.ts';
import { LabelsService } from '../labels/labels.service.ts';
import type { Label, LabelValues } from '../labels/labels.repo.ts';
import { schedulePolicy } from './policy.ts';

export type EventColor = Label;
export type EventColorInput = LabelValues;

/** Named colors of timetable events: everyone reads, staff write. */
export class EventColorsService extends LabelsService {
  constructor(db: Db) {
    super(db, { table: 'event_colors', mayWrite: schedulePolicy.mayPlan });
  }
}
