import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { isRowId } from '../courses/exercises.service.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import { displayName } from '../identity/users.service.ts';
import type { ThreadKind } from '../threads/thread.ts';
import { threadVisibleTo } from './thread-access.ts';
import { notificationPolicy } from './policy.ts';
import { notificationsRepo } from './notifications.repo.ts';

/**
 * A notification with what it points at: the exercise (of the assignment, or of the help thread)
 * with its module, subject and course, the help thread's type and title, and both people's names.
 */
export interface Notification {
  id: number;
  help_id: number | null;
  assignment_id: number | null;
  response_type: string | null;
  exercise_id: number | null;
  exercise_name: string | null;
  module_id: number | null;
  subject_id: number | null;
  course_id: number | null;
  help_type: string | null;
  help_title: string | null;
  comment: string;
  /** null: sent by the system (e.g. an automatic check). */
  from_user_id: number | null;
  /** "" when sent by the system. */
  from_user_name: string;
  was_read: boolean;
  created_at: string;
  for_user_id: number;
  for_user_name: string;
}

export interface NotificationFilters {
  assignmentId?: number;
  /** The assignment's exercise. */
  exerciseId?: number;
  exerciseIds?: number[];
  /** true: only system notifications (no sender); false: only those a person sent. */
  fromSystem?: boolean;
  helpId?: number;
  helpIds?: number[];
  wasRead?: boolean;
}

/** A notification someone sends by hand. At most one of `help_id` and `assignment_id`. */
export interface NewNotification {
  /** The recipient. */
  user_id: number;
  help_id?: number | null;
  assignment_id?: number | null;
  comment?: string;
  was_read?: boolean;
}

/** What the recipient may change. */
export interface NotificationChange {
  comment?: string;
  was_read?: boolean;
}


/**
 * Notifications: everyone reads and manages only the notifications addressed to them (whatever
 * their clearance); checkers and above may also send one by hand. Responses on threads send them
 * through threads/notify.ts.
 */
export class NotificationsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private static render(r: Awaited<ReturnType<typeof notificationsRepo.list>>[number]): Notification {
    const { from_username, from_first_name, from_last_name, for_username, for_first_name, for_last_name, ...n } = r;
    return {
      ...n,
      from_user_name: from_username === null ? '' : displayName({ username: from_username, first_name: from_first_name ?? '', last_name: from_last_name ?? '' }),
      for_user_name: displayName({ username: for_username, first_name: for_first_name, last_name: for_last_name }),
    };
  }

  /** The actor's own notifications, in ascending id order. */
  async list(actor: Actor, filters: NotificationFilters = {}): Promise<Notification[]> {
    const none = (n: number | undefined) => n !== undefined && !isRowId(n);
    if (none(filters.assignmentId) || none(filters.exerciseId) || none(filters.helpId)) return [];
    const exerciseIds = filters.exerciseIds?.filter(isRowId);
    const helpIds = filters.helpIds?.filter(isRowId);
    if (exerciseIds?.length === 0 || helpIds?.length === 0) return [];

    const rows = await notificationsRepo.list(this.db, { ...filters, exerciseIds, helpIds, forUserId: actor.id });
    return rows.map(NotificationsService.render);
  }

  /** A notification addressed to the actor; anyone else's is not found, even for admins. */
  async get(actor: Actor, id: number): Promise<Notification> {
    const [found] = isRowId(id) ? await notificationsRepo.list(this.db, { id, forUserId: actor.id }) : [];
    if (!found) throw AssayError.notFound();
    return NotificationsService.render(found);
  }

  /**
   * Sends a notification by hand from the actor (a checker or above) to `user_id`, about a thread
   * the actor sees, if any. It carries no response type: no response caused it.
   */
  async create(actor: Actor, input: NewNotification): Promise<Notification> {
    if (!notificationPolicy.maySend(actor)) throw AssayError.forbidden();
    const problems: FieldProblem[] = [];
    if (!isRowId(input.user_id) || !(await notificationsRepo.userExists(this.db, input.user_id))) problems.push(doesNotExist('user', input.user_id));
    for (const [kind, field, id] of [
      ['assignment', 'assignment', input.assignment_id],
      ['help', 'help', input.help_id],
    ] as [ThreadKind, string, number | null | undefined][]) {
      if (id === null || id === undefined) continue;
      if (!isRowId(id) || !(await threadVisibleTo(this.db, actor, { kind, id }))) problems.push(doesNotExist(field, id));
    }
    if (problems.length > 0) throw AssayError.invalid(problems);
    if (input.assignment_id != null && input.help_id != null) {
      throw AssayError.field(null, 'invalid', 'A notification concerns either an assignment or a help thread, not both.');
    }
    const id = await notificationsRepo.insert(this.db, {
      for_user_id: input.user_id,
      from_user_id: actor.id,
      assignment_id: input.assignment_id ?? null,
      help_id: input.help_id ?? null,
      response_type: null,
      comment: input.comment ?? '',
      was_read: input.was_read ?? false,
      created_at: this.clock.now(),
    });
    // The sender is usually not the recipient, so the answer is not limited to the actor's own.
    const [sent] = await notificationsRepo.list(this.db, { id });
    return NotificationsService.render(sent!);
  }

  /** The recipient marks it read or unread, or edits its comment. */
  async update(actor: Actor, id: number, change: NotificationChange): Promise<Notification> {
    await this.get(actor, id);
    const set: NotificationChange = {};
    if (change.comment !== undefined) set.comment = change.comment;
    if (change.was_read !== undefined) set.was_read = change.was_read;
    if (Object.keys(set).length > 0) await notificationsRepo.update(this.db, id, set);
    return this.get(actor, id);
  }

  /** The recipient dismisses it. */
  async delete(actor: Actor, id: number): Promise<void> {
    await this.get(actor, id);
    await notificationsRepo.delete(this.db, id, actor.id);
  }
}
