import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { StatusChange } from './status-flow.ts';

/**
 * Writes a status change in the caller's transaction: counters rise in SQL (never read, added and
 * written back), a new status also resets what the student is shown to follow it, and a response
 * from the grading side marks the assignment as changed by staff.
 */
export async function applyStatusChange(trx: Db, assignmentId: number, change: StatusChange, context: { staffAuthor: boolean; now: string }): Promise<void> {
  await trx
    .updateTable('assignments')
    .set({
      ...(change.status !== null ? { status: change.status, student_status: null } : {}),
      submission_count: sql<number>`submission_count + ${change.submissions}`,
      total_check_count: sql<number>`total_check_count + ${change.totalChecks}`,
      manual_check_count: sql<number>`manual_check_count + ${change.manualChecks}`,
      ...(context.staffAuthor ? { last_staff_updated: context.now } : {}),
      updated_at: context.now,
    })
    .where('id', '=', assignmentId)
    .execute();
}
