import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { AssignmentsService } from '../assignments/assignments.service.ts';
import type { HelpService } from '../help/help.service.ts';
import type { ThreadRef } from '../threads/thread.ts';
import type { Person } from './line-comments.service.ts';
import { displayName } from '../identity/users.service.ts';
import { reviewRepo } from './review.repo.ts';

/**
 * Opening an inbox item locks it: Hive's assignment and help-thread locks (threads/locks.ts
 * decides who may take or release one; the services announce the change to the inbox).
 */
export class CheckerLocks {
  constructor(
    private readonly db: Db,
    private readonly assignments: AssignmentsService,
    private readonly help: HelpService,
  ) {}

  /** Takes the lock; answers who holds it now (the actor). */
  async lock(actor: Actor, thread: ThreadRef): Promise<Person | null> {
    if (thread.kind === 'assignment') await this.assignments.lock(actor, thread.id);
    else await this.help.lock(actor, thread.id);
    return this.holder(actor, thread);
  }

  async unlock(actor: Actor, thread: ThreadRef): Promise<void> {
    if (thread.kind === 'assignment') await this.assignments.unlock(actor, thread.id);
    else await this.help.unlock(actor, thread.id);
  }

  /** Who holds the thread's lock, as the actor sees it (not found when they do not see the thread). */
  async holder(actor: Actor, thread: ThreadRef): Promise<Person | null> {
    const checkerId = thread.kind === 'assignment' ? (await this.assignments.get(actor, thread.id)).checker_id : (await this.help.visibleRow(actor, thread.id)).checker_id;
    if (checkerId === null) return null;
    const person = (await reviewRepo.people(this.db, [checkerId])).get(checkerId);
    return person ? { id: person.id, name: displayName(person) } : null;
  }
}
