import type { ThreadRef } from './thread.ts';

export type ThreadChangeListener = (thread: ThreadRef) => Promise<void>;

/**
 * Hears of changes to assignments and help threads that others may be showing (a new
 * submission, a status, a lock), after they are committed. The services that make the changes
 * announce them; the checker inbox's live events listen (inbox-events.ts). A listener's failure
 * never fails the change: it is already made.
 */
export class ThreadChanges {
  private readonly listeners = new Set<ThreadChangeListener>();

  listen(listener: ThreadChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async announce(thread: ThreadRef): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(thread);
      } catch {
        // A lost hint costs a refetch at the next one.
      }
    }
  }
}
