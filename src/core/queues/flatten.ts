import type { Db } from '../../db/database.ts';
import type { PathStep, QueueRule } from './path.ts';
import { queueItemsRepo } from './queues.repo.ts';
import type { ItemRow } from './queues.repo.ts';

/** Exercise `order` is a string: numbers compare as numbers, anything else as text, then by id. */
export function byExerciseOrder(a: { order: string; id: number }, b: { order: string; id: number }): number {
  const na = Number(a.order);
  const nb = Number(b.order);
  const numeric = a.order.trim() !== '' && b.order.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb);
  const c = numeric ? na - nb : a.order.localeCompare(b.order);
  return c !== 0 ? c : a.id - b.id;
}

/** The exercises a module item stands for: the module's exercises, only those with one of `tagIds` when there are tags. */
export async function moduleExerciseIds(db: Db, moduleId: number, tagIds: number[]): Promise<number[]> {
  return (await queueItemsRepo.moduleExercises(db, moduleId, tagIds)).sort(byExerciseOrder).map((e) => e.id);
}

export type { ItemRow };

export function itemRows(db: Db, queueId: number): Promise<ItemRow[]> {
  return queueItemsRepo.byQueue(db, queueId);
}

export function itemTagIds(db: Db, itemId: number): Promise<number[]> {
  return queueItemsRepo.tagIds(db, itemId);
}

/**
 * The steps of an item: an exercise item is one step, a module item one step per exercise with
 * the item's rule, a nested queue its own steps. Queues already on the way down are skipped, so a
 * cycle (which writes refuse anyway) cannot loop.
 */
export async function itemSteps(db: Db, item: ItemRow, seen: ReadonlySet<number>): Promise<PathStep[]> {
  const rule = item.queue_rule as QueueRule;
  if (item.exercise_id !== null) return [{ exerciseId: item.exercise_id, rule, continueOnRedo: item.continue_on_redo }];
  if (item.module_id !== null) {
    const ids = await moduleExerciseIds(db, item.module_id, await itemTagIds(db, item.id));
    return ids.map((exerciseId) => ({ exerciseId, rule, continueOnRedo: item.continue_on_redo }));
  }
  if (item.nested_queue_id !== null && !seen.has(item.nested_queue_id)) return flattenQueue(db, item.nested_queue_id, seen);
  return [];
}

/** Every exercise of a queue in order, nested queues and modules unfolded, disabled items left out. */
export async function flattenQueue(db: Db, queueId: number, seen: ReadonlySet<number> = new Set()): Promise<PathStep[]> {
  const inside = new Set(seen).add(queueId);
  const out: PathStep[] = [];
  for (const item of await itemRows(db, queueId)) {
    if (!item.enabled) continue;
    out.push(...(await itemSteps(db, item, inside)));
  }
  return out;
}

/** Whether `queueId` is `target` or contains it, directly or through nested queues. */
export async function containsQueue(db: Db, queueId: number, target: number, seen = new Set<number>()): Promise<boolean> {
  if (queueId === target) return true;
  if (seen.has(queueId)) return false;
  seen.add(queueId);
  for (const nested of await queueItemsRepo.nestedQueueIds(db, queueId)) if (await containsQueue(db, nested, target, seen)) return true;
  return false;
}
