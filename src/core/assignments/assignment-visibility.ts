import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import { visibleCourseIds } from '../courses/visibility.ts';
import { assignmentScopeCondition, assignmentsRepo } from './assignments.repo.ts';

/**
 * Who sees an assignment. Students: their own and those they are a member of. Checkers: those on
 * exercises of courses they check. Staff and admins: all. assignments.repo.ts reads it as a condition.
 */
export type AssignmentScope = { kind: 'all' } | { kind: 'student'; userId: number } | { kind: 'courses'; courseIds: number[] };

export async function assignmentScope(db: Db, actor: Actor): Promise<AssignmentScope> {
  if (actor.clearance < Clearance.checker) return { kind: 'student', userId: actor.id };
  const visible = await visibleCourseIds(db, actor);
  return visible === null ? { kind: 'all' } : { kind: 'courses', courseIds: visible };
}

/** The scope as a condition on `a` (assignments) joined with `e` (its exercise); null when the actor sees every one. */
export async function assignmentVisibility(db: Db, actor: Actor) {
  return assignmentScopeCondition(await assignmentScope(db, actor));
}

export async function assignmentVisibleTo(db: Db, actor: Actor, assignmentId: number): Promise<boolean> {
  return assignmentsRepo.inScope(db, await assignmentScope(db, actor), assignmentId);
}
