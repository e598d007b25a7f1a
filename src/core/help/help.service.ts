import type { Db } from '../../db/database.ts';
import type { Engine } from '../../db/columns.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import type { Clock } from '../clock.ts';
import type { Exercise, ExercisesService } from '../courses/exercises.service.ts';
import { isRowId } from '../courses/exercises.service.ts';
import { canSee, visibleCourseIds } from '../courses/visibility.ts';
import { enrolmentsRepo } from '../enrolment/enrolments.repo.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import { displayName } from '../identity/users.service.ts';
import { nestedNotifications } from '../notifications/nested.ts';
import type { NestedNotification } from '../notifications/nested.ts';
import { ThreadChanges } from '../threads/changes.ts';
import { lockThread, unlockThread } from '../threads/locks.ts';
import { setSubscribed, subscribedAmong } from '../threads/subscriptions.ts';
import type { HelpStatus, HelpType, HelpVisibility } from './help-enums.ts';
import { CHAT } from './help-enums.ts';
import type { HelpFilters, HelpOrder } from './help-filters.ts';
import { mayDeleteHelp, mayEditHelp, mayOpenHelp, onStaffSide, seesStaffOnlyResponses } from './help-policy.ts';
import type { HelpResponse } from './help-responses.repo.ts';
import { helpResponsesRepo } from './help-responses.repo.ts';
import { helpScope } from './help-visibility.ts';
import type { HelpQuery, HelpRow } from './help.repo.ts';
import { helpRepo } from './help.repo.ts';

export type { HelpRow } from './help.repo.ts';

/** A help thread as its reader sees it. */
export interface Help {
  id: number;
  user_id: number;
  created_by: number | null;
  checker_id: number | null;
  checker_first_name: string;
  checker_last_name: string;
  /** For the reader. */
  is_subscribed: boolean;
  title: string;
  help_type: HelpType;
  help_status: HelpStatus;
  exercise_id: number | null;
  exercise: Exercise | null;
  visibility: HelpVisibility;
  /** Without staff-only ones for a student reader. */
  responses: HelpResponse[];
  /** The reader's unread notifications about this thread. */
  notifications: NestedNotification[];
  last_staff_updated: string;
  created_at: string;
}

/** What a client sets on a thread; undefined keys are left as they are. */
export interface HelpInput {
  user?: number;
  title?: string;
  help_type?: HelpType;
  exercise_id?: number | null;
  visibility?: HelpVisibility;
}

/** The staff dashboard's feed entry. */
export interface HelpNotice {
  id: number;
  user_id: number;
  user_name: string;
  last_staff_updated: string;
}

/** A most common answer staff gave on similar threads. */
export interface TopHelpResponse {
  contents: string | null;
}

/** How many suggestions `top_responses` gives at most. */
export const TOP_RESPONSES = 10;


/**
 * Help threads: a student's request to staff (or a staff `Chat` about a student), answered by
 * responses (help-responses.service.ts), locked by the checker handling it, followed by
 * subscribers. Who sees which thread is help-visibility.ts; who may change what, help-policy.ts.
 * A thread is `Open` on creation; afterwards its responses decide (the latest `Resolve` or `Open`).
 */
