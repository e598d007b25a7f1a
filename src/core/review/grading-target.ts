import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Assignment, AssignmentsService } from '../assignments/assignments.service.ts';
import { isRowId } from '../courses/exercises.service.ts';
import { AssayError } from '../errors.ts';
import { assertMayRespond } from '../threads/locks.ts';
import type { SubmissionPlace } from './review.repo.ts';
import { reviewRepo } from './review.repo.ts';

export interface GradingTarget {
  place: SubmissionPlace;
  assignment: Assignment;
}

/**
 * A submission as the actor grades it, by the assignments' rules: not found when its assignment
 * is invisible to them (another course's, another student's), forbidden for its student.
 */
export async function gradingTarget(db: Db, assignments: AssignmentsService, actor: Actor, submissionId: number): Promise<GradingTarget> {
  const place = isRowId(submissionId) ? await reviewRepo.place(db, submissionId) : undefined;
  if (!place) throw AssayError.notFound();
  return { place, assignment: await assignments.getForGrading(actor, place.assignment_id) };
}

/** As `gradingTarget`, for a write: also refused while another checker holds the assignment. */
export async function gradingWriteTarget(db: Db, assignments: AssignmentsService, actor: Actor, submissionId: number): Promise<GradingTarget> {
  const target = await gradingTarget(db, assignments, actor, submissionId);
  assertMayRespond(target.assignment.checker_id, actor);
  return target;
}
