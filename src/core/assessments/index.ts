import type { BaseServices } from '../services.ts';
import { AssessmentsService } from './assessments.service.ts';
import { ExtensionsService } from './extensions.service.ts';
import { GroupsService } from './groups.service.ts';
import { HandinService } from './handin.service.ts';
import { LatenessService } from './lateness.service.ts';
import { RosterService } from './roster.service.ts';
import { ScoresService } from './scores.service.ts';

/** Autolab's assessments: late policy, grace days, extensions, groups, per-problem scores. */
export interface AssessmentServices {
  /** Courses, assessments, problems, settings and files, with Autolab's access checks. */
  catalog: AssessmentsService;
  roster: RosterService;
  groups: GroupsService;
  scores: ScoresService;
  handins: HandinService;
  extensions: ExtensionsService;
  /** Grace days and penalty days per submitter. */
  lateness: LatenessService;
}

export function buildAssessmentServices(base: BaseServices): AssessmentServices {
  const { db, clock } = base;
  const catalog = new AssessmentsService(db, clock, base.exercises, base.files);
  const groups = new GroupsService(db, clock);
  const extensions = new ExtensionsService(db, clock, base.exercises);
  return {
    catalog,
    roster: new RosterService(db, clock),
    groups,
    scores: new ScoresService(db, clock, catalog, groups, base.exercises),
    handins: new HandinService(db, clock, base.submissions, base.users, groups, extensions),
    extensions,
    lateness: new LatenessService(db, base.exercises),
  };
}
