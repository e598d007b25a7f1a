import type { Db } from '../../db/database.ts';
import { LabelsService } from '../labels/labels.service.ts';
import type { Label, LabelValues } from '../labels/labels.repo.ts';
import { coursePolicy } from './policy.ts';

export type Tag = Label;
export type TagInput = LabelValues;

/** Tags label exercises across courses; everyone reads them, staff write them; names are unique. */
export class TagsService extends LabelsService {
  constructor(db: Db) {
    super(db, { table: 'tags', mayWrite: coursePolicy.mayManageTags, duplicateName: 'tag with this name already exists.' });
  }
}
