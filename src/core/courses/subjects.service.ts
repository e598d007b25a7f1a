import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import { compact } from '../compact.ts';
import { CurriculumLevelService } from './curriculum-level.service.ts';
import { subjectsRepo } from './curriculum.repo.ts';
import type { SubjectRow } from './curriculum.repo.ts';

export type Subject = SubjectRow;

export interface SubjectInput {
  course_id?: number;
  symbol?: string;
  name?: string;
  color?: string;
  segel_brief?: string;
}

type SubjectCreate = Required<Omit<SubjectInput, 'segel_brief'>> & Pick<SubjectInput, 'segel_brief'>;

/** Subjects: the first curriculum level inside a course. */
export class SubjectsService extends CurriculumLevelService<Subject, { courseIds?: number[] }, SubjectCreate, SubjectInput, ReturnType<typeof subjectInsert>, Partial<SubjectInput>> {
  constructor(db: Db, clock: Clock) {
    super(db, clock, {
      repo: subjectsRepo,
      parent: { table: 'courses', field: 'parent_program' },
      parentId: (input) => input.course_id,
      insertRow: subjectInsert,
      patch: (input) => compact({ course_id: input.course_id, symbol: input.symbol, name: input.name, color: input.color, segel_brief: input.segel_brief }),
    });
  }
}

function subjectInsert(input: SubjectCreate, now: string) {
  return { course_id: input.course_id, symbol: input.symbol, name: input.name, color: input.color, segel_brief: input.segel_brief ?? '', created_at: now };
}
