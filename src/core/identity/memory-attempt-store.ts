import { LruMap } from 'toad-cache';
import type { AttemptStore, AttemptWindow } from './sign-in-limits.ts';

/**
 * Attempt counters in this process: fixed windows on the injected clock, in an LRU map of bounded
 * size so that a flood of made-up names cannot grow memory without end.
 */
export class MemoryAttemptStore implements AttemptStore {
  private readonly windows: LruMap<AttemptWindow>;

  constructor(
    private readonly nowMs: () => number,
    capacity = 100_000,
  ) {
    this.windows = new LruMap<AttemptWindow>(capacity);
  }

  async add(key: string, delta: 1 | -1, windowMs: number): Promise<AttemptWindow> {
    const now = this.nowMs();
    const open = this.windows.get(key);
    const window = open && open.resetAtMs > now ? open : { count: 0, resetAtMs: now + windowMs };
    window.count = Math.max(0, window.count + delta);
    this.windows.set(key, window);
    return { ...window };
  }

  async clear(key: string): Promise<void> {
    this.windows.delete(key);
  }
}