export class HelpService {
  /** Announces committed changes others may be showing (a thread opened, answered, locked): the inbox's live events. */
  readonly changes = new ThreadChanges();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly exercises: ExercisesService,
    private readonly engine: Engine,
  ) {}

  /** The actor's scope plus the filters; null when an id cannot name a row. */
  private async query(db: Db, actor: Actor, filters: HelpFilters): Promise<HelpQuery | null> {
    const ids = [filters.id, filters.createdBy, filters.exerciseId, filters.moduleId, filters.subjectId];
    if (ids.some((n) => n !== undefined && !isRowId(n))) return null;
    return { engine: this.engine, scope: await helpScope(db, actor), filters, withStaffOnlyText: seesStaffOnlyResponses(actor) };
  }

  /** Visible threads matching the filters, in `ordering` (then id) order. */
  async list(actor: Actor, filters: HelpFilters = {}, ordering: HelpOrder[] = []): Promise<Help[]> {
    return this.render(actor, await this.matching(this.db, actor, filters, ordering));
  }

  /** One page of the list and the number of matches before paging. */
  async page(actor: Actor, filters: HelpFilters, ordering: HelpOrder[], limit: number, offset: number): Promise<{ count: number; helps: Help[] }> {
    const query = await this.query(this.db, actor, filters);
    if (!query) return { count: 0, helps: [] };
    const total = await helpRepo.count(this.db, query);
    const rows = await helpRepo.list(this.db, query, ordering, { limit, offset });
    return { count: total, helps: await this.render(actor, rows) };
  }

  /** The raw rows of the visible threads matching the filters, read through `db` (a transaction for bulk answers). */
  async matching(db: Db, actor: Actor, filters: HelpFilters, ordering: HelpOrder[] = []): Promise<HelpRow[]> {
    const query = await this.query(db, actor, filters);
    return query ? helpRepo.list(db, query, ordering) : [];
  }

  /** The thread's row when the actor sees it, else not found. */
  async visibleRow(actor: Actor, id: number, db: Db = this.db): Promise<HelpRow> {
    if (!isRowId(id)) throw AssayError.notFound();
    const [row] = await this.matching(db, actor, { id });
    if (!row) throw AssayError.notFound();
    return row;
  }

  async get(actor: Actor, id: number): Promise<Help> {
    return (await this.render(actor, [await this.visibleRow(actor, id)]))[0]!;
  }

  private async render(actor: Actor, rows: HelpRow[]): Promise<Help[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const checkerIds = [...new Set(rows.flatMap((r) => (r.checker_id === null ? [] : [r.checker_id])))];
    const [subscribed, notifications, responses, exercises, checkers] = await Promise.all([
      subscribedAmong(this.db, actor.id, 'help', ids),
      nestedNotifications(this.db, 'help', ids, actor.id),
      helpResponsesRepo.byHelps(this.db, ids, seesStaffOnlyResponses(actor)),
      this.exercises.byIds(rows.flatMap((r) => (r.exercise_id === null ? [] : [r.exercise_id]))),
      helpRepo.checkerNames(this.db, checkerIds),
    ]);
    const checkerById = new Map(checkers.map((c) => [c.id, c]));
    return rows.map((r) => {
      const checker = r.checker_id === null ? undefined : checkerById.get(r.checker_id);
      return {
        id: r.id,
        user_id: r.user_id,
        created_by: r.created_by,
        checker_id: r.checker_id,
        checker_first_name: checker?.first_name ?? '',
        checker_last_name: checker?.last_name ?? '',
        is_subscribed: subscribed.has(r.id),
        title: r.title,
        help_type: r.help_type as HelpType,
        help_status: r.help_status as HelpStatus,
        exercise_id: r.exercise_id,
        exercise: r.exercise_id === null ? null : (exercises.get(r.exercise_id) ?? null),
        visibility: r.visibility as HelpVisibility,
        responses: responses.get(r.id) ?? [],
        notifications: notifications.get(r.id) ?? [],
        last_staff_updated: r.last_staff_updated,
        created_at: r.created_at,
      };
    });
  }

  /**
   * The references of a thread's input: its student must be a user the actor sees (a student
   * is checked to be themselves by the policy first), its exercise one the actor sees. Invisible
   * ones do not exist, as in a DRF queryset limited to the caller's objects.
   */
  private async checkReferences(actor: Actor, input: HelpInput): Promise<void> {
    const problems: FieldProblem[] = [];
    if (input.user !== undefined && !(await this.userVisible(actor, input.user))) problems.push(doesNotExist('user', input.user));
    if (input.exercise_id !== undefined && input.exercise_id !== null) {
      const exercise = await this.exercises.get(actor, input.exercise_id).catch(() => null);
      if (!exercise) problems.push(doesNotExist('exercise_id', input.exercise_id));
    }
    if (problems.length > 0) throw AssayError.invalid(problems);
  }

  private async userVisible(actor: Actor, userId: number): Promise<boolean> {
    if (!isRowId(userId)) return false;
    if (userId === actor.id) return true;
    if (actor.clearance < Clearance.checker) return false;
    const user = await enrolmentsRepo.userProgram(this.db, userId);
    if (!user) return false;
    if (actor.clearance >= Clearance.staff || user.clearance > Clearance.student) return true;
    return user.program_id !== null && canSee(await visibleCourseIds(this.db, actor), user.program_id);
  }

  async create(actor: Actor, input: HelpInput & { user: number; help_type: HelpType }): Promise<Help> {
    if (!mayOpenHelp(actor, { userId: input.user, helpType: input.help_type })) throw AssayError.forbidden();
    await this.checkReferences(actor, input);
    const now = this.clock.now();
    const id = await helpRepo.insert(this.db, {
        user_id: input.user,
        created_by: actor.id,
        title: input.title ?? '',
        help_type: input.help_type,
        help_status: 'Open',
        exercise_id: input.exercise_id ?? null,
        visibility: input.visibility ?? 'All Staff',
        last_staff_updated: now,
        created_at: now,
      });
    await this.changes.announce({ kind: 'help', id });
    return this.get(actor, id);
  }

  /** The thread, when the actor may change its fields: not found if invisible, forbidden otherwise. */
  async getForEdit(actor: Actor, id: number): Promise<HelpRow> {
    const row = await this.visibleRow(actor, id);
    if (!mayEditHelp(actor, { helpType: row.help_type as HelpType })) throw AssayError.forbidden();
    return row;
  }

  async update(actor: Actor, id: number, input: HelpInput): Promise<Help> {
    const current = await this.getForEdit(actor, id);
    if (!mayEditHelp(actor, { helpType: current.help_type as HelpType }, input.help_type)) throw AssayError.forbidden();
    await this.checkReferences(actor, input);
    await helpRepo.update(this.db, id, {
        ...(input.user !== undefined ? { user_id: input.user } : {}),
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.help_type !== undefined ? { help_type: input.help_type } : {}),
        ...(input.exercise_id !== undefined ? { exercise_id: input.exercise_id } : {}),
        ...(input.visibility !== undefined ? { visibility: input.visibility } : {}),
        // Only the staff side edits threads, so every edit is a staff update.
        last_staff_updated: this.clock.now(),
      });
    // Read back without the visibility check: reassigning the thread or narrowing its
    // visibility may hide it from its editor, who still gets the result of the edit.
    const row = await helpRepo.byId(this.db, id);
    await this.changes.announce({ kind: 'help', id });
    return (await this.render(actor, [row!]))[0]!;
  }

  /** The thread, when the actor may delete it: not found if invisible, forbidden otherwise. */
  async getForDelete(actor: Actor, id: number): Promise<HelpRow> {
    const row = await this.visibleRow(actor, id);
    if (!mayDeleteHelp(actor, { createdBy: row.created_by })) throw AssayError.forbidden();
    return row;
  }

  /** Deletes the thread with its responses, notifications and subscriptions. */
  async delete(actor: Actor, id: number): Promise<void> {
    await this.getForDelete(actor, id);
    await this.db.transaction().execute((trx) => helpRepo.deleteWithDependents(trx, id));
  }

  /** The thread when the actor handles it as a checker: not found if invisible, forbidden for students. */
  async getForHandling(actor: Actor, id: number): Promise<HelpRow> {
    if (!onStaffSide(actor)) throw AssayError.forbidden();
    return this.visibleRow(actor, id);
  }

  async lock(actor: Actor, id: number): Promise<void> {
    await this.getForHandling(actor, id);
    await lockThread(this.db, { kind: 'help', id }, actor, this.clock.now());
    await this.changes.announce({ kind: 'help', id });
  }

  async unlock(actor: Actor, id: number): Promise<void> {
    await this.getForHandling(actor, id);
    await unlockThread(this.db, { kind: 'help', id }, actor);
    await this.changes.announce({ kind: 'help', id });
  }

  async subscribe(actor: Actor, id: number, on: boolean): Promise<void> {
    await this.visibleRow(actor, id);
    await setSubscribed(this.db, actor.id, { kind: 'help', id }, on);
  }

  /**
   * The answers the staff side gave most often on the other threads of the same type about the
   * same exercise (or about none, when this one has none), among the threads the actor sees,
   * most frequent first, then most recent. A `Chat` has none: it is a conversation, not a question.
   */
  async topResponses(actor: Actor, id: number): Promise<TopHelpResponse[]> {
    const help = await this.getForHandling(actor, id);
    if (help.help_type === CHAT) return [];
    return helpRepo.topResponses(this.db, await helpScope(this.db, actor), help, TOP_RESPONSES);
  }

  /** Threads by when staff last touched them, the most recent first: the staff dashboard's feed. */
  async latest(actor: Actor, filters: HelpFilters = {}): Promise<HelpNotice[]> {
    if (!onStaffSide(actor)) throw AssayError.forbidden();
    const query = await this.query(this.db, actor, filters);
    if (!query) return [];
    const rows = await helpRepo.latest(this.db, query);
    return rows.map((r) => ({ id: r.id, user_id: r.user_id, user_name: displayName(r), last_staff_updated: r.last_staff_updated }));
  }
}
