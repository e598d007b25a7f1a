import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { assignmentVisibleTo } from '../assignments/assignment-visibility.ts';
import { helpVisibleTo } from '../help/help-visibility.ts';
import type { ThreadRef } from '../threads/thread.ts';

/**
 * Whether the actor may see the thread (assignment or help thread) a notification would point at:
 * the very rule each area applies to its own resource.
 */
export function threadVisibleTo(db: Db, actor: Actor, thread: ThreadRef): Promise<boolean> {
  return thread.kind === 'help' ? helpVisibleTo(db, actor, thread.id) : assignmentVisibleTo(db, actor, thread.id);
}
