import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import { visibleCourseIds } from '../courses/visibility.ts';
import { helpRepo } from './help.repo.ts';

/**
 * Who sees a help thread: hive.md §8 (students their own, checkers their programs' students,
 * staff everything) narrowed or widened by the thread's `visibility`:
 *
 * - its student (`user`) always, whatever the visibility: it is their conversation with staff;
 * - on the staff side (checker and above), its creator and the checker holding its lock always
 *   (so nobody loses a thread they opened or must release);
 * - admins: every thread;
 * - staff (Segel): every thread except other people's `Author Only` ones;
 * - checkers: `All Staff` threads in their scope (students of the programs they check, or an
 *   exercise of those programs, as for assignments), and every `All Staff And Checkers` thread:
 *   that value opens a thread to checkers beyond its program.
 *
 * So `Author Only` (the creator, the student, admins) ⊂ `All Staff` ⊂ `All Staff And Checkers`.
 * A thread outside this set does not exist for the actor (404).
 */
export type HelpScope =
  | { kind: 'all' }
  | { kind: 'student'; userId: number }
  | { kind: 'staff'; userId: number }
  | { kind: 'checker'; userId: number; courseIds: number[] };

/** The actor's scope among help threads; help.repo.ts reads it as a condition. */
export async function helpScope(db: Db, actor: Actor): Promise<HelpScope> {
  if (actor.clearance < Clearance.checker) return { kind: 'student', userId: actor.id };
  if (actor.clearance >= Clearance.admin) return { kind: 'all' };
  if (actor.clearance >= Clearance.staff) return { kind: 'staff', userId: actor.id };
  return { kind: 'checker', userId: actor.id, courseIds: (await visibleCourseIds(db, actor)) ?? [] };
}

/** Whether the actor sees the help thread `id` (the same rule, for one thread). */
export async function helpVisibleTo(db: Db, actor: Actor, id: number): Promise<boolean> {
  return helpRepo.inScope(db, await helpScope(db, actor), id);
}
