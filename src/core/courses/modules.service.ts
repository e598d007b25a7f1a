import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import { compact } from '../compact.ts';
import { CurriculumLevelService } from './curriculum-level.service.ts';
import { modulesRepo } from './curriculum.repo.ts';
import type { ModuleRow } from './curriculum.repo.ts';

export type Module = ModuleRow;

export interface ModuleInput {
  subject_id?: number;
  name?: string;
  order?: string;
}

/** Modules: ordered units inside a subject. */
export class ModulesService extends CurriculumLevelService<Module, { subjectId?: number; courseIds?: number[] }, Required<ModuleInput>, ModuleInput, ReturnType<typeof moduleInsert>, Partial<ModuleInput>> {
  constructor(db: Db, clock: Clock) {
    super(db, clock, {
      repo: modulesRepo,
      parent: { table: 'subjects', field: 'parent_subject' },
      parentId: (input) => input.subject_id,
      insertRow: moduleInsert,
      patch: (input) => compact({ subject_id: input.subject_id, name: input.name, order: input.order }),
    });
  }
}

function moduleInsert(input: Required<ModuleInput>, now: string) {
  return { subject_id: input.subject_id, name: input.name, order: input.order, created_at: now };
}
