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

  private query() {
    return this.db
      .selectFrom('notifications as n')
      .leftJoin('assignments as a', 'a.id', 'n.assignment_id')
      .leftJoin('help_threads as h', 'h.id', 'n.help_id')
      .leftJoin('exercises as e', (join) => join.on((eb) => eb('e.id', '=', eb.fn.coalesce('a.exercise_id', 'h.exercise_id'))))
      .leftJoin('modules as m', 'm.id', 'e.module_id')
      .leftJoin('users as fu', 'fu.id', 'n.from_user_id')
      .innerJoin('users as tu', 'tu.id', 'n.for_user_id')
      .select([
        'n.id',
        'n.help_id',
        'n.assignment_id',
        'n.response_type',
        'e.id as exercise_id',
        'e.name as exercise_name',
        'e.module_id',
        'm.subject_id',
        'e.course_id',
        'h.help_type',
        'h.title as help_title',
        'n.comment',
        'n.from_user_id',
        'fu.username as from_username',
        'fu.first_name as from_first_name',
        'fu.last_name as from_last_name',
        'n.was_read',
        'n.created_at',
        'n.for_user_id',
        'tu.username as for_username',
        'tu.first_name as for_first_name',
        'tu.last_name as for_last_name',
      ]);
  }

  private static render(r: Awaited<ReturnType<ReturnType<NotificationsService['query']>['executeTakeFirstOrThrow']>>): Notification {
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

    let q = this.query().where('n.for_user_id', '=', actor.id);
    if (filters.assignmentId !== undefined) q = q.where('n.assignment_id', '=', filters.assignmentId);
    if (filters.exerciseId !== undefined) q = q.where('a.exercise_id', '=', filters.exerciseId);
    if (exerciseIds) q = q.where('a.exercise_id', 'in', exerciseIds);
    if (filters.fromSystem !== undefined) q = q.where('n.from_user_id', filters.fromSystem ? 'is' : 'is not', null);
    if (filters.helpId !== undefined) q = q.where('n.help_id', '=', filters.helpId);
    if (helpIds) q = q.where('n.help_id', 'in', helpIds);
    if (filters.wasRead !== undefined) q = q.where('n.was_read', '=', filters.wasRead);
    return (await q.orderBy('n.id').execute()).map(NotificationsService.render);
  }

  /** A notification addressed to the actor; anyone else's is not found, even for admins. */
  async get(actor: Actor, id: number): Promise<Notification> {
    const found = isRowId(id) ? await this.query().where('n.id', '=', id).where('n.for_user_id', '=', actor.id).executeTakeFirst() : undefined;
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
    const recipient = isRowId(input.user_id) ? await this.db.selectFrom('users').select('id').where('id', '=', input.user_id).executeTakeFirst() : undefined;
    if (!recipient) problems.push(doesNotExist('user', input.user_id));
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
    const { id } = await this.db
      .insertInto('notifications')
      .values({
        for_user_id: input.user_id,
        from_user_id: actor.id,
        assignment_id: input.assignment_id ?? null,
        help_id: input.help_id ?? null,
        response_type: null,
        comment: input.comment ?? '',
        was_read: input.was_read ?? false,
        created_at: this.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The sender is usually not the recipient, so the answer is not limited to the actor's own.
    return NotificationsService.render(await this.query().where('n.id', '=', id).executeTakeFirstOrThrow());
  }

  /** The recipient marks it read or unread, or edits its comment. */
  async update(actor: Actor, id: number, change: NotificationChange): Promise<Notification> {
    await this.get(actor, id);
    const set: NotificationChange = {};
    if (change.comment !== undefined) set.comment = change.comment;
    if (change.was_read !== undefined) set.was_read = change.was_read;
    if (Object.keys(set).length > 0) await this.db.updateTable('notifications').set(set).where('id', '=', id).execute();
    return this.get(actor, id);
  }

  /** The recipient dismisses it. */
  async delete(actor: Actor, id: number): Promise<void> {
    await this.get(actor, id);
    await this.db.deleteFrom('notifications').where('id', '=', id).where('for_user_id', '=', actor.id).execute();
  }
}
