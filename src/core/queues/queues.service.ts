import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { isRowId } from '../courses/exercises.service.ts';
import { visibleCourseIds } from '../courses/visibility.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import { containsQueue, flattenQueue, itemRows, itemSteps, itemTagIds } from './flatten.ts';
import type { QueueRule } from './path.ts';
import { queuePolicy } from './policy.ts';
import { queueItemsRepo, queuesRepo } from './queues.repo.ts';
import type { ItemRow, QueueRow } from './queues.repo.ts';

export const ONE_TARGET = 'A queue must target exactly one of module or user.';
export const ONE_ITEM_TARGET = 'An item must have exactly one of set_exercise_id, set_nested_queue_id or set_module_id.';

/** A queue with what Hive shows of its target. */
export type Queue = QueueRow;

export interface QueueInput {
  name?: string;
  description?: string | null;
  module?: number | null;
  user?: number | null;
}

export interface QueueFilters {
  classId?: number;
  mentorId?: number;
  moduleId?: number;
  moduleIsNull?: boolean;
  programIds?: number[];
  userId?: number;
  userIsNull?: boolean;
}

export interface QueueItem extends ItemRow {
  tag_ids: number[];
}

export interface QueueItemInput {
  order?: number;
  set_exercise_id?: number | null;
  set_nested_queue_id?: number | null;
  set_module_id?: number | null;
  queue_rule?: QueueRule;
  continue_on_redo?: boolean;
  enabled?: boolean;
  set_tags_id?: number[];
}


/**
 * Queues and their items (hive.md §6.6). Checkers read the queues of the programs they check,
 * staff and admins every queue; only staff and admins write. Students have no access: they read
 * their own path through `users/me` (path.service.ts).
 */
