import type { Db } from '../../db/database.ts';
import { auditRepo } from './audit.repo.ts';

export const AUDIT_KINDS = ['grade', 'role', 'extension'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** One change to record: what moved from `before` to `after`, by whom, where. */
export interface AuditChange {
  kind: AuditKind;
  /** The account that made the change; null for the system (the command line, a course directory's sync). */
  actorId: number | null;
  /** A submission or an assignment (its course, exercise and student are looked up), or a course member (and an exercise). */
  on: { submission: number } | { assignment: number } | { course: number; user: number | null; exercise?: number | null };
  /** What changed: a problem's name, `verdict`, `grade`, `role`, `extension`. */
  field: string;
  /** JSON values; null (or undefined) for none. */
  before: unknown;
  after: unknown;
  at: string;
}

const json = (v: unknown) => JSON.stringify(v ?? null);

/**
 * Records changes of grades, roles and extensions in the audit trail. The one way in: every core
 * service that changes one calls it inside the transaction of the change, so the entry and the
 * change are written together or not at all. A "change" whose before and after are equal is skipped.
 */
export async function recordAudit(tx: Db, changes: readonly AuditChange[]): Promise<void> {
  const real = changes.filter((c) => json(c.before) !== json(c.after));
  if (real.length === 0) return;
  const rows = [];
  const names = await auditRepo.usernames(tx, [...new Set(real.flatMap((c) => [c.actorId, 'user' in c.on ? c.on.user : null]).filter((id): id is number => id !== null))]);
  for (const c of real) {
    let place: { course: number; user: number | null; exercise: number | null; submission: number | null };
    if ('submission' in c.on) {
      const found = await auditRepo.submissionPlace(tx, c.on.submission);
      if (!found) continue;
      place = { course: found.course_id, user: found.user_id ?? found.assignment_user_id, exercise: found.exercise_id, submission: c.on.submission };
    } else if ('assignment' in c.on) {
      const found = await auditRepo.assignmentPlace(tx, c.on.assignment);
      if (!found) continue;
      place = { course: found.course_id, user: found.user_id, exercise: found.exercise_id, submission: null };
    } else {
      place = { course: c.on.course, user: c.on.user, exercise: c.on.exercise ?? null, submission: null };
    }
    if (place.user !== null && !names.has(place.user)) for (const [id, name] of await auditRepo.usernames(tx, [place.user])) names.set(id, name);
    rows.push({
      course_id: place.course,
      actor_id: c.actorId,
      actor_name: c.actorId === null ? '' : (names.get(c.actorId) ?? ''),
      kind: c.kind,
      subject_id: place.user,
      subject_name: place.user === null ? '' : (names.get(place.user) ?? ''),
      exercise_id: place.exercise,
      submission_id: place.submission,
      field: c.field,
      before: json(c.before),
      after: json(c.after),
      created_at: c.at,
    });
  }
  await auditRepo.insert(tx, rows);
}
