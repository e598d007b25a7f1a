import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import { visibleCourseIds } from '../courses/visibility.ts';
import { assignmentsRepo } from './assignments.repo.ts';

/**
 * Who sees an assignment. Students: their own and those they are a member of. Checkers: those on
 * exercises of courses they check. Staff and admins: all. Repositories (assignments.repo.ts, inbox.repo.ts) read it as a condition.
 */
export type AssignmentScope = { kind: 'all' } | { kind: 'student'; userId: number } | { kind: 'courses'; courseIds: number[] };

export async function assignmentScope(db: Db, actor: Actor): Promise<AssignmentScope> {
  if (actor.clearance < Clearance.checker) return { kind: 'student', userId: actor.id };
  const visible = await visibleCourseIds(db, actor);
  return visible === null ? { kind: 'all' } : { kind: 'courses', courseIds: visible };
}

export async function assignmentVisibleTo(db: Db, actor: Actor, assignmentId: number): Promise<boolean> {
  return assignmentsRepo.inScope(db, await assignmentScope(db, actor), assignmentId);
}