export class QueuesService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private async visible(actor: Actor): Promise<number[] | null> {
    if (!queuePolicy.mayRead(actor)) throw AssayError.forbidden();
    return visibleCourseIds(this.db, actor);
  }

  async list(actor: Actor, f: QueueFilters = {}): Promise<Queue[]> {
    const visible = await this.visible(actor);
    const bad = (n: number | undefined) => n !== undefined && !isRowId(n);
    if (bad(f.classId) || bad(f.mentorId) || bad(f.moduleId) || bad(f.userId)) return [];
    const programIds = f.programIds?.filter(isRowId);
    if (programIds !== undefined && programIds.length === 0) return [];
    return queuesRepo.list(this.db, { ...f, programIds, visible });
  }

  async get(actor: Actor, id: number): Promise<Queue> {
    if (!isRowId(id)) throw AssayError.notFound();
    const [row] = await queuesRepo.list(this.db, { visible: await this.visible(actor), id });
    if (!row) throw AssayError.notFound();
    return row;
  }

  /** Queues by id without a visibility check, for nesting inside an item the caller may see. */
  async byIds(ids: number[]): Promise<Map<number, Queue>> {
    const wanted = [...new Set(ids)].filter(isRowId);
    if (wanted.length === 0) return new Map();
    const rows = await queuesRepo.list(this.db, { visible: null, ids: wanted });
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** The queue when the actor may change it: not found if invisible, forbidden below staff. */
  async getForWrite(actor: Actor, id: number): Promise<Queue> {
    const queue = await this.get(actor, id);
    if (!queuePolicy.mayManage(actor)) throw AssayError.forbidden();
    return queue;
  }

  private async checkTarget(moduleId: number | null, userId: number | null): Promise<void> {
    if ((moduleId === null) === (userId === null)) throw AssayError.field(null, 'invalid', ONE_TARGET);
    if (moduleId !== null) {
      const found = isRowId(moduleId) && (await queuesRepo.moduleExists(this.db, moduleId));
      if (!found) throw AssayError.invalid([doesNotExist('module', moduleId)]);
    }
    if (userId !== null) {
      const user = isRowId(userId) ? await queuesRepo.userProgram(this.db, userId) : undefined;
      if (!user) throw AssayError.invalid([doesNotExist('user', userId)]);
      // A queue belongs to a program (Queue.program_id is required): a user queue's is its student's.
      if (user.program_id === null) throw AssayError.field('user', 'invalid', 'A user queue must belong to a student with a program.');
    }
  }

  async create(actor: Actor, input: QueueInput & { name: string }): Promise<Queue> {
    if (!queuePolicy.mayManage(actor)) throw AssayError.forbidden();
    const moduleId = input.module ?? null;
    const userId = input.user ?? null;
    await this.checkTarget(moduleId, userId);
    const id = await queuesRepo.insert(this.db, { name: input.name, description: input.description ?? null, module_id: moduleId, user_id: userId, created_at: this.clock.now() });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: number, input: QueueInput): Promise<Queue> {
    const current = await this.getForWrite(actor, id);
    const moduleId = input.module !== undefined ? input.module : current.module_id;
    const userId = input.user !== undefined ? input.user : current.user_id;
    await this.checkTarget(moduleId, userId);
    await queuesRepo.update(this.db, id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      module_id: moduleId,
      user_id: userId,
    });
    return this.get(actor, id);
  }

  /** Its items go with it; items of other queues nesting it go too, and students following it follow nothing. */
  async delete(actor: Actor, id: number): Promise<void> {
    await this.getForWrite(actor, id);
    await this.db.transaction().execute((tx) => queuesRepo.delete(tx, id));
  }

  /** A copy with its items (nested queues are shared, not copied), under a new name and target (the original's when none is given). */
  async duplicate(actor: Actor, id: number, input: { name: string; module?: number | null; user?: number | null }): Promise<Queue> {
    const source = await this.getForWrite(actor, id);
    const given = (input.module ?? null) !== null || (input.user ?? null) !== null;
    const moduleId = given ? (input.module ?? null) : source.module_id;
    const userId = given ? (input.user ?? null) : source.user_id;
    await this.checkTarget(moduleId, userId);
    const copyId = await this.db.transaction().execute(async (tx) => {
      const copyId = await queuesRepo.insert(tx, { name: input.name, description: source.description, module_id: moduleId, user_id: userId, created_at: this.clock.now() });
      for (const item of await itemRows(tx, id)) {
        const { id: itemId, queue_id: _q, ...rest } = item;
        const made = await queueItemsRepo.insert(tx, { ...rest, queue_id: copyId });
        const tags = await itemTagIds(tx, itemId);
        if (tags.length > 0) await queueItemsRepo.replaceTags(tx, made, tags);
      }
      return copyId;
    });
    return this.get(actor, copyId);
  }

  /**
   * Deletes the queue's assignments still `New`: those of its exercises (nested queues and modules
   * unfolded) held by the students it serves (its target user and everyone following it), when
   * nothing was posted on them yet. Anything with a response is work and stays.
   */
  async deleteNew(actor: Actor, id: number): Promise<number> {
    await this.getForWrite(actor, id);
    const exerciseIds = [...new Set((await flattenQueue(this.db, id)).map((s) => s.exerciseId))];
    if (exerciseIds.length === 0) return 0;
    return this.db.transaction().execute(async (tx) => {
      const ids = await queuesRepo.untouchedNewAssignments(tx, id, exerciseIds);
      if (ids.length === 0) return 0;
      await queuesRepo.deleteAssignments(tx, ids);
      return ids.length;
    });
  }

  // ---- items ----

  private async withTags(rows: ItemRow[]): Promise<QueueItem[]> {
    const tags = await queueItemsRepo.tagsOf(this.db, rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, tag_ids: tags.filter((t) => t.item_id === r.id).map((t) => t.tag_id) }));
  }

  async listItems(actor: Actor, queueId: number): Promise<QueueItem[]> {
    await this.get(actor, queueId);
    return this.withTags(await itemRows(this.db, queueId));
  }

  async getItem(actor: Actor, queueId: number, itemId: number): Promise<QueueItem> {
    await this.get(actor, queueId);
    const row = isRowId(itemId) ? await queueItemsRepo.inQueue(this.db, queueId, itemId) : undefined;
    if (!row) throw AssayError.notFound();
    return (await this.withTags([row]))[0]!;
  }

  async getItemForWrite(actor: Actor, queueId: number, itemId: number): Promise<QueueItem> {
    const item = await this.getItem(actor, queueId, itemId);
    if (!queuePolicy.mayManage(actor)) throw AssayError.forbidden();
    return item;
  }

  /** Checks an item's target (exactly one, existing, no queue inside itself) and its tags. */
  private async checkItem(queueId: number, t: { exercise: number | null; nested: number | null; module: number | null; tags: number[] }): Promise<void> {
    const targets = [t.exercise, t.nested, t.module].filter((v) => v !== null).length;
    if (targets !== 1) throw AssayError.field(null, 'invalid', ONE_ITEM_TARGET);
    const problems: FieldProblem[] = [];
    const exists = async (table: 'exercises' | 'queues' | 'modules', id: number, field: string) => {
      // Exercises outside any module have no Hive shape, so Hive cannot name them (targetExists leaves them out).
      if (!isRowId(id) || !(await queuesRepo.targetExists(this.db, table, id))) problems.push(doesNotExist(field, id));
    };
    if (t.exercise !== null) await exists('exercises', t.exercise, 'set_exercise_id');
    if (t.module !== null) await exists('modules', t.module, 'set_module_id');
    if (t.nested !== null) {
      await exists('queues', t.nested, 'set_nested_queue_id');
      if (problems.length === 0 && (await containsQueue(this.db, t.nested, queueId))) {
        problems.push({ field: 'set_nested_queue_id', code: 'invalid', message: 'A queue cannot contain itself.' });
      }
    }
    if (t.tags.length > 0) {
      if (t.module === null) problems.push({ field: 'set_tags_id', code: 'invalid', message: 'Only a module item can be filtered by tags.' });
      const found = await queuesRepo.existingTagIds(this.db, t.tags.filter(isRowId));
      for (const tag of t.tags) if (!found.has(tag)) problems.push(doesNotExist('set_tags_id', tag));
    }
    if (problems.length > 0) throw AssayError.invalid(problems);
  }

  private async ordered(tx: Db, queueId: number): Promise<number[]> {
    return (await itemRows(tx, queueId)).map((r) => r.id);
  }

  /** Writes `order` 0..n-1 following `ids`. */
  private async renumber(tx: Db, ids: number[]): Promise<void> {
    for (const [order, id] of ids.entries()) await queueItemsRepo.setOrder(tx, id, order);
  }

  private static outOfRange(field: string, max: number): AssayError {
    return AssayError.field(field, 'invalid', `Order must be between 0 and ${max}.`);
  }

  private async setTags(tx: Db, itemId: number, tags: number[]): Promise<void> {
    await queueItemsRepo.replaceTags(tx, itemId, [...new Set(tags)]);
  }

  /** Items keep `order` 0..n-1: a new item goes in at `order` (n appends) and the ones from there shift down. */
  async createItem(actor: Actor, queueId: number, input: Required<QueueItemInput>): Promise<QueueItem> {
    await this.getForWrite(actor, queueId);
    const tags = input.set_tags_id ?? [];
    await this.checkItem(queueId, { exercise: input.set_exercise_id, nested: input.set_nested_queue_id, module: input.set_module_id, tags });
    const id = await this.db.transaction().execute(async (tx) => {
      const ids = await this.ordered(tx, queueId);
      if (input.order < 0 || input.order > ids.length) throw QueuesService.outOfRange('order', ids.length);
      const itemId = await queueItemsRepo.insert(tx, {
        queue_id: queueId,
        order: input.order,
        exercise_id: input.set_exercise_id,
        nested_queue_id: input.set_nested_queue_id,
        module_id: input.set_module_id,
        queue_rule: input.queue_rule,
        continue_on_redo: input.continue_on_redo ?? false,
        enabled: input.enabled,
      });
      ids.splice(input.order, 0, itemId);
      await this.renumber(tx, ids);
      await this.setTags(tx, itemId, input.set_module_id !== null ? tags : []);
      return itemId;
    });
    return this.getItem(actor, queueId, id);
  }

  async updateItem(actor: Actor, queueId: number, itemId: number, input: QueueItemInput): Promise<QueueItem> {
    const current = await this.getItemForWrite(actor, queueId, itemId);
    const target = {
      exercise: input.set_exercise_id !== undefined ? input.set_exercise_id : current.exercise_id,
      nested: input.set_nested_queue_id !== undefined ? input.set_nested_queue_id : current.nested_queue_id,
      module: input.set_module_id !== undefined ? input.set_module_id : current.module_id,
      tags: input.set_tags_id ?? (input.set_module_id === undefined ? current.tag_ids : []),
    };
    await this.checkItem(queueId, target);
    await this.db.transaction().execute(async (tx) => {
      await queueItemsRepo.update(tx, itemId, {
        exercise_id: target.exercise,
        nested_queue_id: target.nested,
        module_id: target.module,
        ...(input.queue_rule !== undefined ? { queue_rule: input.queue_rule } : {}),
        ...(input.continue_on_redo !== undefined ? { continue_on_redo: input.continue_on_redo } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      });
      await this.setTags(tx, itemId, target.module !== null ? target.tags : []);
      if (input.order !== undefined) await this.moveIn(tx, queueId, itemId, input.order, 'order');
    });
    return this.getItem(actor, queueId, itemId);
  }

  private async moveIn(tx: Db, queueId: number, itemId: number, to: number, field: string): Promise<void> {
    const ids = (await this.ordered(tx, queueId)).filter((i) => i !== itemId);
    if (to < 0 || to > ids.length) throw QueuesService.outOfRange(field, ids.length);
    ids.splice(to, 0, itemId);
    await this.renumber(tx, ids);
  }

  /** Puts the item at position `newOrder` (0..n-1); the others shift to keep the order contiguous. */
  async moveItem(actor: Actor, queueId: number, itemId: number, newOrder: number): Promise<QueueItem> {
    await this.getItemForWrite(actor, queueId, itemId);
    await this.db.transaction().execute((tx) => this.moveIn(tx, queueId, itemId, newOrder, 'new_order'));
    return this.getItem(actor, queueId, itemId);
  }

  async deleteItem(actor: Actor, queueId: number, itemId: number): Promise<void> {
    await this.getItemForWrite(actor, queueId, itemId);
    await this.db.transaction().execute(async (tx) => {
      await queueItemsRepo.delete(tx, itemId);
      await this.renumber(tx, await this.ordered(tx, queueId));
    });
  }

  /**
   * Replaces a nested-queue or module item, in place, by one exercise item per exercise it stands
   * for (nested queues all the way down, disabled items left out), each with the rule it had there
   * and the expanded item's `enabled`.
   */
  async expandItem(actor: Actor, queueId: number, itemId: number): Promise<void> {
    const item = await this.getItemForWrite(actor, queueId, itemId);
    if (item.exercise_id !== null) throw AssayError.field(null, 'invalid', 'Only a nested-queue or module item can be expanded.');
    const steps = await itemSteps(this.db, item, new Set([queueId]));
    await this.db.transaction().execute(async (tx) => {
      const ids = await this.ordered(tx, queueId);
      const at = ids.indexOf(itemId);
      const made: number[] = [];
      for (const s of steps) {
        made.push(await queueItemsRepo.insert(tx, { queue_id: queueId, order: at, exercise_id: s.exerciseId, queue_rule: s.rule, continue_on_redo: s.continueOnRedo, enabled: item.enabled }));
      }
      await queueItemsRepo.delete(tx, itemId);
      ids.splice(at, 1, ...made);
      await this.renumber(tx, ids);
    });
  }
}
