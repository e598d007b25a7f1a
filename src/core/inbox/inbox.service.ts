import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { assignmentScope } from '../assignments/assignment-visibility.ts';
import { assignmentPolicy } from '../assignments/policy.ts';
import { isRowId } from '../courses/exercises.service.ts';
import { AssayError } from '../errors.ts';
import type { HelpType } from '../help/help-enums.ts';
import { CHAT, HELP_TYPES } from '../help/help-enums.ts';
import type { HelpService } from '../help/help.service.ts';
import { displayName } from '../identity/users.service.ts';
import type { InboxAssignmentRow } from './inbox.repo.ts';
import { inboxRepo } from './inbox.repo.ts';

/** Assignments wait for a checker once submitted (and automatically checked) until Done or Redo. */
export const WAITING_ASSIGNMENT_STATUSES = ['Submitted', 'AutoChecked'] as const;
export const INBOX_STATUSES = [...WAITING_ASSIGNMENT_STATUSES, 'Open'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];
export const INBOX_KINDS = ['assignment', 'help'] as const;
export type InboxKind = (typeof INBOX_KINDS)[number];

/** A help thread asks the checkers something, except a `Chat` (staff talking among themselves). */
const ASKING_TYPES: HelpType[] = HELP_TYPES.filter((t) => t !== CHAT);

export interface InboxFilters {
  kind?: InboxKind;
  courseId?: number;
  exerciseId?: number;
  studentId?: number;
  status?: InboxStatus;
}

export interface Holder {
  id: number;
  name: string;
}

export interface InboxItem {
  kind: InboxKind;
  id: number;
  course: { id: number; name: string } | null;
  exercise: { id: number; name: string } | null;
  student: { id: number; username: string; name: string };
  /** The help thread's title; the assignment's exercise name. */
  title: string;
  status: InboxStatus;
  waiting_since: string;
  /** An assignment's latest submission. */
  submission: number | null;
  locked_by: Holder | null;
}

type Named = { first_name: string | null; last_name: string | null; username: string | null };
const holder = (id: number | null, n: Named): Holder | null =>
  id === null ? null : { id, name: displayName({ first_name: n.first_name ?? '', last_name: n.last_name ?? '', username: n.username ?? '' }) };
const ofCheckers = (r: { checker_first_name: string | null; checker_last_name: string | null; checker_username: string | null }): Named => ({
  first_name: r.checker_first_name,
  last_name: r.checker_last_name,
  username: r.checker_username,
});

const KIND_ORDER: Record<InboxKind, number> = { assignment: 0, help: 1 };

/**
 * The checker's inbox: across the courses they check, the assignments waiting for a check and
 * the open help threads, oldest first, each with the checker holding it. Which items a checker
 * sees is the assignments' and help threads' own visibility; students have no inbox.
 */
export class InboxService {
  constructor(
    private readonly db: Db,
    private readonly help: HelpService,
  ) {}

  async list(actor: Actor, filters: InboxFilters = {}): Promise<InboxItem[]> {
    if (!assignmentPolicy.mayGrade(actor)) throw AssayError.forbidden();
    const ids = [filters.courseId, filters.exerciseId, filters.studentId];
    if (ids.some((n) => n !== undefined && !isRowId(n))) return [];
    const wantsAssignments = filters.kind !== 'help' && filters.status !== 'Open';
    const wantsHelp = filters.kind !== 'assignment' && (filters.status === undefined || filters.status === 'Open');
    const items = [...(wantsAssignments ? await this.assignments(actor, filters) : []), ...(wantsHelp ? await this.helpThreads(actor, filters) : [])];
    return items.sort((a, b) => (a.waiting_since < b.waiting_since ? -1 : a.waiting_since > b.waiting_since ? 1 : KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.id - b.id));
  }

  private async assignments(actor: Actor, filters: InboxFilters): Promise<InboxItem[]> {
    const rows = await inboxRepo.assignments(this.db, {
      statuses: filters.status ? [filters.status] : [...WAITING_ASSIGNMENT_STATUSES],
      scope: await assignmentScope(this.db, actor),
      ...(filters.courseId !== undefined ? { courseId: filters.courseId } : {}),
      ...(filters.exerciseId !== undefined ? { exerciseId: filters.exerciseId } : {}),
      ...(filters.studentId !== undefined ? { studentId: filters.studentId } : {}),
    });
    return rows.map((r: InboxAssignmentRow) => ({
      kind: 'assignment',
      id: r.id,
      course: { id: r.course_id, name: r.course_name },
      exercise: { id: r.exercise_id, name: r.exercise_name },
      student: { id: r.user_id, username: r.username, name: displayName(r) },
      title: r.exercise_name,
      status: r.status as InboxStatus,
      waiting_since: r.waiting_since,
      submission: r.latest_submission,
      locked_by: holder(r.checker_id, ofCheckers(r)),
    }));
  }

  private async helpThreads(actor: Actor, filters: InboxFilters): Promise<InboxItem[]> {
    const rows = await this.help.matching(this.db, actor, {
      statuses: ['Open'],
      types: ASKING_TYPES,
      ...(filters.exerciseId !== undefined ? { exerciseId: filters.exerciseId } : {}),
      ...(filters.studentId !== undefined ? { userIds: [filters.studentId] } : {}),
    });
    const places = await inboxRepo.helpPlaces(this.db, rows.map((r) => r.id));
    return rows.flatMap((r): InboxItem[] => {
      const place = places.get(r.id);
      if (!place || (filters.courseId !== undefined && place.course_id !== filters.courseId)) return [];
      return [
        {
          kind: 'help',
          id: r.id,
          course: place.course_id === null ? null : { id: place.course_id, name: place.course_name ?? '' },
          exercise: r.exercise_id === null ? null : { id: r.exercise_id, name: place.exercise_name ?? '' },
          student: { id: r.user_id, username: place.username, name: displayName(place) },
          title: r.title,
          status: 'Open',
          waiting_since: r.created_at,
          submission: null,
          locked_by: holder(r.checker_id, ofCheckers(place)),
        },
      ];
    });
  }
}
